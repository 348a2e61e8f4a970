/**
 * `mcp-twin bridge status|start|stop|restart`: the bridge at the manifest's settings (settings.ts),
 * managed through lifecycle.ts, reported as one value the command prints (or emits as JSON).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { bridgeFilesThere, bridgeHomeIn, heldWords } from "../bridge-link/index.js";
import type { Machine } from "../environments/machine.js";
import { ExitCode, formatLocation, OperationError, UsageError, UsageErrors } from "../errors.js";
import type { State } from "../ledger/state.js";
import { loadManifest } from "../manifest/load.js";
import { own } from "../plain-records.js";
import {
  ensureBridge,
  inspectBridge,
  type LifecycleContext,
  localLifecycle,
  restartBridge,
  type Stopped,
  stopBridge,
} from "./lifecycle.js";
import { bridgePlace } from "./placement.js";
import { choosePortHere, freePortNear, heldPortSentence, localHolder } from "./port-choice.js";
import { type BridgeSettings, loadBridgeSettings } from "./settings.js";

export type BridgeAction = "status" | "start" | "stop" | "restart";
export const BRIDGE_ACTIONS: readonly BridgeAction[] = ["status", "start", "stop", "restart"];

export interface BridgeControlReport {
  action: BridgeAction;
  /** running: this home's bridge answers at the settings' address. */
  state: "running" | "stopped" | "elsewhere" | "unresponsive" | "taken";
  /**
   * shares: how many servers the manifest shares (the gateway runs for them whatever `enabled` says).
   * pinned: the manifest sets the port; otherwise it is the one the home keeps, in `portFile`
   * (recorded: the home has chosen one; else none yet, and the first start tries `port`).
   * inManifest: the keys of where it runs that the manifest's `bridge` section sets.
   */
  settings: {
    host: string;
    port: number;
    url: string;
    manifest: string;
    enabled: boolean;
    shares?: number;
    pinned?: boolean;
    portFile?: string;
    recorded?: boolean;
    inManifest?: string[];
  };
  /** This start moved the gateway off a port another program holds (recorded in `settings.portFile`). */
  moved?: { from: number; to: number; what: string };
  /**
   * It runs, but url entries mcp-twin wrote name another port (it moved since they were written):
   * each such port, the configs that name it, and what holds that port now (none: nothing).
   */
  oldPorts?: Array<{ port: number; configs: string[]; heldBy?: string }>;
  /** Client configs that hold its entry, by state (undefined: state unread); none: nothing starts it. */
  entries?: number;
  /** How many shared servers have entries in client configs (state's records): they need the bridge running. */
  sharedServers?: number;
  /** Configs state records its entry in that do not parse (as the user's system shows them). */
  unreadable?: string[];
  stateDir: string;
  log: string;
  url?: string;
  pid?: number;
  version?: string;
  startedAt?: string;
  uptimeSeconds?: number;
  clients?: unknown;
  plugins?: unknown;
  shares?: unknown;
  started?: boolean;
  /** The bridge stopped (none: it was not running), and what would have started it again, ended. */
  stopped?: Stopped;
  /** taken: what holds the port, and the fix. */
  what?: string;
  fix?: string;
}

/** `bridge stop` with a manifest that cannot be read (a stop needs only the state folder): its problems. */
export interface UnreadManifestStop extends Pick<BridgeControlReport, "stateDir" | "log" | "stopped"> {
  action: "stop";
  state: "stopped";
  environment: string;
  manifestUnread: { file: string; problems: string[] };
}

/** `--manifest`, and where the lifecycle's lines go. */
type ControlOptions = { manifest?: string | undefined; log: (line: string) => void };

const manifestFile = (machine: Machine, option: string | undefined) =>
  option ? path.resolve(machine.host.cwd, option) : machine.paths.manifest;

/** The bridge at the manifest's settings, `action` done (in WSL when it lives there: bridgeElsewhere). */
export async function controlBridge(
  machine: Machine,
  action: BridgeAction,
  options: ControlOptions,
): Promise<BridgeControlReport & { environment: string }> {
  const there = await bridgeElsewhere(machine, options.manifest);
  if (there) return (await there.json(["bridge", action])) as BridgeControlReport & { environment: string };
  return { environment: machine.local.id, ...(await controlHere(machine, action, options)) };
}

/**
 * On Windows with the bridge in WSL: `mcp-twin <args> --json` run there through `wsl.exe`, its
 * document read back (an error document thrown as the same error here).
 */
