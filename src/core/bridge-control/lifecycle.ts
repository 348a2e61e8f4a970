/**
 * The bridge's lifecycle, one implementation for every caller (`bridge start|stop|restart|status`,
 * `connect`, stdio `serve`, sync): inspect what runs at the wanted address, ensure it runs, stop it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type BridgeFiles,
  bridgeFiles,
  bridgeHome,
  bridgeHomeIn,
  bridgeUrl,
  type ControlStatus,
  type InstanceInfo,
  isAlive,
  type KeeperInfo,
  ownedInstance,
  type PortHolder,
  portHeldBy,
  reach,
  readKeeper,
  removeInstance,
  SERVE_LOG_BYTES,
  writeKeeper,
} from "../bridge-link/index.js";
import { ExitCode, OperationError } from "../errors.js";
import {
  closeLog,
  makePrivateFolder,
  openLogForAppend,
  pathExists,
  removePath,
  writePrivateFile,
} from "../system/files.js";
import { type Host, sysPath } from "../system/host.js";
import type { Runner } from "../system/run.js";
import { keeperArgv, keptBy } from "./supervisor.js";

export interface BridgeAddress {
  host: string;
  /** 0: wherever the running (or started) bridge listens (tests). */
  port: number;
}

export interface LifecycleContext {
  files: BridgeFiles;
  /** How to run this mcp-twin (node + script), with what environment, through what runner. */
  host: Pick<LifecycleHost, "self" | "env" | "runner">;
  log: (line: string) => void;
  /** /proc, to name the process holding a port (Linux and WSL). */
  proc?: string;
  /** The manifest that sets the bridge's port (named in the fix for a port another program holds). */
  manifest?: string;
  /**
   * The manifest pins the port (`bridge.port`): the fix for a held one is a manifest edit. Otherwise
   * (false, or not known) sync moves it to a free one.
   */
  pinned?: boolean;
  /**
   * The bridge starts under its keeper, which holds its listening socket and starts it again after
   * a crash: no other program can take its port until it is stopped. true: the `sh` keeper given
   * the socket this start binds (supervisor.ts, POSIX); "node": the Node keeper that binds it and
   * hands each connection to the bridge (socket-keeper.ts, Windows).
   */
  supervise?: boolean | "node";
}

export type BridgeState =
  /** This home's bridge answers at the wanted address (`status`: what it says of itself). */
  | { state: "running"; url: string; instance: InstanceInfo | null; version: string; status: ControlStatus }
  /** This home's bridge answers, with other settings (an older port or host). */
  | { state: "elsewhere"; url: string; instance: InstanceInfo; version: string; status: ControlStatus }
  /** Its process lives and holds the state, but does not answer. */
  | { state: "unresponsive"; instance: InstanceInfo }
  /** Something else holds the wanted port. */
  | { state: "taken"; url: string; what: string; holder?: PortHolder }
  | { state: "stopped" };

/** How long a started bridge may take to answer. */
const START_TIMEOUT_MS = 15_000;

const sameAddress = (info: { host: string; port: number }, want: BridgeAddress) =>
  (want.port === 0 || info.port === want.port) &&
  info.host.replace(/^\[|\]$/g, "") === want.host.replace(/^\[|\]$/g, "");

/**
 * What runs at the wanted address: this home's bridge (proven to be it before its token is sent,
 * then it answers MCP with that token), this home's bridge elsewhere (other settings), nothing, or
 * something else (named, from an answer to a request without credentials).
 */
