/**
 * A gateway left running for months sees sessions come and go by the thousand: clients that close
 * theirs (DELETE) and clients that exit or are killed without a word. This opens sessions of a
 * shared server (`share: machine`, the packed fixture) in waves — each `initialize`, one call, then
 * DELETE, or the connection dropped — and reads the gateway's RSS at rest after each wave (12 s
 * after it: V8's memory reducer has run) and its open sessions (`/control/status`).
 *
 * Targets: with sessions closed, RSS after the last wave within 10 % of after the first (what a
 * session held is given back); none of the dropped sessions open 60 s after the last (their client
 * is gone: each ends once its grace has passed). The dropped sessions' RSS is printed, not judged:
 * it climbs by a fifth over their waves while the live heap stays flat (heap snapshots,
 * docs/dev/performance.md) — V8 keeps the pages their garbage took.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { BIN } from "../test/helpers/fake-machine.js";
import { rssMb, sleep, table, verdict, waitFor } from "./_lib.js";
import { httpRequest } from "./_raw-client.js";
import { sharedFixture } from "./_shared-fixture.js";

/**
 * Each case: a first wave that fills what the gateway keeps by design (the ids of sessions closed
 * on purpose, the last 4,096, so they stay closed; a client's newest 100 sessions), then the waves
 * measured against it. BENCH_SESSIONS_SCALE multiplies every wave (default 1).
 */
const SCALE = Number(process.env.BENCH_SESSIONS_SCALE ?? 1);
const CASES = [
  { label: "closed with DELETE", close: true, first: 5000, waves: [2500, 2500] },
  { label: "dropped (no DELETE)", close: false, first: 1000, waves: [2000, 2000] },
].map((c) => ({
  ...c,
  first: Math.round(c.first * SCALE),
  waves: c.waves.map((w) => Math.round(w * SCALE)),
}));
/** In flight at once, as several clients starting together. */
const CONCURRENCY = 8;
const AT_REST_MS = 12_000;
/** A session whose client is gone ends once its grace (50 s, sessions.ts) has passed. */
const GONE_MS = 60_000;
const ERA = "2025-11-25";

/**
 * A session: `initialize`, `notifications/initialized`, one echo call; then DELETE, or nothing; its
 * connection closed either way, as a client that exits closes its own. Its requests share one
 * kept-alive connection, as a client's HTTP stack sends them: a connection per request would pay
 * the bridge's account check on each (a read of /proc/net/tcp, 7–25 ms, docs/dev/performance.md).
 */
async function session(url: URL, token: string, client: string, close: boolean): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await sessionOn(url, agent, token, client, close);
  } finally {
    agent.destroy();
  }
}

async function sessionOn(url: URL, agent: http.Agent, token: string, client: string, close: boolean) {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-protocol-version": ERA,
  };
  const init = await httpRequest(
    url,
    agent,
    "POST",
    headers,
    JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion: ERA, capabilities: {}, clientInfo: { name: client, version: "0" } },
    }),
  );
  const id = init.headers["mcp-session-id"];
  if (init.status !== 200 || typeof id !== "string")
    throw new Error(`initialize: HTTP ${init.status} ${init.body}`);
  const inSession = { ...headers, "mcp-session-id": id };
  const initialized = await httpRequest(
    url,
    agent,
    "POST",
    inSession,
    JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  );
  if (initialized.status !== 202) throw new Error(`notifications/initialized: HTTP ${initialized.status}`);
  const call = await httpRequest(
    url,
    agent,
    "POST",
    inSession,
    JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "echo", arguments: { text: id } },
    }),
  );
  if (call.status !== 200 || !call.body.includes(id))
    throw new Error(`tools/call: HTTP ${call.status} ${call.body}`);
  if (close) {
    const deleted = await httpRequest(url, agent, "DELETE", inSession);
    if (deleted.status !== 200) throw new Error(`DELETE: HTTP ${deleted.status}`);
  }
}

/** `count` sessions, `CONCURRENCY` at a time. */
async function wave(url: URL, token: string, count: number, client: string, close: boolean): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        next++;
        await session(url, token, client, close);
      }
    }),
  );
}

export async function run(): Promise<{ ok: boolean }> {
  console.log(
    `sessions of a shared server, ${CONCURRENCY} at once, in waves; RSS read ${AT_REST_MS / 1000} s after each; load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bench-sessions-"));
  let gateway: ChildProcess | undefined;
  try {
    const { state, env } = await sharedFixture(dir, "machine");
    gateway = spawn(process.execPath, [BIN, "serve", "--http", "--port", "0"], { env, stdio: "ignore" });
    const info = await waitFor("serve --http", () => {
      const i = JSON.parse(readFileSync(path.join(state, "serve.json"), "utf8")) as { url: string };
      return i.url ? i : undefined;
    });
    const token = readFileSync(path.join(state, "token"), "utf8").trim();
    const share = new URL(info.url.replace(/\/mcp$/, "/share/fixture"));
    const statusUrl = new URL(info.url.replace(/\/mcp$/, "/control/status"));
    const openSessions = async () => {
      const agent = new http.Agent();
      const answer = await httpRequest(statusUrl, agent, "GET", { authorization: `Bearer ${token}` });
      agent.destroy();
      return (JSON.parse(answer.body) as { bridge: { clients: { count: number } } }).bridge.clients.count;
    };
    const pid = gateway.pid!;
    const rows: Array<Record<string, string | number>> = [];
    const growth: number[] = [];
    for (const { label, close, first: firstWave, waves } of CASES) {
      const client = `bench-${close ? "closing" : "dropping"}`;
      let sessions = 0;
      let first = 0;
      let last = 0;
      for (const [i, count] of [firstWave, ...waves].entries()) {
        await wave(share, token, count, client, close);
        sessions += count;
        await sleep(AT_REST_MS);
        last = rssMb(pid);
        if (i === 0) first = last;
        rows.push({
          case: label,
          sessions: sessions.toLocaleString("en"),
          "gateway RSS at rest MB": last.toFixed(1),
          "open sessions": await openSessions(),
        });
      }
      growth.push((last / first - 1) * 100);
    }
    // The dropped sessions' clients are gone: each ends once its grace (50 s) has passed.
    await sleep(GONE_MS);
    const open = await openSessions();
    rows.push({
      case: "dropped, 60 s later",
      sessions: "",
      "gateway RSS at rest MB": rssMb(pid).toFixed(1),
      "open sessions": open,
    });
    table(rows);
    console.log(
      `RSS growth after the first wave, sessions dropped: ${growth[1]!.toFixed(1)} % (not judged: V8 keeps the pages their garbage took)`,
    );
    return {
      ok: [
        verdict("RSS growth after the first wave, sessions closed (%)", growth[0]!, 10),
        verdict(`sessions open ${GONE_MS / 1000} s after the last dropped one`, open, 0),
      ].every(Boolean),
    };
  } finally {
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((r) => gateway!.once("exit", r));
      gateway.kill();
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
