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
  host: Pick<LifecycleHost, "self" | "env" | "runner">;
  log: (line: string) => void;
  /** /proc, to name the process holding a port (Linux and WSL). */
  proc?: string;
  /** Named in the fix for a port another program holds. */
  manifest?: string;
  /** `bridge.port` is set: the fix for a held port is a manifest edit, not a sync. */
  pinned?: boolean;
  /**
   * Start under a keeper that holds the socket (no other program can take the port) and restarts
   * after a crash: true, the `sh` keeper (POSIX); "node", the Node keeper (Windows).
   */
  supervise?: boolean | "node";
}

export type BridgeState =
  | { state: "running"; url: string; instance: InstanceInfo | null; version: string; status: ControlStatus }
  /** This home's bridge, at an older port or host. */
  | { state: "elsewhere"; url: string; instance: InstanceInfo; version: string; status: ControlStatus }
  | { state: "unresponsive"; instance: InstanceInfo }
  | { state: "taken"; url: string; what: string; holder?: PortHolder }
  | { state: "stopped" };

const START_TIMEOUT_MS = 15_000;

const sameAddress = (info: { host: string; port: number }, want: BridgeAddress) =>
  (want.port === 0 || info.port === want.port) &&
  info.host.replace(/^\[|\]$/g, "") === want.host.replace(/^\[|\]$/g, "");

/** What runs at the wanted address; this home's bridge is proven to be it before its token is sent. */
export async function inspectBridge(ctx: LifecycleContext, want: BridgeAddress): Promise<BridgeState> {
  const instance = (await ownedInstance(ctx.files)) ?? (await comingBack(ctx, want));
  if (instance && "stuck" in instance) return { state: "unresponsive", instance: instance.stuck };
  if (instance) {
    // 10 s: a bridge just started at a busy logon can take more than 3.
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
 * The bridge this home's keeper is starting again (after a crash or restart: a pause of up to 5 s,
 * then a start); null when no keeper of this home holds the port; `stuck` when it does not come back.
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

/** keeper.json's keeper, when it runs and (where /proc tells) keeps this home's bridge. */
async function liveKeeper(files: BridgeFiles): Promise<KeeperInfo | null> {
  const keeper = await readKeeper(files);
  return keeper && isAlive(keeper.pid) && keeps(keeper.pid, files) !== false ? keeper : null;
}

/** undefined: its command line cannot be read. */
function keeps(pid: number, files: BridgeFiles): boolean | undefined {
  const argv = commandLine(pid);
  return argv && keptBy(argv, () => stateOf(pid)) === files.dir;
}

function commandLine(pid: number): string[] | undefined {
  // On Windows `/proc` is a folder of the current drive (under wine, Linux's own).
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
    for (const pair of readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")) {
      const eq = pair.indexOf("=");
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return env.MCP_TWIN_BRIDGE_HOME || (env.HOME ? bridgeHomeIn("linux", env, env.HOME) : undefined);
  } catch {
    return undefined;
  }
}

/** This home's keepers, as /proc shows them (none elsewhere: there a keeper ends on `stop-requested`). */
export function keepersOf(files: BridgeFiles): number[] {
  if (process.platform === "win32") return [];
  try {
    const pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
    return pids.map(Number).filter((pid) => keeps(pid, files));
  } catch {
    return [];
  }
}

/** A port something else holds: what holds it, and the fix (a sync; for a pinned port, a free one). */
export async function portTakenError(
  state: Extract<BridgeState, { state: "taken" }>,
  port: number,
  manifest = USER_MANIFEST,
  pinned = false,
): Promise<OperationError> {
  const { freePortNear, heldPortSentence } = await import("./port-choice.js");
  const free = await freePortNear(new URL(state.url).hostname.replace(/^\[|\]$/g, ""), port);
  return new OperationError("port-taken", `${portHeldBy(port, state.what, state.holder, true)}.`, {
    hint: `${heldPortSentence(pinned, manifest, free)} (Or stop that program, if it is yours.)`,
  });
}

const USER_MANIFEST = "your user-level manifest (mcp-twin.jsonc in the mcp-twin home)";

export interface Ensured {
  url: string;
  port: number;
  started: boolean;
  restarted: boolean;
}

/**
 * This home's bridge at `want`, started when none answers; one with other settings is restarted,
 * or with `follow` (an entry older than a port change) reached where it is. The state lock picks
 * one winner among several starters.
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

/** Start `serve --http` detached; wait until it (or another starter's bridge) answers. */
async function startBridge(ctx: LifecycleContext, want: BridgeAddress): Promise<Started> {
  ctx.log(
    `no bridge answers${want.port ? ` on ${want.host}:${want.port}` : ""}; starting one (log: ${ctx.files.log})`,
  );
  await makePrivateFolder(ctx.files.dir);
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

function startUnder(
  ctx: LifecycleContext,
  want: BridgeAddress,
  socket: net.Server | undefined,
  logFd: number,
): Child {
  const port = socket ? boundPort(socket) : want.port;
  const serve = [ctx.host.self.script, "serve", "--http", "--port", String(port), "--host", want.host];
  if (ctx.supervise === "node") serve.push("--keep");
  const handle: unknown = socket && Reflect.get(socket, "_handle");
  const raw: unknown = typeof handle === "object" && handle !== null ? Reflect.get(handle, "fd") : undefined;
  const fd = typeof raw === "number" && raw > 2 ? raw : undefined;
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
      // This start removed stop-requested: there now, a stop was asked meanwhile.
      const stopped = await pathExists(ctx.files.stopRequested);
      // Lost the race to another starter (exit 3)? Its serve.json appears shortly.
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
  // The keeper (the sh one: its process group) ends with the start that failed.
  if (ctx.supervise && exited === undefined && child.pid)
    signal(ctx.supervise === "node" ? child.pid : -child.pid, "SIGTERM");
  throw startFailed(ctx, "The bridge did not answer in time after starting.");
}

const startFailed = (ctx: LifecycleContext, message: string) =>
  new OperationError("bridge-start", message, { hint: `Its log: ${ctx.files.log}.` });

/** The listening socket, bound here for its keeper; null when the port was taken meanwhile. */
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

/** The port was taken between the look and the bind: by another start of this home, or not. */
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

const waitForOwned = (ctx: Pick<LifecycleContext, "files">, ms: number) =>
  poll(ms, () => ownedInstance(ctx.files));

/** The first value `probe` gives within `ms`, asked every `every` ms. */
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

export interface Stopped {
  pid?: number;
  forced: boolean;
  loops?: number[];
}

const signal = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
    // gone already
  } catch {}
};

