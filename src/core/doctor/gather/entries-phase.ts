/**
 * Per entry: read it as its client does, expand its variables, find its program and script, lint
 * it against its client's spawn rules, and plan its live probe.
 */

import { BRIDGE_PATH, SHARE_PREFIX, TOOLS_PATH } from "../../bridge-link/index.js";
import type { EntrySet } from "../../clients/entry-sets.js";
import { expandEntry, readEntry } from "../../clients/entry-view.js";
import type { ClientModule, EntryView } from "../../clients/types.js";
import { downloadsOnStart } from "../../entries/launch/runners.js";
import { innerProgram, wslCall } from "../../entries/launch/wrappers.js";
import { type Resolved, resolveEntry } from "../../entries/programs/resolve.js";
import { isAbsoluteAny } from "../../environments/launch-paths.js";
import type { Machine } from "../../environments/machine.js";
import { isNodeProgram, underVersionManager } from "../../environments/program.js";
import type { Environment } from "../../environments/types.js";
import { own } from "../../plain-records.js";
import { isSecretName } from "../../secrets/placeholders.js";
import { getEnv } from "../../system/host.js";
import { isLoopback } from "../../system/loopback.js";
import { placeholderKind } from "../checks/secrets.js";
import { missingProgram } from "../checks/spawn.js";
import type { EntryFacts, EntryWork } from "../facts.js";
import type { RemotePlan } from "../probe/live-probe.js";
import { probeCommand } from "../probe/probe-command.js";
import type { Where } from "../types.js";
import type { ConfigFacts } from "./read-configs.js";

export interface EntriesContext {
  machine: Machine;
  envs: readonly Environment[];
  project: string;
  managed: ReadonlySet<string>;
  /** Manifest servers that are npm packages. */
  packages: ReadonlySet<string>;
  /** Manifest servers that speak SSE (their Cursor/Windsurf entries do not say so). */
  sseServers?: ReadonlySet<string>;
  /** Manifest servers whose clients log in themselves (`"auth": "client"`). */
  clientLogins?: ReadonlySet<string>;
  serverFilter: ReadonlySet<string>;
  desktop: Map<string, { msix: boolean; version?: string }>;
}