export async function inspectBridge(ctx: LifecycleContext, want: BridgeAddress): Promise<BridgeState> {
  const instance = (await ownedInstance(ctx.files)) ?? (await comingBack(ctx, want));
  // Its keeper holds the port, and no bridge came back on it: nothing would answer a probe.
  if (instance && "stuck" in instance) return { state: "unresponsive", instance: instance.stuck };
  if (instance) {
    // Its process is alive and holds the state: given 10 s to answer (a bridge just started at a busy
    // logon can take more than 3; MCP_TWIN_BRIDGE_ANSWER_TIMEOUT s if set), what else answers not asked.
    const ms = Number(ctx.host.env.MCP_TWIN_BRIDGE_ANSWER_TIMEOUT) * 1000;
    const probe = await reach(ctx.files, instance.url, { timeoutMs: ms > 0 ? ms : 10_000, describe: false });
    if (probe.state !== "ours") return { state: "unresponsive", instance };
    const state = sameAddress(instance, want) ? "running" : "elsewhere";
    return { state, url: instance.url, instance, version: probe.version, status: probe.status };
  }
  if (want.port === 0) return { state: "stopped" };
  const url = bridgeUrl(want.host, want.port);
  const probe = await reach(ctx.files, url, { proc: ctx.proc });
  if (probe.state === "free") return { state: "stopped" };
  if (probe.state === "ours")
    return { state: "running", url, instance: null, version: probe.version, status: probe.status };
  return { ...probe, state: "taken", url };
}

/**
 * The bridge this home's keeper is starting again (it crashed, or a restart is under way): its
 * keeper holds the wanted port, so its serve.json is waited for, a few seconds (a start takes one
 * or two, after a pause of up to 5); null when no keeper of this home holds that port. A keeper
 * whose bridge does not come back (it fails at each start) is said as its process, unresponsive.
 */
async function comingBack(
  ctx: LifecycleContext,
  want: BridgeAddress,
): Promise<InstanceInfo | { stuck: InstanceInfo } | null> {
  const keeper = await liveKeeper(ctx.files);
  if (!keeper || !sameAddress(keeper, want)) return null;
  const back = await waitForOwned(ctx, 8000);
  if (back) return back;
  const { pid, host, port } = keeper;
  return { stuck: { pid, host, port, url: bridgeUrl(host, port), version: "?", startedAt: "" } };
}

/** The keeper keeper.json names, when it runs and (where /proc tells) keeps this home's bridge. */
async function liveKeeper(files: BridgeFiles): Promise<KeeperInfo | null> {
  const keeper = await readKeeper(files);
  return keeper && isAlive(keeper.pid) && keeps(keeper.pid, files) !== false ? keeper : null;
}

/** Whether process `pid` keeps this home's bridge, by its command line (undefined: not readable). */
function keeps(pid: number, files: BridgeFiles): boolean | undefined {
  const argv = commandLine(pid);
  return argv && keptBy(argv, () => stateOf(pid)) === files.dir;
}

/** A process's command line (argv) from the real /proc; undefined where it cannot be read (macOS). */
function commandLine(pid: number): string[] | undefined {
  // On Windows `/proc` is a folder of the current drive (under wine, Linux's own): no process's.
  if (process.platform === "win32") return undefined;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return undefined;
  }
}

