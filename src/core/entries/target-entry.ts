/**
 * What one server's entry looks like in one target. Pure: every fact (environments, installed bins,
 * short path names) comes in through the context.
 */
import type { Launch, Target } from "../clients/types.js";
import { envMatches } from "../environments/env-selector.js";
import type { Environment } from "../environments/types.js";
import { exactVersion, splitSpec } from "../manifest/package-spec.js";
import type { ServerSpec } from "../manifest/schema.js";
import { type ResolveContext, resolveString, serverIn } from "../manifest/spec.js";
import { BIN_AFTER_INSTALL, type InstalledPackage, pickBin } from "../packages/npm-prefix.js";
import type { MissingProgram } from "./programs/missing-programs.js";
import { relayArgs } from "./relay-node-flags.js";
import { cannotHost } from "./share-host-env.js";

export interface EntryContext {
  environments: readonly Environment[];
  installed(envId: string, packageName: string): InstalledPackage | undefined;
  /**
   * Native Windows path → what an entry writes for it when it has spaces: its 8.3 form, `node.exe`
   * for the node.exe found first on the Windows PATH, else the path itself.
   */
  shortPath(windowsPath: string): string;
  /** Why a Windows path keeps its spaces, and what the user can do (undefined: it does not). */
  spaced?(windowsPath: string): string | undefined;
  /** This mcp-twin (node + script, native paths of the local environment), for relays. */
  self: { node: string; script: string };
  /** This mcp-twin's version: a project file's relay runs it through npx, pinned. */
  selfVersion: string;
  secrets: Readonly<Record<string, string>>;
  processEnv: Readonly<Record<string, string | undefined>>;
  /** The version a package is (to be) installed at everywhere: project entries pin it. */
  version?(packageName: string): string | undefined;
  /** Servers whose login mcp-twin holds (oauth/needs-login.ts): their entries are its relay. */
  logins?: ReadonlySet<string>;
}

/**
 * - kept: the entry's `keys` say them;
 * - gateway: the entry is a url entry to the gateway, which keeps them for its client token's
 *   client (its `tools/list` lacks the others, a call to one is refused);
 * - no-field: the client has no field for them, and its entry does not name it to the gateway;
 * - needs-list: the rules have patterns and the server's list is not known yet (cached at its
 *   first start: doctor, `mcp-twin tools`, or the gateway's);
 * - cannot-say: the client's field cannot say this rule (Copilot CLI lists only what it loads) and
 *   the server's list is not known to turn it into such a list;
 * - leaves-none: the rules leave none of the server's tools, and the client's field cannot say
 *   none (Goose reads an empty `available_tools` as every tool).
 */
export type ToolRuleOutcome =
  | { state: "kept"; keys: string[]; names: { allow?: string[]; deny?: string[] } }
  | { state: "gateway" }
  | { state: "no-field" | "needs-list" | "cannot-say" | "leaves-none" };

/** Something written that will not start, or may not, as things are. */
export interface EntryProblem {
  code: string;
  message: string;
  missing?: MissingProgram;
  /** What the user can do (already part of the message), for doctor to say alike. */
  fix?: string;
}