export async function inspectEntries(
  config: ConfigFacts,
  set: EntrySet,
  ctx: EntriesContext,
): Promise<{ entries: EntryFacts[]; work: EntryWork[]; secrets: string[] }> {
  const t = config.target;
  const entries: EntryFacts[] = [];
  const work: EntryWork[] = [];
  const secrets: string[] = [];
  const vars = varsFor(t.env, ctx.machine, t.client, config.top);
  const passed = t.env.local ? t.client.serverEnvFilter?.(ctx.machine.host.env, config.top) : undefined;
  for (const [server, raw] of Object.entries(set.entries)) {
    if (ctx.serverFilter.size > 0 && !ctx.serverFilter.has(server)) continue;
    // The client's own (Goose's built-in extensions): no server to start from the entry, nothing to check.
    if (t.client.ownEntry?.(raw) !== undefined) continue;
    const where: Where = { env: t.env.id, client: t.client.id, server, scope: set.scope };
    const view = readEntry(raw, t.client.id);
    const expanded = expandEntry(view, t.client.id, { vars, home: t.env.home, project: ctx.project });
    const managed = ctx.managed.has(server) && set.scope !== "local";
    let resolved: Resolved | undefined;
    if (expanded.view.kind === "stdio")
      resolved = await resolveEntry(t, expanded.view, { ...ctx, settings: config.top });
    const timeoutMs = t.client.startupTimeoutMs(raw, t.env.local ? ctx.machine.host.env : {});
    const desktop = ctx.desktop.get(t.key);
    const builtInNodeKey = t.client.builtInNode?.key;
    const sse = expanded.view.kind === "remote" && speaksSse(expanded.view, t.client, managed, ctx, server);
    const facts: EntryFacts = {
      env: t.env.id,
      envKind: t.env.kind,
      envNodeUnderNvm: nodeUnderNvm(runEnvOf(t.env, view, ctx.envs)),
      ...(t.env.node ? { envNode: t.env.node.path } : {}),
      client: t.client.id,
      clientName: t.client.name,
      gui: t.client.gui,
      scope: set.scope,
      server,
      remoteCapable: t.client.remoteEntry !== undefined,
      sse,
      view,
      expanded,
      ...(resolved ? { resolved } : {}),
      managed,
      managedPackage: managed && ctx.packages.has(server),
      timeoutMs,
      ...(desktop
        ? {
            desktop: {
              ...desktop,
              ...(builtInNodeKey && typeof config.top[builtInNodeKey] === "boolean"
                ? { builtInNode: config.top[builtInNodeKey] }
                : {}),
            },
          }
        : {}),
      ...(t.env.kind === "wsl" ? { mountRoot: ctx.machine.local.mountRoot } : {}),
    };
    const values = [
      ...Object.entries(expanded.view.env).map(([name, value]) => ({ field: `env.${name}`, name, value })),
      ...Object.entries(expanded.view.headers).map(([name, value]) => ({
        field: `headers.${name}`,
        name,
        value,
      })),
    ];
    entries.push({ ...facts, values });
    // A value that is a placeholder or a reference left as is (`${API_KEY}`) is no secret.
    for (const v of values)
      if (isSecretName(v.name) && !placeholderKind(v.name, v.value) && !/^\$\{[^{}]+\}$/.test(v.value.trim()))
        secrets.push(v.value.replace(/^(Bearer|Basic|Token)\s+/i, ""), v.value);
    // Turned off in its client (Kiro's, Windsurf's, Antigravity's `disabled`, Goose's and Zed's
    // `enabled: false`): the client never starts it, so neither does doctor (a fresh Kiro's file
    // holds its `fetch` server disabled: starting it failed a check the client never runs).
    if (offInClient(raw)) continue;
    const missing = missingOf(facts);
    const relayed =
      expanded.view.kind === "stdio" && !missing ? relayTarget(expanded.view, ctx.machine) : undefined;
    work.push({
      where,
      clientName: t.client.name,
      server,
      timeoutMs,
      managed,
      managedPackage: facts.managedPackage ?? false,
      kind: expanded.view.kind,
      ...downloaderOf(expanded.view),
      ...(missing
        ? { missing }
        : relayed
          ? {}
          : resolved?.spawn
            ? {
                plan: resolved.spawn,
                command: probeCommand(resolved.spawn, Object.keys(expanded.view.env), {
                  style: ctx.machine.local.kind === "windows" ? "win32" : "posix",
                  cwd: ctx.machine.host.cwd,
                }),
              }
            : {}),
      ...(resolved?.noSpawn && !relayed ? { noSpawn: resolved.noSpawn } : {}),
      ...(expanded.view.kind === "remote" && expanded.view.url
        ? {
            remote: {
              url: expanded.view.url,
              headers: expanded.view.headers,
              transport: sse ? ("sse" as const) : ("http" as const),
            },
          }
        : {}),
      ...(relayed ? { remote: relayed, relay: true } : {}),
      ...(managed && ctx.clientLogins?.has(server) ? { clientLogin: true } : {}),
      ...(passed && expanded.view.kind === "stdio"
        ? { withheld: withheldFrom(ctx.machine.host.env, passed, expanded.view.env) }
        : {}),
    });
  }
  return { entries, work, secrets };
}

/** The entry is switched off in its own client (as import's recognize.ts reads it). */
function offInClient(raw: unknown): boolean {
  if (typeof raw !== "object" || raw === null) return false;
  const e = raw as Record<string, unknown>;
  return e.disabled === true || e.enabled === false;
}

/**
 * Does this remote entry speak SSE? `"type": "sse"`, or a key without a type that may mean either
 * (Cursor's `url`, Windsurf's `serverUrl`, Gemini's `url`: SSE in its docs and older versions,
 * Streamable HTTP first in newer ones) of a server the manifest says speaks SSE.
 */
function speaksSse(
  view: EntryView,
  client: Pick<ClientModule, "reading">,
  managed: boolean,
  ctx: EntriesContext,
  server: string,
): boolean {
  if (view.type === "sse") return true;
  if (view.urlKey !== undefined && view.urlKey === client.reading.streamableUrlKey) return false;
  return !view.type && managed && (ctx.sseServers?.has(server) ?? false);
}

/**
 * The remote an `mcp-twin connect <url>` relay entry reaches (a Windows entry's `wsl.exe … connect`,
 * a project's `npx mcp-twin@… connect` too): its URL, transport, the headers its `--header`s make
 * from the entry's environment, and the login it sends (`--auth`). Not a relay to the bridge (no
 * login, on loopback, at the bridge's paths): the bridge has checks of its own.
 */