/** The bridge state folder a process's environment names (the Node keeper's). */
function stateOf(pid: number): string | undefined {
  try {
    const env: Record<string, string> = {};
    // Each entry is NAME=value; the list ends with an empty one, which names nothing.
    for (const pair of readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")) {
      const eq = pair.indexOf("=");
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return env.MCP_TWIN_BRIDGE_HOME || (env.HOME ? bridgeHomeIn("linux", env, env.HOME) : undefined);
  } catch {
    return undefined;
  }
}

/**
 * Every process that would start this home's bridge again — its keeper, `sh` or Node — as the real
 * /proc shows them (none elsewhere: there a keeper ends on `stop-requested`).
 */
export function keepersOf(files: BridgeFiles): number[] {
  if (process.platform === "win32") return [];
  try {
    const pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
    return pids.map(Number).filter((pid) => keeps(pid, files));
  } catch {
    return [];
  }
}

/**
 * The error for a port something else holds: what it is, and the fix that works (starting the
 * bridge again would fail the same way) — a sync, which moves the gateway to a free port; for a
 * port the manifest pins, another port, named free now, set in the manifest.
 */
export async function portTakenError(
  state: Extract<BridgeState, { state: "taken" }>,
  port: number,
  manifest = USER_MANIFEST,
  pinned = false,
): Promise<OperationError> {
  // Loaded only for the error: a start that finds the port free never needs it.
  const { freePortNear, heldPortSentence } = await import("./port-choice.js");
  const free = await freePortNear(new URL(state.url).hostname.replace(/^\[|\]$/g, ""), port);
  return new OperationError("port-taken", `${portHeldBy(port, state.what, state.holder, true)}.`, {
    hint: `${heldPortSentence(pinned, manifest, free)} (Or stop that program, if it is yours.)`,
  });
}

/** Where the bridge's port is set, when the caller does not know the manifest's path. */
const USER_MANIFEST = "your user-level manifest (mcp-twin.jsonc in the mcp-twin home)";

export interface Ensured {
  url: string;
  port: number;
  started: boolean;
  /** A running bridge was stopped first (it ran with other settings, or hung). */
  restarted: boolean;
}

/**
 * This home's bridge at `want`, started when none answers. A bridge of this home running with other
 * settings is restarted with these — or, with `follow` (a relay whose entry predates a port
 * change), reached where it is.
 * It starts detached, through the process runner; the state lock makes one of several starters win.
 */
export async function ensureBridge(
  ctx: LifecycleContext,
  want: BridgeAddress,
  options: { follow?: boolean } = {},
): Promise<Ensured> {
  const state = await inspectBridge(ctx, want);
  let restarted = false;
  switch (state.state) {
    case "running":
      return { url: state.url, port: state.instance?.port ?? want.port, started: false, restarted };
    case "elsewhere":
      if (options.follow) {
        ctx.log(
          `the bridge runs at ${state.url}, not on port ${want.port} (this entry predates a settings change): relaying there; restart the client to load the entry sync wrote`,
        );
        return { url: state.url, port: state.instance.port, started: false, restarted };
      }
      ctx.log(`the bridge runs at ${state.url}; restarting it on ${want.host}:${want.port}`);
      await stopBridge(ctx);
      restarted = true;
      break;
    case "unresponsive":
      ctx.log(`the bridge (pid ${state.instance.pid}) does not answer; restarting it`);
      await stopBridge(ctx, { graceMs: 2000 });
      restarted = true;
      break;
    case "taken":
      throw await portTakenError(state, want.port, ctx.manifest, ctx.pinned);
    case "stopped":
      break;
  }
  const started = await startBridge(ctx, want);
  return { ...started, started: !started.raced, restarted };
}

type Started = { url: string; port: number; raced: boolean };
type Child = ReturnType<Runner["detach"]>;

/** Start `serve --http` detached and wait until it answers (or another starter's bridge does). */
async function startBridge(ctx: LifecycleContext, want: BridgeAddress): Promise<Started> {
  ctx.log(
    `no bridge answers${want.port ? ` on ${want.host}:${want.port}` : ""}; starting one (log: ${ctx.files.log})`,
  );
  await makePrivateFolder(ctx.files.dir);
  // A stop asked before is done with: this start is asked now.
  await removePath(ctx.files.stopRequested);
  const logFd = openLogForAppend(ctx.files.log, SERVE_LOG_BYTES);
  // No log yet: what this start writes begins at 0.
  const logStart = (await stat(ctx.files.log).catch(() => undefined))?.size ?? 0;
  let child: Child;
  let socket: net.Server | null | undefined;
  try {
    socket = ctx.supervise === true ? await listenOn(want) : undefined;
    if (socket === null) return await raced(ctx, want, logStart);
    child = startUnder(ctx, want, socket, logFd);
    if (socket && child.pid)
      await writeKeeper(ctx.files, {
        pid: child.pid,
        host: want.host,
        port: boundPort(socket),
        script: ctx.host.self.script,
      });
  } finally {
    closeLog(logFd);
    // The keeper holds it now: this process lets its own copy go.
    socket?.close();
  }
  return await answered(ctx, want, child, logStart);
}

/** `serve --http` detached: under its keeper, on `socket`, where one was bound; else on its own. */
function startUnder(
  ctx: LifecycleContext,
  want: BridgeAddress,
  socket: net.Server | undefined,
  logFd: number,
): Child {
  const port = socket ? boundPort(socket) : want.port;
  const serve = [ctx.host.self.script, "serve", "--http", "--port", String(port), "--host", want.host];
  // The Node keeper binds the port itself, and writes keeper.json.
  if (ctx.supervise === "node") serve.push("--keep");
  const fd = socket ? socketFd(socket) : undefined;
  const [file, args] =
    fd !== undefined
      ? keeperArgv(ctx.files.dir, [ctx.host.self.node, ...serve, "--listen-fd", "3"])
      : [ctx.host.self.node, serve];
  return ctx.host.runner.detach(file, args, {
    env: { ...ctx.host.env, NO_COLOR: "1" },
    logFd,
    ...(fd !== undefined ? { listenFd: fd } : {}),
  });
}

/** Wait until the bridge `child` started (or another starter's) answers; why it did not, else. */
async function answered(
  ctx: LifecycleContext,
  want: BridgeAddress,
  child: Child,
  logStart: number,
): Promise<Started> {
  let exited: number | null | undefined;
  void child.exited.then((code) => {
    exited = code;
  });
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await sleep(50);
    const info = await ownedInstance(ctx.files);
    if (info && (await reach(ctx.files, info.url, { timeoutMs: 2000 })).state === "ours") {
      if (!sameAddress(info, want))
        throw new OperationError(
          "bridge-elsewhere",
          `Another start put the bridge on ${info.url}, not ${want.host}:${want.port}.`,
          { hint: "Run `mcp-twin bridge restart` to move it to the manifest's settings." },
        );
      const ours = info.pid === child.pid || (info.keeper !== undefined && info.keeper === child.pid);
      return { url: info.url, port: info.port, raced: !ours };
    }
    if (exited !== undefined && !info) {
      // This start removed stop-requested before it began: there now, a stop was asked meanwhile,
      // which ends another starter's bridge too (a later start would have removed it again).
      const stopped = await pathExists(ctx.files.stopRequested);
      // Lost the race to another starter? Its serve.json appears shortly (a keeper that found
      // another keeper of this home on the port, exit 3: once that one's bridge has started).
      const other = stopped
        ? null
        : await waitForOwned(ctx, exited === ExitCode.bridgeRunning ? deadline - Date.now() : 3000);
      if (other && sameAddress(other, want)) return { url: other.url, port: other.port, raced: true };
      const why = await logTail(ctx.files.log, logStart);
      throw startFailed(
        ctx,
        stopped
          ? "The bridge was stopped while it started: `mcp-twin bridge stop` (or uninstall) was run meanwhile."
          : exited === ExitCode.ok
            ? `The bridge was stopped (exit code 0) before it answered${why ? `: ${why}` : "."}`
            : `The bridge did not start (exit code ${exited ?? "?"})${why ? `: ${why}` : "."}`,
      );
    }
  }
  // Nothing left behind trying: the keeper (the sh one: its process group) ends with the start
  // that failed.
  if (ctx.supervise && exited === undefined && child.pid)
    signal(ctx.supervise === "node" ? child.pid : -child.pid, "SIGTERM");
  throw startFailed(ctx, "The bridge did not answer in time after starting.");
}