export type BuiltEntry =
  | {
      ok: true;
      value: Record<string, unknown>;
      secretValues: string[];
      references: string[];
      runsIn: string;
      /**
       * The manifest's `clientFields` for this target's client: written into the entry beside
       * `value`, compared one by one (not part of `value`'s hash, as the client's own fields are not).
       */
      fields?: Record<string, unknown>;
      /**
       * A url server written as mcp-twin's stdio relay (`connect`), which runs in `runsIn`, and why:
       * the client takes only stdio servers, or no SSE url entries, or mcp-twin holds its login.
       */
      relay?: RelayWhy;
      /** A shared server's url entry to the gateway (entries/shared-entry.ts). */
      gateway?: true;
      /** An entry holding a key: its hash with the key's name in its place (sync/keyless-entries.ts), recorded. */
      keyless?: string;
      /** A shared server whose key (a `${secret:…}` its manifest entry uses) stays in the home: the gateway adds it. */
      keyKept?: true;
      /** The toolSearch `tools` entry: the servers it reaches through the gateway's `/tools`. */
      behind?: string[];
      /**
       * A shared server's entry (entries/shared-entry.ts): the gateway's url (its token, its project
       * header) or the relay to it. Derived from the bridge, none of it is how the server starts:
       * `adopt` takes only the client's own fields from it.
       */
      bridged?: true;
      /**
       * A package the entry fetches through npx each time its client starts it (a project relay's
       * `mcp-twin@<version>`): sync asks whether the registry has it.
       */
      fetches?: string;
      /** A raw `command` server: the program it runs in `runsIn` (sync checks it is there). */
      program?: string;
      /** The program runs in the bridge (a shared server), not where the client starts its entry. */
      shared?: true;
      /** Written, but it will not start as things are (its program is missing there). */
      problems?: EntryProblem[];
      /** The `tools` entry: its servers' own entries, kept while the person's entry holds its name (ownership.ts). */
      instead?: ReadonlyMap<string, BuiltEntry>;
      /** The manifest's tool rules for this target's client, and whether the entry says them (tool-rule-entry.ts). */
      toolRules?: ToolRuleOutcome;
    }
  | {
      ok: false;
      code: "not-installed" | "no-environment" | "unresolved";
      reason: string;
      /** not-installed: the package that is not there, and where (sync installs it there). */
      missing?: { package: string; env: string };
      /** Meant as a shared server's entry (the bridge's), which cannot be built now. */
      bridged?: true;
      /** The `tools` entry: its servers' own entries, kept while the person's entry holds its name (ownership.ts). */
      instead?: ReadonlyMap<string, BuiltEntry>;
    };

/**
 * - An npm package runs as `<that environment's node> <absolute bin script> ...args`: no npx, no
 *   `cmd /c`, no shell, no network at launch. Windows clients get Windows paths, with 8.3 short
 *   names where a path has spaces (Claude Desktop on Windows mangles them).
 * - A client whose environment cannot run the server reaches it across the line: a Windows client
 *   runs `wsl.exe -d <distro> --exec ...` with the variable names in WSLENV (else they never reach
 *   Linux); a WSL client runs the Windows node.exe through interop.
 * - A url server goes in as `url`/`headers` where the client can use remote servers (of that
 *   transport: Streamable HTTP, or SSE), else as a stdio relay (`mcp-twin connect`, with
 *   `--transport sse` for SSE) with header values in the relay's env, never in argv. A server
 *   whose login mcp-twin holds is the relay in every client (`connect <url> --auth <server>`): the
 *   token stays in the home, never in a config.
 * - User-scope files get values; project files get the client's `${VAR}` reference syntax.
 */
