/**
 * How the bridge launches a shared manifest server here (`share` in the manifest, or `serve
 * --share`), with its `${secret:}`/`${env:}` references resolved (values stay in the child's env).
 */

import { loadContext, openManifest } from "../context/context.js";
import { type Machine, openMachine } from "../environments/machine.js";
import { OperationError, UsageError } from "../errors.js";
import { loadState } from "../ledger/state.js";
import { DEFAULT_IDLE_MINUTES } from "../manifest/bridge-defaults.js";
import type { LoadedManifest } from "../manifest/load.js";
import { splitSpec } from "../manifest/package-spec.js";
import type { ClientId, ServerSpec, ShareMode } from "../manifest/schema.js";
import { shareModeOf } from "../manifest/secret-shares.js";
import { referencesOf, resolveString, serverIn, specFields } from "../manifest/spec.js";
import { hasToolRules, ruleField, ruleLine, type ServerToolRules } from "../manifest/tool-rules.js";
import { serversBehindTools } from "../manifest/tool-search.js";
import { isTrusted, needsTrust, programServers } from "../manifest/trust.js";
import { loadPins, type PinBook } from "../pins/pin-file.js";
import { own } from "../plain-records.js";
import type { RemoteTarget } from "../remote-upstream/remote-upstream.js";
import { isSecretName } from "../secrets/placeholders.js";
import { unknownName } from "../selectors.js";
import { getEnv, type Host } from "../system/host.js";
import { silentProgress } from "../system/progress.js";
import { installedProgram } from "./installed-program.js";
import { cannotHost } from "./share-host-env.js";
import { sharedNodeFlags } from "./shared-node-flags.js";
import { launchIn } from "./target-entry.js";

/** How the bridge starts one shared server (values resolved; they stay in `env`, never in argv). */
export interface ShareLaunch {
  name: string;
  /** How many processes of it run (the manifest's `share`; `serve --share` alone: machine). */
  mode: ShareMode;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** The secret values resolved into it: masked in its own log (what its stderr may echo). */
  secrets?: string[];
  /**
   * What changes its lists, with no secret in it: the package and installed version, the command
   * and arguments as the manifest writes them (references unresolved), the env variable names.
   */
  identity: { package?: string; command: string; args: string[]; envNames: string[] };
  /**
   * A `command` server's program as installed now (installed-program.ts): upgraded by hand, its
   * processes restart on the next reload. Not in `identity`: sync finds its lists without it.
   */
  program?: string;
  /** Its tool rules (`tools`, `clientTools`): the gateway keeps them for clients without a field. */
  toolRules?: ShareToolRules;
  /** A url server: no process (command, args and env empty), the gateway's connection to it. */
  remote?: RemoteTarget;
}

/** A server's tool rules as the gateway gets them: with the manifest they are in, and where each is. */
export interface ShareToolRules extends ServerToolRules {
  file: string;
  /** `servers.x.clientTools.vscode.allow` (ruleField) → where the manifest writes it. */
  at: Record<string, { line: number; column: number }>;
}

/** The tool rules of server `name` with where each part is written (none: it has no rule). */
function shareToolRules(
  name: string,
  spec: ServerToolRules,
  loaded: { file: string; text: string | null },
): ShareToolRules | undefined {
  if (!hasToolRules(spec)) return undefined;
  const at: ShareToolRules["at"] = {};
  const paths = [
    ...(spec.tools ? [["servers", name, "tools"]] : []),
    ...Object.keys(spec.clientTools ?? {}).map((c) => ["servers", name, "clientTools", c]),
  ];
  for (const path of paths)
    for (const part of ["allow", "deny"] as const) {
      const where = loaded.text === null ? undefined : ruleLine(loaded.text, path, part);
      if (where) at[ruleField(path, part)] = where;
    }
  return {
    ...(spec.tools ? { tools: spec.tools } : {}),
    ...(spec.clientTools ? { clientTools: spec.clientTools } : {}),
    file: loaded.file,
    at,
  };
}

/** The manifest's shared servers, each launch or why it cannot start here. */
export interface ManifestShares {
  launches: ShareLaunch[];
  failed: Array<{ name: string; mode: ShareMode; error: string }>;
  idleMinutes: number;
  /** `bridge.allowOrigins`: the browser origins the user allows (read on each reload too). */
  allowOrigins?: string[];
  /** The manifest's toolSearch (tools on demand at `/tools`); absent when it names no client. */
  toolSearch?: ToolSearchShares;
  /** Each server's tools as approved (the home's pins): a tool listed otherwise is held back. */
  pins?: PinBook;
  /** The keys are in a keychain that does not answer yet (locked at logon): read them again this much later. */
  retryInMs?: number;
}