/** A start that failed: why, and where its log is. */
const startFailed = (ctx: LifecycleContext, message: string) =>
  new OperationError("bridge-start", message, { hint: `Its log: ${ctx.files.log}.` });

/**
 * The bridge's listening socket, bound here for its keeper; null when the port is taken meanwhile
 * (another start of this home won the race, or another program took it: `raced` tells which).
 */
function listenOn(want: BridgeAddress): Promise<net.Server | null> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (error: NodeJS.ErrnoException) =>
      error.code === "EADDRINUSE" ? resolve(null) : reject(error),
    );
    server.listen({ port: want.port, host: want.host.replace(/^\[|\]$/g, "") }, () => resolve(server));
  });
}

const boundPort = (server: net.Server): number => {
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
};

/** The socket's file descriptor, to hand to the keeper (POSIX; undefined where there is none). */
function socketFd(server: net.Server): number | undefined {
  const handle: unknown = Reflect.get(server, "_handle");
  const fd: unknown = typeof handle === "object" && handle !== null ? Reflect.get(handle, "fd") : undefined;
  return typeof fd === "number" && fd > 2 ? fd : undefined;
}

/** The port was taken between the look and the bind: this home's bridge another start began, or not. */
async function raced(ctx: LifecycleContext, want: BridgeAddress, logStart: number): Promise<Started> {
  const other = await waitForOwned(ctx, START_TIMEOUT_MS);
  if (other && sameAddress(other, want)) return { url: other.url, port: other.port, raced: true };
  const state = await inspectBridge(ctx, want);
  if (state.state === "taken") throw await portTakenError(state, want.port, ctx.manifest, ctx.pinned);
  const why = await logTail(ctx.files.log, logStart);
  throw startFailed(
    ctx,
    `The bridge did not start: port ${want.port} was taken meanwhile${why ? ` (${why})` : ""}.`,
  );
}