export function buildEntry(name: string, server: ServerSpec, target: Target, ctx: EntryContext): BuiltEntry {
  const allowed = (envId: string) =>
    !server.environments || server.environments.some((s) => envMatches(s, envId));
  // A project file is committed and used by the team: its package entries run where the project
  // is opened, through npx at a pinned version, never this machine's node or prefix.
  const portable = target.scope === "project" && server.package !== undefined;
  const runEnv = portable
    ? projectRunEnv(server, target.env, allowed)
    : chooseRunEnv(server, target.env, ctx, allowed);
  if (!runEnv.ok) return runEnv;
  const env = runEnv.env;
  // The server as it runs there: its overrides for that environment applied (manifest/spec.ts).
  const run = serverIn(server, env.id);

  const resolveCtx: ResolveContext = {
    secrets: ctx.secrets,
    env: ctx.processEnv,
    ...(target.scope === "project" ? { referenceStyle: target.client.referenceStyle } : {}),
  };
  const secretValues: string[] = [];
  const references: string[] = [];
  const missing: string[] = [];
  const resolve = (text: string, field: string) => {
    const r = resolveString(text, resolveCtx);
    secretValues.push(...r.secretValues);
    references.push(...r.references);
    for (const m of r.missing)
      missing.push(`${field} needs ${m.kind === "secret" ? "secret" : "environment variable"} ${m.name}`);
    return r.text;
  };
  const resolveMap = (map: Record<string, string>, field: string) =>
    Object.fromEntries(Object.entries(map).map(([k, v]) => [k, resolve(v, `${field}.${k}`)]));

  let value: Record<string, unknown>;
  let program: string | undefined;
  const problems: EntryProblem[] = [];
  /** A project relay's arguments hold `${VAR}` that `connect` expands (not the client). */
  let relayExpands = false;
  if (run.url !== undefined) {
    const url = resolve(run.url, "url");
    const headers = resolveMap(run.headers, "headers");
    const sse = server.transport === "sse";
    const native = sse ? target.client.sseEntry : target.client.remoteEntry;
    // mcp-twin's login: every client through the relay; with "auth": "client", those that cannot
    // log in themselves (no url entries) too.
    const login = !sse && (ctx.logins?.has(name) === true || (server.auth === "client" && !native));
    const direct = login ? undefined : native;
    if (direct) {
      value = direct({ url, headers });
    } else if (target.scope === "project") {
      // A project file is committed and used by the team: this mcp-twin through npx, pinned at
      // this version, never this machine's node and script. Its headers hold references only
      // (no values): they go on the relay's command line as written, `connect` expands each
      // `${VAR}` from its own environment, and each variable is passed on under its own name.
      relayExpands = true;
      const relay = ["connect", ...connectOptions(url, sse, login ? name : undefined)];
      for (const [header, headerValue] of Object.entries(headers))
        relay.push("--header", `${header}:${headerValue}`);
      const passed = Object.fromEntries(references.map((n) => [n, target.client.referenceStyle(n)]));
      value = target.client.stdioEntry(
        npxLaunch(`mcp-twin@${ctx.selfVersion}`, undefined, target.env, relay, passed),
      );
    } else {
      // Header values (tokens) travel in the relay's environment, not on its command line.
      const headerEnv: Record<string, string> = {};
      const args = relayArgs(ctx.self.script, ...connectOptions(url, sse, login ? name : undefined));
      Object.entries(headers).forEach(([header, headerValue], i) => {
        const variable = `MCP_TWIN_HEADER_${i}`;
        headerEnv[variable] = headerValue;
        // No space after the colon: Claude Desktop on Windows splits arguments at spaces.
        args.push("--header", `${header}:\${${variable}}`);
      });
      const local = localEnvironment(ctx.environments);
      const entry = clientLaunch({ command: ctx.self.node, args, env: headerEnv }, local, target, ctx);
      value = target.client.stdioEntry(entry.launch);
      problems.push(...entry.problems);
    }
  } else {
    const args = run.args.map((a, i) => resolve(a, `args[${i}]`));
    const envVars = resolveMap(run.env, "env");
    let launch: Launch;
    if (server.package && portable) {
      launch = npxLaunch(server.package, ctx.version?.(splitSpec(server.package).name), env, args, envVars);
    } else {
      const here = launchIn(server, run, env, ctx.installed, args, envVars, name);
      if (!here.ok) return here;
      launch = here.launch;
      program = here.program;
    }
    const entry = portable
      ? { launch, problems: [] }
      : clientLaunch(launch, env, target, ctx, !server.package);
    value = target.client.stdioEntry(entry.launch);
    problems.push(...entry.problems);
  }
  if (missing.length > 0)
    return { ok: false, code: "unresolved", reason: `servers.${name}: ${[...new Set(missing)].join("; ")}` };
  const problem =
    target.scope === "project"
      ? target.client.projectEntryProblem?.(relayExpands ? { ...value, args: [] } : value)
      : undefined;
  if (problem) return { ok: false, code: "unresolved", reason: `servers.${name}: ${problem}` };
  // A url server as a command is mcp-twin's relay: it runs where this mcp-twin is (a project
  // file's, through npx, where the project is opened).
  const relay =
    run.url !== undefined && typeof value.command === "string" ? relayWhy(server, target) : undefined;
  const self = relay && target.scope !== "project" ? ctx.environments.find((e) => e.local) : undefined;
  if (target.scope === "project") problems.push(...withheldReferences(target, references));
  return {
    ok: true,
    value,
    ...extrasOf(server, target, relayExpands ? `mcp-twin@${ctx.selfVersion}` : undefined),
    secretValues,
    references: [...new Set(references)],
    runsIn: self?.id ?? env.id,
    ...(relay ? { relay } : {}),
    ...(program ? { program } : {}),
    ...(problems.length > 0 ? { problems } : {}),
  };
}

