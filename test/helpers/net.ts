/**
 * A TCP port nothing listens on right now, for a server a test starts later (or for a client to
 * find nobody at).
 *
 * Not one the kernel picks (`listen(0)`): those come from its ephemeral range, where it also takes
 * the local port of every outgoing connection, so between our release and the test's own bind any
 * connection opened by a test file running in parallel could take it (EADDRINUSE, or a stranger
 * answering). Ports below that range are never handed out by the kernel; each vitest worker draws
 * from a block of its own there, a test file is never handed the same port twice, and each is
 * checked free by binding it.
 */
import { readFileSync } from "node:fs";
import net from "node:net";
import { testFile } from "./test-file.js";

const BLOCK = 1000;
const LOW = 10_000;

/** Where the kernel's ephemeral range starts (Linux says; elsewhere the IANA range). */
function ephemeralStart(): number {
  try {
    const start = Number(
      readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0],
    );
    if (Number.isInteger(start) && start > LOW + BLOCK) return start;
  } catch {
    // not Linux
  }
  return 49_152;
}

const blocks = Math.floor((ephemeralStart() - LOW) / BLOCK);
// VITEST_POOL_ID: 1..maxWorkers, one per worker process running at the same time.
const block = (Number(process.env.VITEST_POOL_ID ?? process.pid) - 1) % blocks;
const first = LOW + block * BLOCK;
// The one port at or above LOW on the Fetch standard's list of "bad ports": fetch() (undici) refuses
// it before connecting, so a test of "nothing listens there" would see "bad port" instead.
const FETCH_BAD_PORTS = new Set([10_080]);
/** Each port handed out, and the test file it went to. */
const handedOut = new Map<number, string | undefined>();

/**
 * A port of this worker's block not yet handed out. A worker runs file after file
 * (vitest.config.ts, `isolate: false`): once most of the block is out, the ports of files that
 * have ended are handed out again (their bridges and servers are stopped by then).
 */
function draw(): number | undefined {
  const file = testFile();
  if (handedOut.size >= (BLOCK * 3) / 4)
    for (const [port, to] of handedOut) if (to !== file) handedOut.delete(port);
  for (let tries = 0; tries < BLOCK; tries++) {
    const port = first + Math.floor(Math.random() * BLOCK);
    if (handedOut.has(port) || FETCH_BAD_PORTS.has(port)) continue;
    handedOut.set(port, file);
    return port;
  }
  return undefined;
}

function bindable(port: number): Promise<boolean> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < BLOCK; tries++) {
    const port = draw();
    if (port === undefined) break;
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${first}-${first + BLOCK - 1}`);
}

/**
 * A port from this worker's block that this process has not handed out, without the bind check
 * (synchronous, for a fake machine's default bridge port): nothing in the run takes it but the
 * bridge of the machine it is given to, and ports below the ephemeral range are never picked by the
 * kernel.
 */
export function reservePort(): number {
  const port = draw();
  if (port === undefined) throw new Error(`no port left in ${first}-${first + BLOCK - 1}`);
  return port;
}