export async function bridgeElsewhere(
  machine: Machine,
  manifestOption: string | undefined,
): Promise<{ env: string; json(args: readonly string[]): Promise<unknown> } | undefined> {
  if (machine.local.kind !== "windows") return undefined;
  const file = manifestFile(machine, manifestOption);
  const { manifest } = await loadManifest(file, { cacheDir: machine.paths.cache });
  const { detectEnvironments } = await import("../environments/detect.js");
  const { environments } = await detectEnvironments(machine);
  // Where it lives is the same rule as for the entries sync writes, enabled or not.
  const place = bridgePlace(manifest, environments, machine.host.self);
  if (!place || place.env.local) return undefined;
  const { env, program } = place;
  return {
    env: env.id,
    async json(args) {
      if (!program)
        throw new OperationError(
          "bridge-elsewhere",
          `The bridge lives in ${env.id}: ${place.reason ?? "mcp-twin is not installed there"}.`,
        );
      const r = await env.exec(program.node, [program.script, ...args, "--json"], { timeoutMs: 60_000 });
      let answer: unknown;
      try {
        answer = JSON.parse(r.stdout.toString("utf8"));
      } catch {
        throw new OperationError(
          "bridge-elsewhere",
          `\`mcp-twin ${args.join(" ")}\` in ${env.id} failed (exit code ${r.exitCode ?? "?"}): ${r.stderr.toString("utf8").trim().slice(-300)}`,
        );
      }
      const error = (answer as { errors?: Array<{ code?: unknown; message?: unknown; hint?: unknown }> })
        .errors?.[0];
      if (r.exitCode === ExitCode.usage && error && typeof error.message === "string")
        throw new UsageError(
          typeof error.code === "string" ? error.code : "usage",
          error.message,
          typeof error.hint === "string" ? { hint: error.hint } : {},
        );
      return answer;
    },
  };
}

async function controlHere(machine: Machine, action: BridgeAction, options: ControlOptions) {
  let settings = await loadBridgeSettings(machine.host, options.manifest);
  const { pinned } = settings;
  const lifecycle = {
    ...localLifecycle(machine.host, options.log),
    manifest: machine.shown(settings.source),
    pinned,
  };
  // The port the home keeps: chosen free on the first start, moved off one another program holds.
  let moved: BridgeControlReport["moved"];
  if (action === "start" || action === "restart") {
    const chosen = await choosePortHere(lifecycle, settings, machine.paths.bridge);
    settings = chosen.settings;
    if (chosen.choice.moved) moved = { ...chosen.choice.moved, to: chosen.choice.port };
  }
  const want = { host: settings.host, port: settings.port };
  let stopped: BridgeControlReport["stopped"];
  let started: boolean | undefined;
  if (action === "stop") stopped = await stopBridge(lifecycle);
  if (action === "restart") {
    const r = await restartBridge(lifecycle, want);
    stopped = r.stopped;
    started = r.started;
  }
  if (action === "start") started = (await ensureBridge(lifecycle, want)).started;
  // A bridge this run started has no details to tell yet; its pid is in its record.
  const described = await describeBridge(lifecycle, settings, action, started !== true);
  const { loadState } = await import("../ledger/state.js");
  // What the client configs hold, by state: nothing is said of them when it does not load.
  const state = await loadState(machine.paths.state).catch(() => undefined);
  const { bridgeEntriesInFiles } = await import("./bridge-entries.js");
  // Nor of the entries when their files cannot be judged.
  const entries = state && (await bridgeEntriesInFiles(machine, state).catch(() => undefined));
  const oldPorts =
    state && described.url ? await entriesElsewhere(machine, lifecycle, state, described.url) : [];
  // The manifest's shared servers with an entry mcp-twin wrote need the bridge running.
  const records = Object.values(state?.targets ?? {});
  const sharedServers = (settings.shared ?? []).filter((n) =>
    records.some((r) => own(r.entries, n) !== undefined),
  ).length;
  return {
    ...described,
    ...(oldPorts.length > 0 ? { oldPorts } : {}),
    ...(entries !== undefined ? { entries: entries.holders.length } : {}),
    ...(sharedServers ? { sharedServers } : {}),
    ...(entries && entries.unreadable.length > 0 ? { unreadable: entries.unreadable } : {}),
    ...(started !== undefined ? { started } : {}),
    ...(stopped ? { stopped } : {}),
    ...(moved ? { moved } : {}),
  };
}

/**
 * `bridge stop`, whatever the manifest holds: unread, this home's bridge and its keepers are stopped
 * from the state folder alone (here, and on Windows in each WSL distro that holds one).
 */
export async function stopAnyway(
  machine: Machine,
  options: ControlOptions,
): Promise<(BridgeControlReport & { environment: string }) | UnreadManifestStop> {
  try {
    return await controlBridge(machine, "stop", options);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const lifecycle = localLifecycle(machine.host, options.log);
    const here = await stopBridge(lifecycle);
    const there = machine.local.kind === "windows" ? await stopInWsl(machine) : undefined;
    const local = { environment: machine.local.id, stateDir: lifecycle.files.dir, log: lifecycle.files.log };
    return {
      action: "stop",
      state: "stopped",
      ...(here || !there ? { ...local, ...(here ? { stopped: here } : {}) } : there),
      manifestUnread: manifestProblems(machine, error, options.manifest),
    };
  }
}