/**
 * A BuiltEntry's `fields` (the manifest's clientFields for the target's client) and `fetches` (a
 * project relay runs this mcp-twin through npx: sync asks whether npm has it).
 */
function extrasOf(
  server: ServerSpec,
  target: Target,
  fetches: string | undefined,
): { fields?: Record<string, unknown>; fetches?: string } {
  return { ...manifestFields(server, target), ...(fetches ? { fetches } : {}) };
}

/** The manifest's clientFields for the target's client, as a BuiltEntry carries them (none: absent). */
export function manifestFields(server: ServerSpec, target: Target): { fields?: Record<string, unknown> } {
  const fields = server.clientFields?.[target.client.id];
  return fields && Object.keys(fields).length > 0 ? { fields } : {};
}

/**
 * A project file's references to variables its client withholds from servers (Gemini CLI: names
 * like secrets), which it also expands its entries against: the server gets them empty.
 */
function withheldReferences(target: Target, references: readonly string[]): EntryProblem[] {
  const filter = target.client.serverEnvFilter;
  if (!filter) return [];
  const withheld = [...new Set(references)].filter((n) => !Object.hasOwn(filter({ [n]: "1" }), n)).sort();
  if (withheld.length === 0) return [];
  const names = withheld.join(", ");
  return [
    {
      code: "withheld-variable",
      message: `${target.client.name} neither passes ${names} to a server nor expands \${…} with ${withheld.length === 1 ? "it" : "them"} (it withholds variables named like secrets): the entry starts without ${withheld.length === 1 ? "it" : "them"}. Allow ${withheld.length === 1 ? "it" : "them"} in its settings (security.environmentVariableRedaction.allowed in ~/.gemini/settings.json), or keep the server in your user manifest (a user file gets the value).`,
    },
  ];
}

/** What follows `connect` in a relay entry: the url, SSE, and mcp-twin's login to `auth` (`--auth <server>`). */
function connectOptions(url: string, sse: boolean, auth: string | undefined): string[] {
  return [url, ...(sse ? ["--transport", "sse"] : []), ...(auth ? ["--auth", auth] : [])];
}

/**
 * stdio-only, no-sse, login: a url server's; shared-stdio-only, no-folder, no-token, readable: a
 * shared server's (entries/shared-entry.ts says when).
 */
export type RelayWhy =
  | "stdio-only"
  | "no-sse"
  | "login"
  | "shared-stdio-only"
  | "no-folder"
  | "no-token"
  | "readable";

/** Why a url server's entry in this client is mcp-twin's relay rather than the url itself. */
function relayWhy(server: ServerSpec, target: Target): RelayWhy {
  if (!target.client.remoteEntry) return "stdio-only";
  if (server.transport === "sse" && !target.client.sseEntry) return "no-sse";
  return "login";
}

/** The script of the login shell a raw command crossing into WSL is started through. */
const LOGIN_EXEC = 'exec "$0" "$@"';

/**
 * A launch as one target's client starts it: across the line when it runs elsewhere, with the
 * variables the client's own environment lacks, and — for a client that splits arguments at spaces
 * — what in it has spaces still, said as a problem (with why, and what the user can do).
 */
