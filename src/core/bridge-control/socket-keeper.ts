/**
 * The bridge's keeper on Windows, where no `sh` can hold a socket for it: a small Node process that
 * listens on the bridge's port from the first start until a stop and hands each connection to the
 * bridge over their message channel, starting it again after a failure (supervisor.ts's rules).
 */
import net from "node:net";
import {
  type BridgeFiles,
  isAlive,
  ownedInstance,
  readKeeper,
  SERVE_LOG_BYTES,
  writeKeeper,
} from "../bridge-link/index.js";
import { ExitCode } from "../errors.js";
import { appendCappedLog, closeLog, openLogForAppend, pathExists, removePath } from "../system/files.js";
import type { Host } from "../system/host.js";
import { type ChanneledProcess, startWithChannel } from "../system/run.js";

/** The message a connection is handed over with, keeper to bridge: `{ kind: HANDED, id }`. */
export const HANDED = "mcp-twin:connection";
/** The bridge has the connection `id` (`{ kind: TOOK, id }`): the keeper closes its own copy. */
export const TOOK = "mcp-twin:took";
/** The message the bridge sends once it takes connections, bridge to keeper. */
export const TAKING = "mcp-twin:taking";

/** How often `stop-requested` is looked for while no bridge runs. */
const STOP_POLL_MS = 250;

/** Connections held while no bridge takes them; past this the oldest is closed (a flood holds no more). */
const HELD_MAX = 512;

interface KeeperOptions {
  files: BridgeFiles;
  host: string;
  port: number;
  /** This mcp-twin (node + script: keeper.json names it, a restart in place runs the same one), its env. */
  run: Pick<Host, "env" | "self">;
  log: (line: string) => void;
}

/** Pauses after a failure, in ms: 1 s, then 2, 4 and at most 5 s. */
const PAUSES = [1000, 2000, 4000, 5000];

/**
 * Hold the bridge's port and keep the bridge running on it until a stop; the exit code: 0 (a stop,
 * or the bridge ended with 0), 3 (this home's bridge runs already), or the code of a bridge that
 * ended without having run (a bad setting), said at once rather than tried again. Its lines go to
 * the bridge's log: run by the start at logon, its own output goes nowhere.
 */
export async function keepBridge(
  run: Pick<Host, "env" | "self">,
  files: BridgeFiles,
  where: { host: string; port: number },
): Promise<number> {
  const log = (line: string) =>
    void appendCappedLog(files.log, `mcp-twin keeper (pid ${process.pid}): ${line}\n`, SERVE_LOG_BYTES).catch(
      // A line the log cannot take is lost; the keeper keeps the bridge all the same.
      () => {},
    );
  const o: KeeperOptions = { files, ...where, run, log };
  const server = net.createServer({ pauseOnConnect: true });
  const bound = await listen(server, o.host, o.port);
  if (bound !== true) {
    const other = await readKeeper(o.files);
    const kept = other && other.pid !== process.pid && other.port === o.port && isAlive(other.pid);
    if (kept || (await ownedInstance(o.files))) {
      o.log(`this home's bridge runs already on ${o.host}:${o.port}; this keeper ends`);
      return ExitCode.bridgeRunning;
    }
    o.log(`Port ${o.port} on ${o.host} is taken by another program (${bound}); the bridge's keeper ends.`);
    return ExitCode.failed;
  }
  const port = (server.address() as net.AddressInfo).port;
  // A start is asked now: a stop asked before is done with.
  await removePath(o.files.stopRequested);
  await writeKeeper(o.files, { pid: process.pid, host: o.host, port, script: o.run.self.script });
  const held = new Held();
  let bridge: Handing | undefined;
  server.on("connection", (socket) => {
    if (bridge?.taking) bridge.give(socket);
    else held.add(socket);
  });
  const stop = stopWatch(o.files);
  process.once("SIGTERM", () => stop.ask());
  try {
    return await loop(o, port, stop, (started) => {
      const handing = new Handing(started, held);
      bridge = handing;
      stop.watching(true);
      started.onMessage((message) => {
        if (message !== TAKING || bridge !== handing) return handing.took(message);
        handing.taking = true;
        handing.served = true;
        // Running, it is stopped through its own record (serve.json names this keeper): nothing
        // to look for, and the keeper wakes for nothing but connections.
        stop.watching(false);
        for (const socket of held.take()) handing.give(socket);
      });
      // What it had not said it took goes to the next one.
      void started.exited.then(() => handing.ended());
      return handing;
    });
  } finally {
    stop.close();
    server.close();
    held.closeAll();
    const record = await readKeeper(o.files);
    if (record?.pid === process.pid) await removePath(o.files.keeper);
  }
}

/** The bridge started again and again on `port`, each start given to `started`; the exit code. */
async function loop(
  o: KeeperOptions,
  port: number,
  stop: StopWatch,
  started: (bridge: ChanneledProcess) => Handing,
): Promise<number> {
  let failures = 0;
  for (;;) {
    if (stop.asked() || (await pathExists(o.files.stopRequested))) return ExitCode.ok;
    const { code, served } = await runOnce(o, port, stop, started);
    if (code === ExitCode.ok || code === ExitCode.bridgeRunning) return code;
    // A bridge that served (a crash, `bridge restart` on Windows) starts the pauses afresh; one
    // that keeps failing to start waits longer each time.
    if (served) failures = 0;
    if (code === ExitCode.bridgeRestart) continue;
    if (stop.asked() || (await pathExists(o.files.stopRequested))) return ExitCode.ok;
    // It never ran (no serve.json: a bad setting): the start that made this keeper says why.
    if (!(await pathExists(o.files.instance))) return code;
    const pause = PAUSES[Math.min(failures, PAUSES.length - 1)] ?? 5000;
    failures++;
    o.log(`the bridge ended (exit code ${code}); starting it again in ${pause / 1000} s`);
    if (await stop.within(pause)) return ExitCode.ok;
  }
}