/** This home's bridge's record, once it has one (within `ms`). */
const waitForOwned = (ctx: Pick<LifecycleContext, "files">, ms: number) =>
  poll(ms, () => ownedInstance(ctx.files));

/** The first value `probe` gives within `ms` (asked at once, then every `every` ms); undefined: none. */
async function poll<T>(
  ms: number,
  probe: () => Promise<T | null | undefined>,
  every = 50,
): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await probe();
    if (found) return found;
    if (Date.now() >= deadline) return undefined;
    await sleep(every);
  }
}

/** The last meaningful line the bridge wrote to its log since `from`. */
async function logTail(file: string, from: number): Promise<string> {
  // No log yet: no line to quote.
  const text = await readFile(file, "utf8").catch(() => "");
  return text
    .slice(from)
    .trim()
    .split(/\s*\n\s*/)
    .filter(Boolean)
    .slice(-2)
    .join(" ")
    .slice(0, 400);
}

/** What a stop ended (a stop that ended nothing: undefined). */
export interface Stopped {
  /** The bridge's (none: no bridge ran, only what would have started one again). */
  pid?: number;
  /** It did not end on SIGTERM in time and was killed. */
  forced: boolean;
  /** The processes that would have started it again (its keeper), ended. */
  loops?: number[];
}

const signal = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
};

/**
 * Stop this home's bridge and everything that would start it again, whatever state each is in (a
 * bridge running, crashed, failing at each start; a keeper in its pause): `stop-requested` first,
 * which a keeper reads before each start; then each keeper /proc shows (Linux); then the bridge — only the pid in serve.json that
 * holds the state lock: SIGTERM, then SIGKILL after a grace period.
 */
export async function stopBridge(
  ctx: Pick<LifecycleContext, "files">,
  options: { graceMs?: number } = {},
): Promise<Stopped | undefined> {
  const info = await ownedInstance(ctx.files);
  const loops = keepersOf(ctx.files);
  // The keeper the bridge names where /proc cannot be searched: its own parent, from its own record.
  if (info?.keeper && !loops.includes(info.keeper) && commandLine(info.keeper) === undefined)
    loops.push(info.keeper);
  const keeper = await readKeeper(ctx.files);
  // Where /proc cannot prove keeper.json's pid is this home's keeper (Windows: its bridge down, in
  // its pause or failing), it is not signalled: it ends when it sees stop-requested, and is waited for.
  const told =
    !info &&
    keeper &&
    !loops.includes(keeper.pid) &&
    isAlive(keeper.pid) &&
    commandLine(keeper.pid) === undefined
      ? keeper.pid
      : undefined;
  if (!info && loops.length === 0 && told === undefined) {
    if (keeper && !isAlive(keeper.pid)) await removePath(ctx.files.keeper);
    return undefined;
  }
  const graceMs = options.graceMs ?? 5000;
  // Best effort: the signals below still end the bridge and its loops.
  await writePrivateFile(ctx.files.stopRequested, `${info?.pid ?? ""}\n`).catch(() => {});
  for (const loop of loops) signal(loop, "SIGTERM");
  const forced = info ? await endBridge(ctx.files, info, graceMs) : false;
  // What a keeper left (its sleep, a start under way that holds the socket too), in its group.
  if (process.platform !== "win32") for (const loop of loops) signal(-loop, "SIGTERM");
  await groupsGone(loops, graceMs);
  const loopsEnded = told !== undefined && (await pidGone(told, graceMs)) ? [...loops, told] : loops;
  if (keeper && (loopsEnded.includes(keeper.pid) || !isAlive(keeper.pid))) await removePath(ctx.files.keeper);
  if (!info && loopsEnded.length === 0) return undefined;
  return { ...(info ? { pid: info.pid } : {}), forced, ...(loopsEnded.length ? { loops: loopsEnded } : {}) };
}