export function clientLaunch(
  launch: Launch,
  runEnv: Environment,
  target: Target,
  ctx: EntryContext,
  viaShell = false,
): { launch: Launch; problems: EntryProblem[] } {
  let out = crossOver(launch, runEnv, target.env, ctx, viaShell);
  const extra = runEnv.kind === "windows" ? target.client.windowsEntryEnv?.(target) : undefined;
  if (extra) {
    const missing = Object.entries(extra).filter(
      ([k]) => !Object.keys(out.env).some((n) => n.toUpperCase() === k),
    );
    if (missing.length > 0) out = { ...out, env: { ...out.env, ...Object.fromEntries(missing) } };
  }
  const splits = target.env.kind === "windows" ? target.client.windowsSpaces : undefined;
  // A dry run's placeholder for a script not installed yet is no path of the machine.
  const spaced = splits
    ? [out.command, ...out.args].filter((a) => a.replace(BIN_AFTER_INSTALL, "").includes(" "))
    : [];
  if (spaced.length === 0) return { launch: out, problems: [] };
  const why = [
    ...new Set(
      spaced.map((a) =>
        a === LOGIN_EXEC
          ? `It runs \`${out.args[out.args.indexOf(a) + 1]}\` in WSL through a login shell (to find it on the PATH there), and that shell's script has spaces: give the server's command as its absolute path in WSL (\`command -v ${out.args[out.args.indexOf(a) + 1]}\` there) in the manifest, then run \`mcp-twin sync\`.`
          : (ctx.spaced?.(a) ?? `"${a}" has spaces: write it without them.`),
      ),
    ),
  ];
  const what = spaced.map((a) => `"${a}"`).join(", ");
  const fix = why.join(" ");
  const message =
    splits === "splits"
      ? `${target.client.name} on Windows splits arguments at spaces, so it cannot start this entry (${what}): ${fix}`
      : `${target.client.name} on Windows may split arguments at spaces (${what}): ${fix}`;
  return {
    launch: out,
    problems: [{ code: splits === "splits" ? "splits-at-spaces" : "may-split-at-spaces", message, fix }],
  };
}

/**
 * How a stdio server starts in the environment it runs in, before any client's shape or any
 * crossing: an installed npm package as `<that environment's node> <its bin script> ...args` (no
 * npx, no shell, no network), a program as itself. Every user-level entry and `serve --share` start
 * a server through here.
 */
export function launchIn(
  server: Pick<ServerSpec, "package" | "bin">,
  run: { command?: string | undefined },
  /** Undefined: not looked at yet (a command runs as written; a package is not found). */
  env: Environment | undefined,
  installed: (envId: string, packageName: string) => InstalledPackage | undefined,
  args: string[],
  envVars: Record<string, string>,
  /** The server's name in the manifest, for the way out of a package with no program. */
  serverName?: string,
):
  | { ok: true; launch: Launch; program?: string }
  | { ok: false; code: "not-installed"; reason: string; missing?: { package: string; env: string } } {
  if (!server.package) {
    // A server without a package runs a command (a url server's entry is built apart).
    const program = run.command ?? "";
    return { ok: true, launch: { command: program, args, env: envVars }, program };
  }
  const name = splitSpec(server.package).name;
  const pkg = env && installed(env.id, name);
  if (!env || !pkg || !env.node)
    return {
      ok: false,
      code: "not-installed",
      reason: `${name} is not installed in ${env?.id ?? "this environment"}`,
      ...(env ? { missing: { package: name, env: env.id } } : {}),
    };
  const script = pickBin(pkg, server.bin);
  if (!script) {
    const bins = Object.keys(pkg.bins);
    return {
      ok: false,
      code: "not-installed",
      // No bin at all is not a server; several, none chosen (or a name it lacks), is a choice to make.
      reason:
        bins.length === 0
          ? `${pkg.name}@${pkg.version} has no bin: the package holds no program to start, so it is not an MCP server mcp-twin can run (\`mcp-twin remove ${serverName ?? "<server>"}\` takes it out of the manifest)`
          : `${pkg.name} has no bin${server.bin ? ` named "${server.bin}"` : " mcp-twin can tell is the server"} to run: it has ${bins.join(", ")} (set "bin" in the manifest to one of them)`,
    };
  }
  return { ok: true, launch: { command: env.node.path, args: [script, ...args], env: envVars } };
}

