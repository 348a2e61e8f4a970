/**
 * The tool lists no cache knows, by a handshake as doctor's probe makes it (`mcp-twin tools`), or
 * sync's plain one (wire-list.ts): each server started as the bridge would start it (or its url
 * contacted), listed, stopped, and the list remembered in the home's cache for the next run.
 */
import type { Context } from "../../context/context.js";
import { type ShareLaunch, type ShareLaunchOptions, shareLaunches } from "../../entries/share-launch.js";
import { homeKey, rememberToolLists, type ToolDef } from "../../entries/tool-lists.js";
import type { Machine } from "../../environments/machine.js";
import { splitSpec } from "../../manifest/package-spec.js";
import { resolveString, serverIn } from "../../manifest/spec.js";
import { knownVersions, packageServers } from "../../packages/installs.js";
import { trace } from "../../system/trace.js";
import type { ProbeResult, RemotePlan } from "./live-probe.js";
import { probeAll } from "./probe-all.js";

/** How a lister reaches its servers; `plain`: a stdio server by wire-list.ts's handshake (sync's). */
type ListOptions = {
  timeoutMs: number;
  manifest?: string | undefined;
  plain?: boolean;
  addSecrets(values: readonly string[]): void;
  here?: ShareLaunchOptions["here"];
  /** Told once every server is on its way to start (sync goes on from there). */
  started?(): void;
};

export interface Listed {
  server: string;
  tools?: ToolDef[];
  /** Why it could not be listed. */
  error?: string;
}

/** How many servers the plain handshake starts at once (a first sync's servers, each its own process). */
const PLAIN_AT_ONCE = 8;

/** List these servers now (in parallel, a few at a time) and remember what they said. */
export async function listByHandshake(
  machine: Machine,
  ctx: Pick<Context, "manifest" | "state" | "secrets" | "loaded">,
  names: readonly string[],
  options: ListOptions,
): Promise<Listed[]> {
  const versions = knownVersions(packageServers(ctx.manifest, []), ctx.state);
  const launches = await launchesOf(machine, ctx, names, options);
  // Loaded before the first start, not by each: the starts then follow each other at once.
  if (options.plain) await import("./wire-list.js");
  const probing = probeAll(
    [...names],
    (name, signal) => probeOne(machine, ctx, name, options, signal, launches.get(name)),
    // The plain handshake costs this process next to nothing: every server at once (bounded), as
    // a fifth that waits for a first to answer adds its whole start to the sync's time.
    { concurrency: options.plain ? PLAIN_AT_ONCE : 4 },
  );
  options.started?.();
  const results = await probing;
  const out: Listed[] = names.map((server, i) => {
    const r = results[i];
    return r?.ok && r.toolDefs ? { server, tools: r.toolDefs } : { server, error: r?.error ?? "no answer" };
  });
  await rememberToolLists(
    machine,
    out.flatMap((l) => {
      const spec = ctx.manifest.servers[l.server];
      if (!l.tools || !spec) return [];
      const pkg = spec.package ? splitSpec(spec.package).name : undefined;
      return [{ server: l.server, key: homeKey(spec, pkg ? versions.get(pkg) : undefined), tools: l.tools }];
    }),
  );
  trace("lists: remembered");
  return out;
}

/**
 * The launches of the stdio servers among `names`, read in one go: the machine, manifest and
 * secrets opened once, not once a server. Empty when one cannot launch: each is then read on its
 * own, so the one that cannot says why and the others still start.
 */
async function launchesOf(
  machine: Machine,
  ctx: Pick<Context, "manifest">,
  names: readonly string[],
  options: Pick<ListOptions, "manifest" | "addSecrets" | "here">,
): Promise<Map<string, ShareLaunch>> {
  const stdio = names.filter((n) => ctx.manifest.servers[n] && ctx.manifest.servers[n].url === undefined);
  if (stdio.length < 2) return new Map();
  const found: string[] = [];
  const launches = await shareLaunches(
    {
      host: machine.host,
      machine,
      manifest: options.manifest,
      here: options.here,
      addSecrets: (v) => found.push(...v),
    },
    stdio,
  ).then(
    (all) => all,
    (): ShareLaunch[] => [],
  );
  if (launches.length > 0) options.addSecrets(found);
  return new Map(launches.map((l) => [l.name, l]));
}

async function probeOne(
  machine: Machine,
  ctx: Pick<Context, "manifest" | "secrets">,
  name: string,
  options: ListOptions,
  signal?: AbortSignal,
  known?: ShareLaunch,
): Promise<ProbeResult> {
  const spec = ctx.manifest.servers[name];
  if (!spec) return { ok: false, stderr: [], noise: [], error: "not in the manifest" };
  // The SDK's client is loaded only by what needs it (a remote, or doctor's stdio handshake).
  if (spec.url !== undefined) {
    const run = serverIn(spec, machine.local.id);
    const lookup = { secrets: ctx.secrets, env: machine.host.env };
    const headers = Object.fromEntries(
      Object.entries(run.headers).map(([k, v]) => [k, resolveString(v, lookup).text]),
    );
    const plan: RemotePlan = {
      url: resolveString(run.url ?? spec.url, lookup).text,
      headers,
      transport: spec.transport === "sse" ? "sse" : "http",
      ...(spec.auth === "oauth" ? { login: { oauthDir: machine.paths.oauth, server: name } } : {}),
    };
    if (plan.transport === "sse")
      return (await import("./sse-probe.js")).probeSseRemote(plan, options.timeoutMs, signal);
    return (await import("./remote-probe.js")).probeHttpRemote(plan, options.timeoutMs, signal);
  }
  try {
    const [launch] = known
      ? [known]
      : await shareLaunches(
          {
            host: machine.host,
            machine,
            manifest: options.manifest,
            here: options.here,
            addSecrets: options.addSecrets,
          },
          [name],
        );
    if (!launch) return { ok: false, stderr: [], noise: [], error: "no launch" };
    const plan = {
      file: launch.command,
      args: launch.args,
      env: { ...machine.host.env, ...launch.env },
      ...(launch.cwd ? { cwd: launch.cwd } : {}),
    };
    const { runner } = machine.host;
    if (options.plain)
      return (await import("./wire-list.js")).listOverStdio(runner, plan, options.timeoutMs, signal);
    return (await import("./live-probe.js")).probeServer(runner, plan, options.timeoutMs, signal);
  } catch (error) {
    return {
      ok: false,
      stderr: [],
      noise: [],
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
