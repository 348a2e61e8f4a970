/**
 * The bridge's lifecycle, one implementation for every caller (`bridge start|stop|restart|status`,
 * `connect`, stdio `serve`, sync): inspect what runs at the wanted address, ensure it runs, stop it.
 */
import { readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { OperationError } from "../errors.js";
import { closeLog, makePrivateFolder, openLogForAppend, writePrivateFile } from "../system/files.js";
import { type Host, sysPath } from "../system/host.js";
import type { Runner } from "../system/run.js";
import { probeBridge } from "./bridge-probe.js";
import { type InstanceInfo, isAlive, ownedInstance, removeInstance } from "./instance.js";
import { freePortNear, heldPortSentence } from "./port-fix.js";
import { type PortHolder, portHeldBy, portHolder } from "./port-holder.js";
import { type BridgeFiles, bridgeFiles, bridgeHome, bridgeUrl, SERVE_LOG_BYTES } from "./state-folder.js";
import { isStartLoop, shStartLoop } from "./supervisor.js";
import { readToken } from "./token-file.js";

export interface BridgeAddress {
  host: string;
  /** 0: wherever the running (or started) bridge listens (tests). */
  port: number;
}

export interface LifecycleContext {
  files: BridgeFiles;
  /** How to run this mcp-twin: node + script. */
  self: { node: string; script: string };
  env: Readonly<Record<string, string | undefined>>;
  runner: Pick<Runner, "detach">;
  log: (line: string) => void;
  /** /proc, to name the process holding a port (Linux and WSL). */
  proc?: string;
  /** How long a started bridge may take to answer (default 15 s). */
  startTimeoutMs?: number;
  /** The manifest that sets the bridge's port (named in the fix for a port another program holds). */
  manifest?: string;
  /**
   * The manifest pins the port (`bridge.port`): the fix for a held one is a manifest edit. Otherwise
   * (false, or not known) sync moves it to a free one.
   */
  pinned?: boolean;
  /**
   * POSIX: the bridge starts inside sh's start loop (supervisor.ts), so a crash of a bridge that
   * sync, `bridge start` or a relay started is undone within seconds, as the service manager's is.
   */
  supervise?: boolean;
}

export type BridgeState =
  /** This home's bridge answers at the wanted address. */
  | { state: "running"; url: string; instance: InstanceInfo | null; version: string }
  /** This home's bridge answers, with other settings (an older port or host). */
  | { state: "elsewhere"; url: string; instance: InstanceInfo; version: string }
  /** Its process lives and holds the state, but does not answer. */
  | { state: "unresponsive"; instance: InstanceInfo }
  /** Something else holds the wanted port. */
  | { state: "taken"; url: string; what: string; holder?: PortHolder }
  | { state: "stopped" };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const sameAddress = (info: { host: string; port: number }, want: BridgeAddress) =>
  (want.port === 0 || info.port === want.port) &&
  info.host.replace(/^\[|\]$/g, "") === want.host.replace(/^\[|\]$/g, "");

/**
 * What runs at the wanted address: this home's bridge (proven to be it before its token is sent,
 * then it answers MCP with that token), this home's bridge elsewhere (other settings), nothing, or
 * something else (named, from an answer to a request without credentials).
 */
export async function inspectBridge(ctx: LifecycleContext, want: BridgeAddress): Promise<BridgeState> {
  const token = await readToken(ctx.files.token);
  const instance = await ownedInstance(ctx.files);
  if (instance) {
    const probe = await probeBridge(instance.url, token);
    if (probe.state === "ours")
      return sameAddress(instance, want)
        ? { state: "running", url: instance.url, instance, version: probe.version }
        : { state: "elsewhere", url: instance.url, instance, version: probe.version };
    return { state: "unresponsive", instance };
  }
  if (want.port === 0) return { state: "stopped" };
  const url = bridgeUrl(want.host, want.port);
  const probe = await probeBridge(url, token);
  if (probe.state === "free") return { state: "stopped" };
  if (probe.state === "ours") return { state: "running", url, instance: null, version: probe.version };
  // Who holds the port is extra detail: without it the message still says what answers.
  const holder = ctx.proc ? await portHolder(want.port, ctx.proc).catch(() => undefined) : undefined;
  return { state: "taken", url, what: probe.what, ...(holder ? { holder } : {}) };
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
  /** `follow`: the bridge runs elsewhere than asked, and that is where to go. */
  moved: boolean;
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
      return {
        url: state.url,
        port: state.instance?.port ?? want.port,
        started: false,
        restarted,
        moved: false,
      };
    case "elsewhere":
      if (options.follow) {
        ctx.log(
          `the bridge runs at ${state.url}, not on port ${want.port} (this entry predates a settings change): relaying there; restart the client to load the entry sync wrote`,
        );
        return { url: state.url, port: state.instance.port, started: false, restarted, moved: true };
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
  return { ...started, started: !started.raced, restarted, moved: false };
}

/** Start `serve --http` detached and wait until it answers (or another starter's bridge does). */
async function startBridge(
  ctx: LifecycleContext,
  want: BridgeAddress,
): Promise<{ url: string; port: number; raced: boolean }> {
  ctx.log(
    `no bridge answers${want.port ? ` on ${want.host}:${want.port}` : ""}; starting one (log: ${ctx.files.log})`,
  );
  await makePrivateFolder(ctx.files.dir);
  const logFd = openLogForAppend(ctx.files.log, SERVE_LOG_BYTES);
  const logStart = await stat(ctx.files.log).then(
    (s) => s.size,
    () => 0,
  );
  let child: ReturnType<Runner["detach"]>;
  const serve = [ctx.self.script, "serve", "--http", "--port", String(want.port), "--host", want.host];
  const [file, args] = ctx.supervise
    ? shStartLoop(ctx.files.instance, [ctx.self.node, ...serve])
    : [ctx.self.node, serve];
  try {
    child = ctx.runner.detach(file, args, { env: { ...ctx.env, NO_COLOR: "1" }, logFd });
  } finally {
    closeLog(logFd);
  }
  let exited: number | null | undefined;
  void child.exited.then((code) => {
    exited = code;
  });
  const token = () => readToken(ctx.files.token);
  const deadline = Date.now() + (ctx.startTimeoutMs ?? 15_000);
  while (Date.now() < deadline) {
    await sleep(50);
    const info = await ownedInstance(ctx.files);
    if (info && (await probeBridge(info.url, await token(), 2000)).state === "ours") {
      if (!sameAddress(info, want))
        throw new OperationError(
          "bridge-elsewhere",
          `Another start put the bridge on ${info.url}, not ${want.host}:${want.port}.`,
          { hint: "Run `mcp-twin bridge restart` to move it to the manifest's settings." },
        );
      const ours = info.pid === child.pid || (ctx.supervise && parentOf(info.pid) === child.pid);
      return { url: info.url, port: info.port, raced: !ours };
    }
    if (exited !== undefined && !info) {
      // Lost the race to another starter? Its serve.json appears shortly.
      const other = await waitForOwned(ctx, 3000);
      if (other && sameAddress(other, want)) return { url: other.url, port: other.port, raced: true };
      const why = await logTail(ctx.files.log, logStart);
      throw new OperationError(
        "bridge-start",
        `The bridge did not start (exit code ${exited ?? "?"})${why ? `: ${why}` : "."}`,
        { hint: `Its log: ${ctx.files.log}.` },
      );
    }
  }
  // Nothing left behind trying: the loop (its process group) ends with the start that failed.
  if (ctx.supervise && exited === undefined && child.pid) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // gone already
    }
  }
  throw new OperationError("bridge-start", "The bridge did not answer in time after starting.", {
    hint: `Its log: ${ctx.files.log}.`,
  });
}