/**
 * `npx -y <name>@<version> ...args` (Windows: through `cmd /c`, as native Windows clients cannot
 * start npx's .cmd without a shell): no machine path, the version pinned. It costs a download on
 * first start (then npm's cache), which is why user-level entries run the installed copy instead.
 */
function npxLaunch(
  spec: string,
  version: string | undefined,
  env: Environment,
  args: string[],
  envVars: Record<string, string>,
): Launch {
  const { name, range } = splitSpec(spec);
  const pinned = version ?? exactVersion(range);
  const npx = ["-y", pinned ? `${name}@${pinned}` : spec, ...args];
  return env.kind === "windows"
    ? { command: "cmd", args: ["/c", "npx", ...npx], env: envVars }
    : { command: "npx", args: npx, env: envVars };
}

/** A project entry runs in the target's own environment, or nowhere (no crossing: not portable). */
function projectRunEnv(
  server: ServerSpec,
  clientEnv: Environment,
  allowed: (id: string) => boolean,
): RunEnvChoice {
  if (allowed(clientEnv.id)) return { ok: true, env: clientEnv };
  return {
    ok: false,
    code: "no-environment",
    reason: `it is limited to ${(server.environments ?? []).join(", ")}, and a project file's entry runs where the project is opened (${clientEnv.id})`,
  };
}

type RunEnvChoice =
  | { ok: true; env: Environment }
  | {
      ok: false;
      code: "not-installed" | "no-environment";
      reason: string;
      missing?: { package: string; env: string };
    };

function chooseRunEnv(
  server: ServerSpec,
  clientEnv: Environment,
  ctx: EntryContext,
  allowed: (id: string) => boolean,
): RunEnvChoice {
  if (server.url !== undefined) return { ok: true, env: clientEnv };
  const pkgName = server.package ? splitSpec(server.package).name : undefined;
  const canRun = (e: Environment) =>
    allowed(e.id) && (!pkgName || (e.usable && ctx.installed(e.id, pkgName) !== undefined));
  if (canRun(clientEnv)) return { ok: true, env: clientEnv };
  if (pkgName && allowed(clientEnv.id) && clientEnv.usable) {
    // `installed` answers for the version sync wants: another version may well be there (an
    // update whose install failed), so the reason names the version that is not.
    const want = ctx.version?.(pkgName);
    return {
      ok: false,
      code: "not-installed",
      reason: `${pkgName}${want ? `@${want}` : ""} is not installed in ${clientEnv.id}`,
      missing: { package: pkgName, env: clientEnv.id },
    };
  }
  const other = acrossTheLine(clientEnv, ctx.environments, canRun);
  if (other) return { ok: true, env: other };
  const why = !allowed(clientEnv.id)
    ? `it is limited to ${(server.environments ?? []).join(", ")}`
    : `${clientEnv.id} cannot run it (${clientEnv.reason ?? "not usable"})`;
  return {
    ok: false,
    code: "no-environment",
    reason: `no environment can run it for ${clientEnv.id}: ${why}`,
  };
}

/**
 * Can a client in `clientEnv` start a program that lives in `runEnv`, another environment? Windows
 * reaches WSL through `wsl.exe`, WSL reaches Windows through interop; nothing else crosses.
 *
 * The environment across the line a client's entry falls back to when its own cannot run the
 * server: Windows clients reach WSL (this distro first), WSL clients reach Windows.
 */
function acrossTheLine(
  clientEnv: Environment,
  environments: readonly Environment[],
  canRun: (e: Environment) => boolean,
): Environment | undefined {
  return environments
    .filter((e) => startsAcross(clientEnv, e))
    .sort((a, b) => Number(b.local) - Number(a.local))
    .find(canRun);
}

/**
 * Where the targets of a run will run a package server, once installed — the rule the entries
 * follow (chooseRunEnv), on what can be installed instead of what is: each target's own
 * environment when it is usable and the server allowed there, else the one across the line it
 * falls back to (a WSL client without a Linux npm runs Windows' node; a Windows client of a
 * WSL-only server runs it through wsl.exe). Project files run a package through npx, nothing
 * installed. sync installs a package only into these environments.
 */