/**
 * Stop this home's bridge and whatever would start it again, in any state: `stop-requested` (a
 * keeper reads it before each start), each keeper /proc shows, then the bridge holding the lock.
 */
export async function stopBridge(
  ctx: Pick<LifecycleContext, "files">,
  options: { graceMs?: number } = {},
): Promise<Stopped | undefined> {
  const info = await ownedInstance(ctx.files);
  const loops = keepersOf(ctx.files);
  // Where /proc cannot be searched, the keeper the bridge's record names.
  if (info?.keeper && !loops.includes(info.keeper) && commandLine(info.keeper) === undefined)
    loops.push(info.keeper);
  const keeper = await readKeeper(ctx.files);
  // A keeper /proc cannot prove ours (Windows) is not signalled: it ends on stop-requested.
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
 * Wait until the keepers' process groups are empty (the port is free only then); SIGKILL what is
 * left after `ms`. Windows has no groups: the keeper itself.
 */
async function groupsGone(groups: readonly number[], ms: number): Promise<void> {
  // The keeper itself too: one started by another program may lead no group of its own.
  const left = () => groups.filter((g) => isAlive(g) || (process.platform !== "win32" && isAlive(-g)));
  if (await within(ms, () => left().length === 0)) return;
  for (const g of left())
    for (const id of process.platform === "win32" ? [g] : [-g, g]) signal(id, "SIGKILL");
  await within(2000, () => left().length === 0);
}

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
 * `bridge restart` without a gap: a kept bridge at the wanted address is restarted on the socket its
 * keeper holds (SIGUSR2, exit 4; Windows: ended, restarted as after a crash). Else stop and start.
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