/**
 * Wait until no process is left in the keepers' process groups (one of them holds the socket until
 * it ends, so the port is free only then); SIGKILL what is left after `ms`. Windows has no process
 * groups: there each keeper itself (the Node keeper, which alone holds the socket).
 */
async function groupsGone(groups: readonly number[], ms: number): Promise<void> {
  // The keeper itself too: one started by another program may lead no group of its own.
  const left = () => groups.filter((g) => isAlive(g) || (process.platform !== "win32" && isAlive(-g)));
  if (await within(ms, () => left().length === 0)) return;
  for (const g of left())
    for (const id of process.platform === "win32" ? [g] : [-g, g]) signal(id, "SIGKILL");
  await within(2000, () => left().length === 0);
}

/** Whether `done()` holds within `ms` (asked every 25 ms). */
const within = (ms: number, done: () => boolean) =>
  poll(ms, async () => done() || undefined, 25).then(Boolean);

const pidGone = (pid: number, ms: number) => within(ms, () => !isAlive(pid));

/** SIGTERM, then SIGKILL after `graceMs` (then true: forced); serve.json removed. */
async function endBridge(files: BridgeFiles, info: InstanceInfo, graceMs: number): Promise<boolean> {
  const { pid } = info;
  signal(pid, "SIGTERM");
  const forced = !(await pidGone(pid, graceMs));
  if (forced) {
    signal(pid, "SIGKILL");
    await pidGone(pid, 2000);
  }
  // The bridge removes its own record; one it left is ignored (its pid is dead).
  await removeInstance(files, pid).catch(() => {});
  return forced;
}

/**
 * `bridge restart` without a gap: a bridge under its keeper, at the wanted address, running the
 * script this start would run, is asked to end to be started again at once (SIGUSR2, exit 4) on
 * the socket the keeper holds — no moment when another program could take the port. On Windows
 * (no SIGUSR2) it is ended, and its Node keeper starts it again on its socket a second later, as
 * after a crash. Anything else is stopped and started (a port that changes, no keeper).
 */
export async function restartBridge(
  ctx: LifecycleContext,
  want: BridgeAddress,
): Promise<Ensured & { stopped: Stopped | undefined }> {
  const info = await ownedInstance(ctx.files);
  const keeper = info?.keeper ? await liveKeeper(ctx.files) : null;
  if (
    !info ||
    !keeper ||
    keeper.pid !== info.keeper ||
    keeper.script !== ctx.host.self.script ||
    !sameAddress(info, want)
  ) {
    const stopped = await stopBridge(ctx);
    return { ...(await ensureBridge(ctx, want)), stopped };
  }
  signal(info.pid, process.platform === "win32" ? "SIGTERM" : "SIGUSR2");
  const back = await poll(START_TIMEOUT_MS, async () => {
    const now = await ownedInstance(ctx.files);
    const up = now && now.pid !== info.pid && (await reach(ctx.files, now.url, { timeoutMs: 2000 }));
    return up && up.state === "ours" ? now : undefined;
  });
  if (!back) throw startFailed(ctx, "The bridge did not answer in time after its restart.");
  const stopped = { pid: info.pid, forced: false };
  return { url: back.url, port: back.port, started: true, restarted: true, stopped };
}

export type LifecycleHost = Pick<Host, "env" | "platform" | "self" | "runner" | "sysroot"> & Partial<Host>;

/** The lifecycle of the bridge of the environment this process runs in. */
export function localLifecycle(host: LifecycleHost, log: (line: string) => void): LifecycleContext {
  return {
    files: bridgeFiles(bridgeHome(host)),
    host,
    log,
    ...(host.platform === "linux" ? { proc: sysPath(host as Host, "/proc") } : {}),
    supervise: host.platform === "win32" ? "node" : true,
  };
}