/** One bridge, from its start to its exit code (and whether it served); a stop asked meanwhile ends it. */
async function runOnce(
  o: KeeperOptions,
  port: number,
  stop: StopWatch,
  started: (bridge: ChanneledProcess) => Handing,
): Promise<{ code: number; served: boolean }> {
  const logFd = openLogForAppend(o.files.log, SERVE_LOG_BYTES);
  let bridge: ChanneledProcess;
  try {
    const { node, script } = o.run.self;
    bridge = startWithChannel(
      node,
      [script, "serve", "--http", "--port", String(port), "--host", o.host, "--listen-ipc"],
      { env: { ...o.run.env, NO_COLOR: "1" }, logFd },
    );
  } finally {
    closeLog(logFd);
  }
  const handing = started(bridge);
  const onStop = () => bridge.stop();
  stop.onAsk(onStop);
  try {
    return { code: await bridge.exited, served: handing.served };
  } finally {
    stop.offAsk(onStop);
  }
}

/**
 * The connections handed to one bridge: each stays open here too until the bridge says it has it
 * (the channel duplicates a socket; Windows wants the sender's copy kept until the receiver made
 * its own), so one the bridge never took — it ended meanwhile — goes to the next bridge.
 */
class Handing {
  taking = false;
  /** It took connections once (it started well). */
  served = false;
  private next = 0;
  private readonly unsure = new Map<number, net.Socket>();
  constructor(
    private readonly bridge: ChanneledProcess,
    private readonly held: Held,
  ) {}
  give(socket: net.Socket): void {
    const id = this.next++;
    this.unsure.set(id, socket);
    void this.bridge.handOver({ kind: HANDED, id }, socket).then((sent) => {
      if (sent || !this.unsure.delete(id)) return;
      if (!socket.destroyed) this.held.add(socket);
    });
  }
  took(message: unknown): void {
    if (typeof message !== "object" || message === null) return;
    const { kind, id } = message as { kind?: unknown; id?: unknown };
    if (kind !== TOOK || typeof id !== "number") return;
    this.unsure.get(id)?.destroy();
    this.unsure.delete(id);
  }
  ended(): void {
    this.taking = false;
    for (const socket of this.unsure.values()) if (!socket.destroyed) this.held.add(socket);
    this.unsure.clear();
  }
}

/** The connections made while no bridge takes them, oldest first, at most HELD_MAX. */
class Held {
  private readonly sockets = new Set<net.Socket>();
  add(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    if (this.sockets.size > HELD_MAX) {
      const [oldest] = this.sockets;
      oldest?.destroy();
      if (oldest) this.sockets.delete(oldest);
    }
  }
  take(): net.Socket[] {
    const all = [...this.sockets];
    this.sockets.clear();
    return all.filter((s) => !s.destroyed);
  }
  closeAll(): void {
    for (const s of this.take()) s.destroy();
  }
}

/** `true` once listening, else the error's code. */
function listen(server: net.Server, host: string, port: number): Promise<true | string> {
  return new Promise((resolve) => {
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ port, host: host.replace(/^\[|\]$/g, "") }, () => resolve(true));
  });
}

type StopWatch = ReturnType<typeof stopWatch>;

/**
 * A stop, as `bridge stop` asks it of a keeper whose bridge does not run (nothing to signal that
 * is proven to be this keeper): `stop-requested` written in the state folder, seen within
 * STOP_POLL_MS.
 */
function stopWatch(files: BridgeFiles) {
  let asked = false;
  const listeners = new Set<() => void>();
  const ask = () => {
    if (asked) return;
    asked = true;
    for (const l of listeners) l();
  };
  // Looked for, not watched: Node's fs.watch saw nothing of it under wine (the Windows the tests
  // run); a stat every quarter second costs little while no bridge runs, and none is made while one does.
  let poll: NodeJS.Timeout | undefined;
  /** Look for `stop-requested` (while no bridge runs), or not. */
  const watching = (on: boolean) => {
    if (!on) {
      clearInterval(poll);
      poll = undefined;
    } else
      poll ??= setInterval(() => {
        void pathExists(files.stopRequested).then((yes) => yes && ask());
      }, STOP_POLL_MS);
  };
  return {
    watching,
    /** A stop was asked (SIGTERM, or stop-requested seen). */
    asked: () => asked,
    ask,
    onAsk: (l: () => void) => listeners.add(l),
    offAsk: (l: () => void) => listeners.delete(l),
    /** Wait `ms`; true when a stop was asked meanwhile (seen within STOP_POLL_MS). */
    within: (ms: number) =>
      new Promise<boolean>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          listeners.delete(done);
          resolve(true);
        };
        const timer = setTimeout(() => {
          listeners.delete(done);
          void pathExists(files.stopRequested).then((yes) => resolve(yes || asked));
        }, ms);
        listeners.add(done);
      }),
    close: () => watching(false),
  };
}
