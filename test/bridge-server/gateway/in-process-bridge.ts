/**
 * The bridge run in the test's own process (`runOwner`, as `serve --http` runs it) on a clock the
 * test moves by hand: real sockets, real clients and real server processes, and its timers (the
 * sessions' grace, idle stops, the asks' timeouts) fire when the test says, never after a sleep.
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { runOwner } from "../../../src/bridge-server/main.js";
import type { SessionInfo } from "../../../src/bridge-server/sessions.js";
import { bridgeFiles } from "../../../src/core/bridge-link/index.js";
import type { ShareLaunch } from "../../../src/core/entries/share-launch.js";
import type { ShareMode } from "../../../src/core/manifest/schema.js";
import { type ManualClock, manualClock } from "../../helpers/manual-clock.js";
import { cleanup, tempDir } from "../helpers.js";

/** A shared server as the manifest would name it: its command line and its mode. */
export interface ServerLine {
  command: string;
  args: string[];
  share: ShareMode;
  env?: Record<string, string>;
}

export interface InProcessBridge {
  url: string;
  port: number;
  token: string;
  dir: string;
  clock: ManualClock;
  /**
   * Let `ms` pass a second at a time, the bridge's async work of each second (a sweep stopping a
   * process) begun before the next: as time passes, not as a leap in which a sweep overlaps itself.
   */
  pass(ms: number): Promise<void>;
  shareUrl(name: string): string;
  /** `GET /control/status`, as `bridge status` reads it. */
  status(): Promise<InProcessStatus>;
  control(route: string, method?: string): Promise<unknown>;
  /** The sessions open now (with the streams open to each). */
  sessions(): SessionInfo[];
  /** Everything the bridge logged so far. */
  log(): string;
  stop(): Promise<void>;
}

interface InProcessStatus {
  shares: Array<{
    name: string;
    state: string;
    cached: boolean;
    restarts: number;
    lastError?: string;
    children: Array<{ key: string; pid: number | null; sessions: number; state: string; idleMs: number }>;
  }>;
}

const running: InProcessBridge[] = [];
/** Stops every in-process bridge (call from afterEach before the temp folders go). */
export async function stopInProcess(): Promise<void> {
  await Promise.all(running.splice(0).map((b) => b.stop()));
  await cleanup();
}

/** Start a bridge in this process sharing `servers`; its clock starts at the real time. */
export async function inProcessBridge(
  servers: Record<string, ServerLine>,
  options: {
    idleMinutes?: number;
    sessionGraceMs?: number;
    clock?: ManualClock;
    /** Another bridge's state folder and port (it was stopped): this one takes over from it. */
    dir?: string;
    port?: number;
  } = {},
): Promise<InProcessBridge> {
  const dir = options.dir ?? path.join(tempDir(), "bridge");
  mkdirSync(dir, { recursive: true });
  const files = bridgeFiles(dir);
  const clock = options.clock ?? manualClock();
  const launches: ShareLaunch[] = Object.entries(servers).map(([name, s]) => ({
    name,
    mode: s.share,
    command: s.command,
    args: s.args,
    env: s.env ?? {},
    identity: { command: s.command, args: s.args, envNames: Object.keys(s.env ?? {}) },
  }));
  const lines: string[] = [];
  const stop = new AbortController();
  let ready: (value: { url: string; port: number; sessions(): SessionInfo[] }) => void = () => {};
  const listening = new Promise<{ url: string; port: number; sessions(): SessionInfo[] }>((r) => {
    ready = r;
  });
  const owner = runOwner(
    {
      files,
      host: "127.0.0.1",
      port: options.port ?? 0,
      plugins: false,
      clock,
      ...(options.sessionGraceMs !== undefined ? { sessionGraceMs: options.sessionGraceMs } : {}),
      gateway: {
        load: async () => ({ launches, failed: [], idleMinutes: options.idleMinutes ?? 10 }),
        adHoc: [],
        warm: [],
      },
      log: (line) => lines.push(line),
      onReady: (b) => ready({ url: b.url, port: b.port, sessions: () => b.http.sessions() }),
    },
    stop.signal,
  );
  const b = await Promise.race([
    listening,
    owner.then(() => {
      throw new Error(`the bridge ended before it listened:\n${lines.join("\n")}`);
    }),
  ]);
  const token = readFileSync(files.token, "utf8").trim();
  const control = (route: string, method = "GET") =>
    fetch(b.url.replace(/\/mcp$/, `/control/${route}`), {
      method,
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.json());
  let stopped: Promise<void> | undefined;
  const bridge: InProcessBridge = {
    url: b.url,
    port: b.port,
    token,
    dir,
    clock,
    pass: async (ms) => {
      for (let left = ms; left > 0; left -= 1000) {
        clock.advance(Math.min(1000, left));
        await new Promise((r) => setImmediate(r));
      }
    },
    shareUrl: (name) => b.url.replace(/\/mcp$/, `/share/${name}`),
    status: () => control("status") as Promise<InProcessStatus>,
    control,
    sessions: b.sessions,
    log: () => lines.join("\n"),
    stop: () => {
      stopped ??= (async () => {
        stop.abort();
        await owner;
      })();
      return stopped;
    },
  };
  running.push(bridge);
  return bridge;
}