export function packageRunEnvironments(
  server: ServerSpec,
  targets: readonly Target[],
  environments: readonly Environment[],
  /** Where the bridge runs: a shared server runs there for every user file (entries/shared-entry.ts). */
  bridgeEnv?: string,
): Set<string> {
  const allowed = (e: Environment) =>
    e.usable && (!server.environments || server.environments.some((s) => envMatches(s, e.id)));
  const out = new Set<string>();
  // A shared server the bridge's environment cannot run goes where its clients can run it.
  const host = bridgeEnv ? environments.find((e) => e.id === bridgeEnv) : undefined;
  const hosted = !host || cannotHost(server, host) === undefined;
  for (const t of targets) {
    if (t.scope === "project") continue;
    if (server.share && bridgeEnv && hosted) {
      out.add(bridgeEnv);
      continue;
    }
    const env = allowed(t.env) ? t.env : acrossTheLine(t.env, environments, allowed);
    if (env) out.add(env.id);
  }
  return out;
}

export function startsAcross(clientEnv: Environment, runEnv: Environment): boolean {
  if (clientEnv.id === runEnv.id) return false;
  return clientEnv.kind === "windows"
    ? runEnv.kind === "wsl"
    : clientEnv.kind === "wsl" && runEnv.kind === "windows";
}

/**
 * Make a launch that runs in `runEnv` startable by a client living in `clientEnv`.
 * `viaShell`: a raw command (uvx, …) crossing into WSL needs a login shell to find it on PATH.
 */
function crossOver(
  launch: Launch,
  runEnv: Environment,
  clientEnv: Environment,
  ctx: EntryContext,
  viaShell = false,
): Launch {
  const names = Object.keys(launch.env);
  if (runEnv.id === clientEnv.id) {
    if (clientEnv.kind !== "windows") return launch;
    return {
      ...launch,
      command: ctx.shortPath(launch.command),
      args: launch.args.map((a) => (looksLikeWindowsPath(a) ? ctx.shortPath(a) : a)),
    };
  }
  if (clientEnv.kind === "windows" && runEnv.kind === "wsl") {
    // An absolute program needs no PATH look-up, so no shell (whose script has spaces).
    const exec =
      viaShell && !launch.command.startsWith("/")
        ? ["sh", "-lc", LOGIN_EXEC, launch.command]
        : [launch.command];
    return {
      command: "wsl.exe",
      args: ["-d", runEnv.distro ?? "", "--exec", ...exec, ...launch.args],
      env: names.length > 0 ? { ...launch.env, WSLENV: names.map((n) => `${n}/u`).join(":") } : {},
    };
  }
  if (clientEnv.kind === "wsl" && runEnv.kind === "windows") {
    // A Linux client starts node.exe through interop: command as a Linux path, script as Windows'.
    const command = windowsPathForLinux(launch.command, clientEnv) ?? launch.command;
    return {
      command,
      args: launch.args,
      env: names.length > 0 ? { ...launch.env, WSLENV: names.map((n) => `${n}/w`).join(":") } : {},
    };
  }
  return launch;
}

function looksLikeWindowsPath(arg: string): boolean {
  return /^[A-Za-z]:\\/.test(arg);
}

/** `C:\Program Files\nodejs\node.exe` as a Linux process inside WSL must spell it. */
function windowsPathForLinux(p: string, wsl: Environment): string | undefined {
  const m = /^([A-Za-z]):\\(.*)$/.exec(p);
  if (!m) return undefined;
  const root = (wsl.vars.WSL_MOUNT_ROOT ?? "/mnt/").replace(/\/?$/, "/");
  return `${root}${(m[1] ?? "").toLowerCase()}/${(m[2] ?? "").replace(/\\/g, "/")}`;
}

/** The environment mcp-twin runs in: always among those found. */
function localEnvironment(environments: readonly Environment[]): Environment {
  const local = environments.find((e) => e.local);
  if (!local) throw new Error("no local environment among those found");
  return local;
}