/**
 * What the gateway's `/tools` serves. A request there carries a client token whose label is
 * `<env>:<client>` (the client id after the last `:`): that client's servers, rules and kept tools.
 */
export interface ToolSearchShares {
  /** Each client the manifest names, with the servers it reaches through `/tools` (manifest order). */
  clients: Array<{ client: ClientId; servers: string[] }>;
  /** `<server>/<tool>`: listed beside search_tools and call_tool to each client whose servers hold it. */
  keep: string[];
  /**
   * The servers behind `/tools` that are not shared (not in `launches`): each runs one process per
   * session there (mode "session"), for those clients only — never at `/share/<name>`.
   */
  launches: ShareLaunch[];
  failed: Array<{ name: string; mode: ShareMode; error: string }>;
}

export interface ShareLaunchOptions {
  host: Host;
  /** The machine as this run already opened it (its environments detected once, not again). */
  machine?: Machine | undefined;
  /** `--manifest`, when given. */
  manifest?: string | undefined;
  /** Told every secret value resolved, so output masks them. */
  addSecrets(values: readonly string[]): void;
  /**
   * The manifest, secrets and environments a sync already read (and trusted): launches are read
   * from them, not opened again — a first sync's servers start that much sooner.
   */
  here?: Here | undefined;
}

export async function shareLaunches(
  options: ShareLaunchOptions,
  names: readonly string[],
): Promise<ShareLaunch[]> {
  if (names.length === 0) return [];
  const machine = options.machine ?? (await openMachine(options.host));
  const here = options.here ?? (await readHere(machine, options.manifest, names));
  const launches: ShareLaunch[] = [];
  for (const name of new Set(names)) launches.push(await launchOf(name, here, machine, options));
  return launches;
}

/** The gateway's wait for a keychain that does not answer (one gateway per process). */
let keychainWaitMs = 0;

/**
 * Every server the user-level manifest shares (the bridge is one per machine: a project manifest
 * shares nothing), each resolved for this environment — or, when it cannot start here (not
 * installed, a secret missing), why, so the others still run.
 */
export async function manifestShares(options: ShareLaunchOptions): Promise<ManifestShares> {
  const machine = await openMachine(options.host);
  const opened = await openManifest(machine, { manifest: options.manifest, which: "user", required: false });
  const idleMinutes = opened.loaded.manifest.bridge?.idleMinutes ?? DEFAULT_IDLE_MINUTES;
  const allowOrigins = opened.loaded.manifest.bridge?.allowOrigins ?? [];
  const manifest = opened.loaded.manifest;
  const shared = Object.entries(manifest.servers).filter(([, s]) => s.share && !s.disabled);
  // Read with the manifest, on every reload: `tools --approve` and sync reload the gateway after.
  const pins = await loadPins(machine.paths.pins);
  if (shared.length === 0 && !manifest.toolSearch)
    return { launches: [], failed: [], idleMinutes, allowOrigins, pins };
  // A home whose servers hold no key is not asked for its keys: no keychain opened (its library, its
  // D-Bus connection; from WSL, a powershell.exe) at each start and reload of a bridge that needs none.
  const noKeys = !Object.values(manifest.servers).some((s) => referencesOf(s, "secret").length > 0);
  const here = await loadContext(
    machine,
    { opened, envs: [], clients: [], limitTo: [machine.local.id], targets: "none", noKeys },
    silentProgress,
  ).catch((error: unknown) => {
    // No server starts without its key: each waits, said, and the gateway reads again.
    if (!(error instanceof OperationError && error.code === "keychain-unavailable")) throw error;
    return error.message;
  });
  if (typeof here === "string") {
    // 5 s, doubling to 5 min: a keychain unlocked at logon is used soon, a locked one not polled hard.
    // MCP_TWIN_KEYCHAIN_RETRY_MS (tests only) sets every wait, so a test does not wait 5 s and more.
    const wait = Number(getEnv(machine.host.env, "MCP_TWIN_KEYCHAIN_RETRY_MS"));
    keychainWaitMs = wait > 0 ? wait : Math.min(300_000, keychainWaitMs * 2 || 5_000);
    const error = `${here} Waiting for it: the keys are read again in ${keychainWaitMs / 1000} s.`;
    const failed = shared.map(([name, spec]) => ({ name, mode: shareModeOf(spec), error }));
    return { launches: [], failed, idleMinutes, allowOrigins, pins, retryInMs: keychainWaitMs };
  }
  keychainWaitMs = 0;
  const result: ManifestShares = { launches: [], failed: [], idleMinutes, allowOrigins, pins };
  const tryLaunch = async (
    name: string,
    mode: ShareMode,
    into: Pick<ManifestShares, "launches" | "failed">,
  ) => {
    try {
      into.launches.push({ ...(await launchOf(name, here, machine, options)), mode });
    } catch (error) {
      // Said to every client of it and by status, with what to do; a secret set, sync has the
      // running bridge read the secrets again (a reload).
      const hint = !(error instanceof UsageError && error.hint)
        ? ""
        : error.code === "unresolved"
          ? ` ${error.hint.replace(/\.$/, "")}; then run \`mcp-twin sync\`.`
          : ` ${error.hint}`;
      into.failed.push({
        name,
        mode,
        error: `${error instanceof Error ? error.message : String(error)}${hint}`,
      });
    }
  };
  for (const [name, spec] of shared) await tryLaunch(name, shareModeOf(spec), result);
  if (manifest.toolSearch) {
    // As sync decides which servers stand behind each client's `tools` entry (entries/desired.ts).
    const env = here.allEnvs.find((e) => e.local) ?? machine.local;
    const servers = Object.entries(manifest.servers);
    const clients = manifest.toolSearch.clients.map((client) => ({
      client,
      servers: serversBehindTools(servers, client, (s) => !cannotHost(s, env)),
    }));
    const search: ToolSearchShares = {
      clients,
      keep: manifest.toolSearch.keep ?? [],
      launches: [],
      failed: [],
    };
    const own = new Set(clients.flatMap((c) => c.servers).filter((n) => !manifest.servers[n]?.share));
    for (const name of own) await tryLaunch(name, "session", search);
    result.toolSearch = search;
  }
  return result;
}