/** On Windows, the manifest unread: `bridge stop` in each WSL distro whose state holds a bridge. */
async function stopInWsl(
  machine: Machine,
): Promise<Pick<UnreadManifestStop, "environment" | "stateDir" | "log" | "stopped"> | undefined> {
  const { detectEnvironments } = await import("../environments/detect.js");
  const { mcpTwinIn } = await import("../environments/self-launch.js");
  const { environments } = await detectEnvironments(machine);
  let first: Awaited<ReturnType<typeof stopInWsl>>;
  for (const env of environments) {
    if (env.local || env.kind !== "wsl" || !env.usable || !env.home) continue;
    const there = bridgeFilesThere(env);
    const held = there !== undefined && [there.instance, there.keeper].some((file) => existsSync(file));
    const program = held ? mcpTwinIn(env, machine.host.self) : undefined;
    if (!program) continue;
    const argv = [program.script, "bridge", "stop", "--json"];
    const r = await env.exec(program.node, argv, { timeoutMs: 60_000 });
    try {
      const report = JSON.parse(r.stdout.toString("utf8")) as Partial<UnreadManifestStop>;
      const { stopped, stateDir = bridgeHomeIn(env.kind, env.vars, env.home), log = "" } = report;
      if (stopped && !first) first = { environment: env.id, stateDir, log, stopped };
    } catch {
      // It said nothing that can be read: nothing is claimed of it.
    }
  }
  return first;
}

/** A manifest's errors, each as `file:line:column: message` (the file as this machine shows it). */
function manifestProblems(machine: Machine, error: UsageError, manifestOption: string | undefined) {
  const list = error instanceof UsageErrors ? error.errors : [error];
  const problems = list.map((e) => {
    const where = formatLocation(e.location);
    return where && !e.message.startsWith(where) ? `${where}: ${e.message}` : e.message;
  });
  return { file: error.location.file ?? manifestFile(machine, manifestOption), problems };
}

/** The url entries that name another port than the running bridge's, and what holds each port. */
async function entriesElsewhere(
  machine: Machine,
  lifecycle: LifecycleContext,
  state: State,
  url: string,
): Promise<NonNullable<BridgeControlReport["oldPorts"]>> {
  try {
    const { urlEntriesElsewhere } = await import("./bridge-entries.js");
    const u = new URL(url);
    const found = await urlEntriesElsewhere(machine, state, Number(u.port));
    const heldBy = localHolder(lifecycle, u.hostname.replace(/^\[|\]$/g, ""));
    return Promise.all(
      found.map(async (f) => {
        const what = await heldBy(f.port);
        return { ...f, ...(what ? { heldBy: what } : {}) };
      }),
    );
  } catch {
    return [];
  }
}

async function describeBridge(
  lifecycle: LifecycleContext,
  settings: BridgeSettings,
  action: BridgeAction,
  askDetails = true,
): Promise<BridgeControlReport> {
  const { host, port, url, source: manifest, enabled, shared, pinned, recordFile, inManifest } = settings;
  const shares = shared?.length ? { shares: shared.length } : {};
  const portFile = recordFile ? { portFile: recordFile } : {};
  const recorded = settings.recorded !== undefined;
  const base = {
    action,
    settings: { host, port, url, manifest, enabled, ...shares, pinned, ...portFile, recorded, inManifest },
    stateDir: lifecycle.files.dir,
    log: lifecycle.files.log,
  };
  const state = await inspectBridge(lifecycle, { host, port });
  switch (state.state) {
    case "stopped":
      return { ...base, state: "stopped" };
    case "taken":
      return {
        ...base,
        state: "taken",
        what: heldWords(state.what, state.holder),
        fix: heldPortSentence(pinned, lifecycle.manifest ?? manifest, await freePortNear(host, port)),
      };
    case "unresponsive":
      return {
        ...base,
        state: "unresponsive",
        url: state.instance.url,
        pid: state.instance.pid,
        fix: "`mcp-twin bridge restart` (it stops the process, forcibly if need be).",
      };
    case "running":
    case "elsewhere": {
      const { bridge: said, shares } = state.status;
      const details = askDetails && typeof said?.pid === "number" ? said : undefined;
      const pid = typeof details?.pid === "number" ? details.pid : state.instance?.pid;
      return {
        ...base,
        state: state.state,
        url: state.url,
        ...(pid !== undefined ? { pid } : {}),
        version: state.version,
        ...(typeof details?.startedAt === "string" ? { startedAt: details.startedAt } : {}),
        ...(typeof details?.uptimeSeconds === "number" ? { uptimeSeconds: details.uptimeSeconds } : {}),
        ...(details ? { clients: details.clients, plugins: details.plugins, shares } : {}),
        ...(state.state === "elsewhere"
          ? { fix: "It runs with older settings: `mcp-twin bridge restart` (or `mcp-twin sync`) moves it." }
          : {}),
      };
    }
  }
}
