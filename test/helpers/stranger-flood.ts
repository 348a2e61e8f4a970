/**
 * Another user account flooding the bridge's port (held connections, requests with no credential,
 * a swollen connection table), and the user's own client asking meanwhile: for tests and bench.
 */
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";

/** How hard the stranger floods. */
export interface FloodSize {
  /** Connections held open, each with a request's first header line and nothing more. */
  held: number;
  /** Requests with no credential in flight at once, each on a new connection. */
  asking: number;
  /** Connections between two sockets of its own: rows the bridge's socket-table reads walk. */
  swell: number;
}

const FLOOD: FloodSize = { held: 1000, asking: 32, swell: 3000 };

/** The stranger's program: floods `port` until killed; prints "ready" once all of it runs. */
const ATTACK = (port: number, size: FloodSize) => `
const net = require("node:net");
const port = ${port};
const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
const ask = () => {
  const s = net.connect(port, "127.0.0.1");
  s.on("error", () => {});
  s.on("data", () => {});
  s.once("close", () => setImmediate(ask));
  s.write("POST /mcp HTTP/1.1\\r\\nhost: 127.0.0.1:" + port + "\\r\\ncontent-type: application/json\\r\\naccept: application/json\\r\\ncontent-length: " + body.length + "\\r\\n\\r\\n" + body);
};
let connected = 0;
const hold = () => {
  const s = net.connect(port, "127.0.0.1", () => { connected++; s.write("POST /mcp HTTP/1.1\\r\\n"); });
  s.on("error", () => {});
  s.once("close", () => setImmediate(hold));
};
const own = net.createServer((s) => s.on("error", () => {}));
own.listen(0, "127.0.0.1", async () => {
  const mine = [];
  for (let i = 0; i < ${size.swell}; i++)
    mine.push(new Promise((r) => { const s = net.connect(own.address().port, "127.0.0.1", r); s.on("error", r); }));
  await Promise.all(mine);
  for (let i = 0; i < ${size.held}; i++) hold();
  for (let i = 0; i < ${size.asking}; i++) ask();
  const ready = setInterval(() => {
    if (connected < ${size.held}) return;
    clearInterval(ready);
    console.log("ready");
  }, 20);
});
`;

/** The flood running as `uid`, once all of it runs; `stop()` ends it. */
export async function strangerFlood(
  port: number,
  uid: number,
  size: FloodSize = FLOOD,
): Promise<{ stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ["-e", ATTACK(port, size)], {
    uid,
    gid: uid,
    cwd: "/",
    env: { PATH: process.env.PATH ?? "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    child.kill("SIGKILL");
    await exited;
  };
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      if (c.toString().includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the flood exited before it ran (${code})`)));
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { stop };
}

/** One of the user's requests: its status (0: the connection failed, `error` says how), its time. */
export interface Asked {
  status: number;
  error?: string;
  ms: number;
}

/**
 * `count` requests of the user's client, one after another, each on a new connection (what a
 * client whose kept connection was closed does): `GET /control/status` with the bridge's token.
 */
export async function userAsks(port: number, token: string, count: number): Promise<Asked[]> {
  const asked: Asked[] = [];
  for (let i = 0; i < count; i++) asked.push(await askOnce(port, token));
  return asked;
}

function askOnce(port: number, token: string): Promise<Asked> {
  const start = performance.now();
  const ms = () => performance.now() - start;
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: "/control/status",
        agent: false,
        headers: { authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        res.once("end", () => resolve({ status: res.statusCode ?? 0, ms: ms() }));
        res.once("error", (e) => resolve({ status: 0, error: e.message, ms: ms() }));
      },
    );
    req.once("error", (e) =>
      resolve({ status: 0, error: (e as NodeJS.ErrnoException).code ?? e.message, ms: ms() }),
    );
    req.end();
  });
}

/** The 95th percentile of `ms` (nearest rank). */
export const p95 = (ms: readonly number[]) =>
  [...ms].sort((a, b) => a - b)[Math.max(0, Math.ceil(ms.length * 0.95) - 1)] ?? 0;