/** The manifest, trusted to run `names`, with the secrets and this environment as sync reads them. */
async function readHere(machine: Machine, manifest: string | undefined, names: readonly string[]) {
  const opened = await openManifest(machine, { manifest });
  // sync's rule: a project manifest's server that runs a program runs only once trusted.
  if (opened.located.scope === "project") await requireTrust(machine, opened.loaded, names);
  return loadContext(
    machine,
    { opened, envs: [], clients: [], limitTo: [machine.local.id], targets: "none" },
    silentProgress,
  );
}

/**
 * What a launch is read from: a context as sync loads it. `commandsHere`: no environment looked at
 * yet (sync's direct lists, commands only): a command runs here as written.
 */
type Here = Pick<Awaited<ReturnType<typeof loadContext>>, "manifest" | "secrets" | "loaded" | "allEnvs"> & {
  commandsHere?: true;
};

/** One manifest server's launch in this environment; a UsageError says why it cannot start. */
async function launchOf(
  name: string,
  here: Here,
  machine: Machine,
  options: ShareLaunchOptions,
): Promise<ShareLaunch> {
  const { host } = options;
  const { manifest, secrets } = here;
  const file = here.loaded.file;
  // A name from the command line: only a server the manifest holds, never an Object member.
  const spec = own(manifest.servers, name);
  if (!spec)
    throw unknownName({
      code: "unknown-server",
      given: "--share",
      name,
      isNot: `not a server in ${machine.shown(file)}`,
      knownAs: "Servers there",
      known: Object.keys(manifest.servers),
    });
  const envId = machine.local.id;
  // As sync writes it for this environment: every matching override, the most specific last.
  const run = serverIn(spec, envId);
  const missing = new Map<string, string>();
  const secretValues = new Set<string>();
  const resolve = (text: string) => {
    const r = resolveString(text, { secrets, env: host.env });
    // Each with how to set it where the bridge reads it: a secret is stored (secrets.json); an env
    // reference is read from the bridge's own environment, which a variable exported in a shell
    // later never reaches (the start at logon has none of it), so it is made a stored secret.
    for (const m of r.missing)
      missing.set(
        `${m.kind} ${m.name}`,
        m.kind === "secret"
          ? `\`mcp-twin secret set ${m.name}\``
          : `\`mcp-twin secret set ${m.name}\` and \`\${secret:${m.name}}\` in place of \`\${env:${m.name}}\` (the bridge's environment has no ${m.name})`,
      );
    options.addSecrets(r.secretValues);
    for (const v of r.secretValues) secretValues.add(v);
    return r.text;
  };
  const unresolved = () =>
    new UsageError("unresolved", `servers.${name} needs ${[...missing.keys()].join(", ")}.`, {
      hint: `Set ${missing.size === 1 ? "it" : "them"}: ${[...missing.values()].join(", ")}.`,
    });
  if (run.url !== undefined) {
    const remote = remoteLaunch(name, spec, { ...run, url: run.url }, resolve, secretValues);
    if (missing.size > 0) throw unresolved();
    return { ...remote, toolRules: shareToolRules(name, spec, here.loaded) };
  }
  const args = run.args.map(resolve);
  const env = Object.fromEntries(Object.entries(run.env).map(([k, v]) => [k, resolve(v)]));
  // Started as every user-level entry starts it in this environment (entries/target-entry.ts's one rule).
  const local = here.allEnvs.find((e) => e.local);
  const pkg =
    spec.package && local
      ? await (await import("../packages/npm-prefix.js")).readInstalledPackage(
          local,
          splitSpec(spec.package).name,
        )
      : undefined;
  const started =
    local || (here.commandsHere && !spec.package)
      ? launchIn(spec, run, local, () => pkg, args, env)
      : ({ ok: false, reason: `${envId} is not usable here` } as const);
  if (!started.ok)
    throw new UsageError("share-not-installed", `${started.reason}.`, {
      // sync installs a package where a client runs it, or into an environment --env names.
      ...(spec.package && !pkg
        ? {
            hint: `Run \`mcp-twin sync --env ${envId}\` first: naming the environment installs the manifest's packages there, whether a client runs there or not.`,
          }
        : {}),
    });
  if (missing.size > 0) throw unresolved();
  // A package's bin runs as `<this environment's node> <script>`: V8's memory flags go before the
  // script (a `command` server runs as written).
  const node = spec.package && local?.node?.path === started.launch.command ? local.node : undefined;
  const toolRules = shareToolRules(name, spec, here.loaded);
  const program = spec.command
    ? await installedProgram(spec.command, getEnv(host.env, "PATH"), host.platform)
    : undefined;
  return {
    name,
    mode: shareModeOf(spec),
    command: started.launch.command,
    args: [...(node ? sharedNodeFlags(node.version) : []), ...started.launch.args],
    env,
    ...(secretValues.size > 0 ? { secrets: [...secretValues] } : {}),
    identity: {
      ...(pkg ? { package: `${pkg.name}@${pkg.version}` } : {}),
      command: spec.command ?? `${spec.package ?? ""}${spec.bin ? ` ${spec.bin}` : ""}`,
      args: run.args,
      envNames: Object.keys(run.env),
    },
    ...(program !== undefined ? { program } : {}),
    ...(toolRules ? { toolRules } : {}),
  };
}