function relayTarget(
  view: Pick<EntryView, "args" | "env">,
  machine: Pick<Machine, "paths">,
): RemotePlan | undefined {
  const at = view.args.findIndex((a, i) => a === "connect" && /^https?:\/\//i.test(view.args[i + 1] ?? ""));
  if (at === -1) return undefined;
  const url = view.args[at + 1] ?? "";
  const plan: RemotePlan = { url, headers: {}, transport: "http" };
  const rest = view.args.slice(at + 2);
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i] ?? "";
    const value = rest[i + 1];
    if (value === undefined) break;
    if (flag === "--transport" && value === "sse") plan.transport = "sse";
    else if (flag === "--auth") plan.login = { oauthDir: machine.paths.oauth, server: value };
    else if (flag === "--header") {
      const colon = value.indexOf(":");
      if (colon > 0)
        plan.headers[value.slice(0, colon).trim()] = value
          .slice(colon + 1)
          .trim()
          .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => own(view.env, name) ?? whole);
    } else continue;
    i++;
  }
  // A relay with a login is never the bridge's; one without, to the bridge's paths on loopback, is.
  try {
    const u = new URL(url);
    if (
      !plan.login &&
      isLoopback(u.hostname) &&
      (u.pathname === BRIDGE_PATH || u.pathname === TOOLS_PATH || u.pathname.startsWith(SHARE_PREFIX))
    )
      return undefined;
  } catch {
    return undefined;
  }
  return plan;
}

/** The names of `own` a client withholds (not in `passed`) that the entry does not set itself. */
function withheldFrom(
  own: Readonly<Record<string, string | undefined>>,
  passed: Readonly<Record<string, string>>,
  entryEnv: Readonly<Record<string, string>>,
): string[] {
  return Object.keys(own)
    .filter((n) => own[n] !== undefined && !Object.hasOwn(passed, n) && !Object.hasOwn(entryEnv, n))
    .sort();
}

/** The variables a client expands references from, in its own environment. */
function varsFor(
  env: Environment,
  machine: Machine,
  client: Pick<ClientModule, "serverEnvFilter">,
  settings: Readonly<Record<string, unknown>>,
): (name: string) => string | undefined {
  // Gemini CLI expands an entry's values against what it passes on: a withheld variable is unset.
  const passed = env.local ? client.serverEnvFilter?.(machine.host.env, settings) : undefined;
  if (passed) return (name) => getEnv(passed, name);
  if (env.local) return (name) => getEnv(machine.host.env, name);
  if (env.kind === "windows") return (name) => getEnv(env.vars, name);
  return (name) => own(env.vars, name);
}

/** The environment a program runs in: a Windows entry's `wsl.exe -d X …` runs in distro X. */
function runEnvOf(
  env: Environment,
  view: { command?: string; args: string[] },
  envs: readonly Environment[],
): Environment {
  const wsl = env.kind === "windows" && view.command ? wslCall(view.command, view.args) : undefined;
  if (!wsl) return env;
  const distros = envs.filter((e) => e.kind === "wsl");
  return (
    (wsl.distro
      ? distros.find((e) => e.distro?.toLowerCase() === wsl.distro?.toLowerCase())
      : (distros.find((e) => e.local) ?? distros[0])) ?? env
  );
}

function nodeUnderNvm(env: Environment): boolean {
  return env.node ? underVersionManager(env.node.path) !== undefined : false;
}

function downloaderOf(view: { command?: string; args: string[] }): {
  downloader?: string;
  downloaderArgs?: string[];
} {
  if (!view.command) return {};
  const program = innerProgram(view.command, view.args);
  const downloader = downloadsOnStart(program.command, program.args);
  return downloader ? { downloader, downloaderArgs: [...program.args] } : {};
}

/**
 * A program known not to be there: starting the entry would only fail the same way, so it is not
 * started. An absolute node path is entry.node-path's finding, any other program entry.command's.
 */
function missingOf(facts: EntryFacts): EntryWork["missing"] {
  const missing = missingProgram(facts);
  if (!missing) return undefined;
  const node = isAbsoluteAny(missing.path) && isNodeProgram(missing.path);
  return { ...missing, check: node ? "entry.node-path" : "entry.command" };
}