/** The start loop (supervisor.ts) a bridge runs in: its parent, when that is one (Linux's /proc). */
function startLoopOf(pid: number): number | undefined {
  const parent = parentOf(pid);
  if (!parent) return undefined;
  try {
    return isStartLoop(readFileSync(`/proc/${parent}/cmdline`, "utf8").split("\0")) ? parent : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A process's parent, from the real /proc (the processes are this machine's own, whatever system
 * root the Host reads other facts from); undefined where it cannot be read (macOS).
 */
function parentOf(pid: number): number | undefined {
  try {
    // The command name (in parentheses) may hold spaces: the fields after its last `)` are read.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

async function waitForOwned(ctx: LifecycleContext, ms: number): Promise<InstanceInfo | null> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const info = await ownedInstance(ctx.files);
    if (info) return info;
    await sleep(50);
  }
  return null;
}

/** The last meaningful line the bridge wrote to its log since `from`. */
async function logTail(file: string, from: number): Promise<string> {
  // No log yet: no line to quote.
  const text = await readFile(file, "utf8").catch(() => "");
  const lines = text
    .slice(from)
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.slice(-2).join(" ").slice(0, 400);
}

export interface Stopped {
  stopped: boolean;
  pid?: number;
  /** It did not end on SIGTERM in time and was killed. */
  forced?: boolean;
}

/**
 * Stop this home's bridge — only the pid in serve.json that holds the state lock: SIGTERM, then
 * SIGKILL after a grace period.
 */
export async function stopBridge(
  ctx: Pick<LifecycleContext, "files">,
  options: { graceMs?: number } = {},
): Promise<Stopped> {
  const info = await ownedInstance(ctx.files);
  if (!info) return { stopped: false };
  const { pid } = info;
  const gone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) return true;
      await sleep(25);
    }
    return !isAlive(pid);
  };
  let forced = false;
  // Windows ends it with TerminateProcess (exit code 1, as a crash): the logon task's loop, which
  // restarts a bridge that ends so, reads this first (supervisor.ts). The bridge removes it at start.
  if (process.platform === "win32")
    // Best effort: the stop below still ends the bridge; its loop is stopped next.
    await writePrivateFile(ctx.files.stopRequested, `${pid}\n`).catch(() => {});
  // A bridge mcp-twin started runs in its start loop (supervisor.ts): the loop goes first, or a
  // bridge killed after the grace period would be started again.
  const loop = startLoopOf(pid);
  try {
    if (loop) process.kill(loop, "SIGTERM");
  } catch {
    // gone already
  }
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // already gone
  }
  if (!(await gone(options.graceMs ?? 5000))) {
    forced = true;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
    await gone(2000);
  }
  // The bridge removes its own record; one it left is ignored (its pid is dead).
  await removeInstance(ctx.files, pid).catch(() => {});
  return { stopped: true, pid, forced };
}

/** What localLifecycle needs of the host. */
export type LifecycleHost = Pick<Host, "env" | "platform" | "self" | "runner" | "sysroot"> & Partial<Host>;

/** The lifecycle of the bridge of the environment this process runs in. */
export function localLifecycle(host: LifecycleHost, log: (line: string) => void): LifecycleContext {
  return {
    files: bridgeFiles(bridgeHome(host)),
    self: host.self,
    env: host.env,
    runner: host.runner,
    log,
    ...(host.platform === "linux" ? { proc: sysPath(host as Host, "/proc") } : {}),
    supervise: host.platform !== "win32",
  };
}