/**
 * A url server's launch: no process, the gateway's connection to it (core/remote-upstream), with
 * its url and headers resolved — its key goes no further than the bridge. What changes its lists
 * (`identity`) is its url as the manifest writes it and its headers' names, never a value.
 */
function remoteLaunch(
  name: string,
  spec: ServerSpec,
  run: { url: string; headers: Record<string, string> },
  resolve: (text: string) => string,
  secretValues: Set<string>,
): ShareLaunch {
  const url = resolve(run.url);
  const headers = Object.fromEntries(Object.entries(run.headers).map(([k, v]) => [k, resolve(v)]));
  // A header whose name says it is a credential is masked whole (`Bearer <key>`), as its key is.
  for (const [k, v] of Object.entries(headers)) if (isSecretName(k) && v.length >= 4) secretValues.add(v);
  const referenced = specFields(spec).flatMap((f) =>
    f.part === "url" || f.part === "headers" ? f.references : [],
  );
  const keys = [...new Set(referenced.filter((r) => r.kind === "secret").map((r) => r.name))];
  const secrets = [...secretValues];
  return {
    name,
    mode: shareModeOf(spec),
    command: "",
    args: [],
    env: {},
    remote: { name, url, transport: spec.transport ?? "http", headers, secrets, keys },
    ...(secrets.length > 0 ? { secrets } : {}),
    identity: { command: run.url, args: [], envNames: Object.keys(run.headers) },
  };
}

/**
 * A project manifest (./mcp-twin.jsonc of a cloned repo) is someone else's: its servers that run
 * programs are shared only after the user trusted this very text — as sync asks before its first
 * sync. serve never asks (a client starts it, with no one at a terminal).
 */
async function requireTrust(
  machine: Machine,
  loaded: LoadedManifest,
  names: readonly string[],
): Promise<void> {
  const programs = programServers(loaded.manifest).filter((p) => names.includes(p.server));
  if (!needsTrust(programs)) return;
  if (isTrusted(await loadState(machine.paths.state), loaded.file, loaded.text ?? "")) return;
  throw new UsageError(
    "untrusted-manifest",
    `${machine.shown(loaded.file)}: this project's manifest is not trusted, and sharing ${programs.map((p) => `${p.server} would run ${p.runs}`).join("; ")}. Nothing was started.`,
    {
      location: { file: loaded.file },
      hint: "Read the file. If you trust it, run `mcp-twin sync` in that folder: it shows the programs and asks (`--yes` trusts), and the trust is kept for this version of the file.",
    },
  );
}
