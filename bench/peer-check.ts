/**
 * What the bridge's account check (peer-check.ts: /proc/net/tcp{,6} read once per
 * connection) costs a new connection, with 0 to 2,000 other connections open (rows to scan).
 */
import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { peerCheck } from "../src/bridge-server/peer-check.js";
import { median, table } from "./_lib.js";

const FRESH = 300;

/** One request on a fresh connection (Connection: close), timed end to end. */
function freshRequest(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const req = http.request({ host: "127.0.0.1", port, path: "/", agent: false }, (res) => {
      res.resume();
      res.on("end", () => resolve(Number(process.hrtime.bigint() - start) / 1e6));
    });
    req.on("error", reject);
    req.end();
  });
}

async function measure(open: number, check: boolean): Promise<{ request: number; check: number }> {
  const own = process.getuid?.() ?? 0;
  const rule = { proc: "/proc", uids: [own, 0], own, unnamed: false };
  const peers = peerCheck(rule);
  const checks: number[] = [];
  const server = http.createServer(async (req, res) => {
    if (check) {
      const start = process.hrtime.bigint();
      if (!(await peers.allowed(req.socket))) throw new Error("refused its own account");
      checks.push(Number(process.hrtime.bigint() - start) / 1e3);
    }
    res.end("ok");
  });
  if (check) server.on("connection", peers.accepted);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  // Idle keep-alive connections: each is two rows (both ends) in /proc/net/tcp.
  const idle = await Promise.all(
    Array.from(
      { length: open },
      () =>
        new Promise<net.Socket>((r) => {
          const s = net.connect(port, "127.0.0.1", () => r(s));
        }),
    ),
  );
  const times: number[] = [];
  for (let i = 0; i < FRESH; i++) times.push(await freshRequest(port));
  for (const s of idle) s.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  return { request: median(times) * 1000, check: check ? median(checks) : 0 };
}

export async function run(): Promise<{ ok: boolean }> {
  if (!existsSync("/proc/net/tcp")) {
    console.log("no /proc/net/tcp here: the bridge does not check accounts");
    return { ok: true };
  }
  const rows: Array<Record<string, string | number>> = [];
  for (const open of [0, 200, 2000]) {
    const without = await measure(open, false);
    const withCheck = await measure(open, true);
    rows.push({
      "connections open": open,
      "check, µs (median)": withCheck.check.toFixed(0),
      "fresh request, µs, no check": without.request.toFixed(0),
      "fresh request, µs, with check": withCheck.request.toFixed(0),
    });
  }
  console.log(`The account check per new connection (${FRESH} fresh connections per row):`);
  table(rows);
  return { ok: true };
}
