/**
 * Backpressure end to end: a server that answers a call with notifications without end costs the
 * relay bounded memory whether its client reads stdout or not — the relay reads the server's stream
 * only as fast as the client reads, and not stdin while stdout is full. The real relay process (its
 * peak RSS, VmHWM, from /proc), a hostile server on loopback.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { afterEach, expect, test } from "vitest";
import { relayLog } from "../../src/ui/relay-log.js";
import { BIN, bridgeEnv, cleanup, tempDir } from "../bridge-server/helpers.js";
import {
  flood,
  json,
  type Script,
  type ScriptedServer,
  startScripted,
  startScriptedSse,
} from "../helpers/hostile-mcp.js";

const servers: ScriptedServer[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const s of servers.splice(0)) await s.close();
  await cleanup();
});

/** The relay's peak memory under the flood, whatever its client does (docs/bridge.md). */
const PEAK_MIB = 100;
const MiB = 1024 * 1024;

const lines = [
  {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } },
  },
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "flood", arguments: {} } },
].map((m) => `${JSON.stringify(m)}\n`);

function peakMiB(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
  } catch {
    return 0;
  }
}

/** `connect <url>` fed initialize and a call; its peak memory, watched (killed past 4× the bound). */
function relay(url: string, flags: string[], input = lines) {
  const child = spawn(process.execPath, [BIN, "connect", url, ...flags], {
    env: bridgeEnv(tempDir()),
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.push(child);
  let err = "";
  child.stderr!.on("data", (c: Buffer) => {
    err += c.toString();
  });
  child.stdin!.on("error", () => {});
  child.stdin!.write(input.join(""));
  let peak = 0;
  const watch = setInterval(() => {
    peak = Math.max(peak, peakMiB(child.pid!));
    if (peak > PEAK_MIB * 4) child.kill("SIGKILL");
  }, 10);
  child.once("exit", () => clearInterval(watch));
  return {
    child,
    err: () => err,
    peak: () => Math.max(peak, peakMiB(child.pid!)),
    stop: () => clearInterval(watch),
  };
}

/** Waits for `done`; fails at once on `failed` (its message), or after `ms`. */
async function until(what: string, done: () => boolean, failed: () => string | undefined, ms = 90_000) {
  const deadline = Date.now() + ms;
  while (!done()) {
    const why = failed();
    if (why) throw new Error(`${what}: ${why}`);
    if (Date.now() > deadline) throw new Error(`${what}: timed out`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Reads the relay's stdout, every line parsed and checked as a JSON-RPC notification of the flood. */
function read(child: ChildProcess) {
  let bytes = 0;
  let rest = "";
  let bad: string | undefined;
  let count = 0;
  child.stdout!.on("data", (c: Buffer) => {
    bytes += c.length;
    const text = rest + c.toString();
    const end = text.lastIndexOf("\n");
    rest = text.slice(end + 1);
    for (const line of text.slice(0, end).split("\n")) {
      count++;
      try {
        const m = JSON.parse(line) as { jsonrpc?: string; id?: number; method?: string; result?: object };
        const initialized = m.id === 1 && m.result !== undefined;
        if (m.jsonrpc !== "2.0" || !(initialized || m.method === "notifications/message"))
          bad ??= line.slice(0, 200);
      } catch {
        bad ??= line.slice(0, 200);
      }
    }
  });
  return { bytes: () => bytes, count: () => count, bad: () => bad };
}

const transports: Array<[string, (script: Script) => Promise<ScriptedServer>, string[]]> = [
  ["Streamable HTTP", (script) => startScripted(script), []],
  ["the older SSE transport", startScriptedSse, ["--transport", "sse"]],
];

test.each(transports)(
  "%s: a flood of notifications, the client reading: the relay keeps pace with the client, memory bounded, no crash",
  async (_, start, flags) => {
    const server = await start((_req, res, sent) => flood(res, sent));
    servers.push(server);
    const r = relay(server.url, flags);
    const client = read(r.child);
    const failed = () =>
      r.child.exitCode !== null || r.child.signalCode !== null
        ? `the relay ended (${r.child.exitCode ?? r.child.signalCode}): ${r.err().slice(0, 300)}`
        : r.peak() > PEAK_MIB
          ? `peak ${r.peak()} MiB`
          : undefined;
    await until("256 MiB of notifications read", () => client.bytes() > 256 * MiB, failed);
    expect(failed()).toBeUndefined();
    expect(r.peak()).toBeLessThan(PEAK_MIB);
    expect(client.bad()).toBeUndefined();
    expect(r.err()).not.toMatch(/ENOBUFS|Error:/);
  },
  120_000,
);

test.each(transports)(
  "%s: a flood of notifications, the client never reading: the relay stops reading the stream, memory bounded; it flows again once the client reads",
  async (_, start, flags) => {
    const server = await start((_req, res, sent) => flood(res, sent));
    servers.push(server);
    const r = relay(server.url, flags);
    // The server stops being able to send once every buffer on the way is full: the relay's own
    // (bounded), the pipe's and the sockets' — a few MiB, where a relay without backpressure would
    // take everything it is sent.
    let last = -1;
    let still = 0;
    await until(
      "the flood stalled",
      () => {
        const now = server.sent();
        still = now === last && now > 0 ? still + 1 : 0;
        last = now;
        return still >= 40; // a second without a byte sent
      },
      () =>
        server.sent() > 64 * MiB || r.peak() > PEAK_MIB
          ? `${(server.sent() / MiB) | 0} MiB sent, peak ${r.peak()} MiB`
          : undefined,
    );
    expect(server.sent()).toBeLessThan(64 * MiB);
    expect(r.peak()).toBeLessThan(PEAK_MIB);
    // Not dead, only waiting: the client reads, the flood flows again.
    const stalledAt = server.sent();
    const client = read(r.child);
    await until(
      "the flood flowing again",
      () => server.sent() > stalledAt + 32 * MiB,
      () => undefined,
    );
    expect(client.bytes()).toBeGreaterThan(16 * MiB);
    expect(client.bad()).toBeUndefined();
    expect(r.child.exitCode).toBeNull();
    expect(r.peak()).toBeLessThan(PEAK_MIB);
  },
  120_000,
);

/**
 * A server that holds every call until told, fed `calls` tools/call lines (`pad` bytes of
 * arguments each): how many it held once the relay stopped sending (waited for until it holds
 * `expected`, then a second without one more), then every answer counted once it answers them all.
 */
async function heldCalls(calls: number, pad: number, expected: number) {
  const held: Array<() => void> = [];
  let answering = false;
  const server = await startScripted((req, res) => {
    const answer = () => json(res, { jsonrpc: "2.0", id: req.id, result: { content: [] } });
    if (answering) answer();
    else held.push(answer);
  });
  servers.push(server);
  const r = relay(server.url, [], lines.slice(0, 2));
  const answered = new Map<unknown, number>();
  let rest = "";
  r.child.stdout!.on("data", (c: Buffer) => {
    const text = rest + c.toString();
    const end = text.lastIndexOf("\n");
    rest = text.slice(end + 1);
    for (const line of text.slice(0, end).split("\n")) {
      const id = (JSON.parse(line) as { id?: unknown }).id;
      answered.set(id, (answered.get(id) ?? 0) + 1);
    }
  });
  const text = "x".repeat(pad);
  for (let i = 0; i < calls; i++)
    r.child.stdin!.write(
      `${JSON.stringify({ jsonrpc: "2.0", id: `c${i}`, method: "tools/call", params: { name: "x", arguments: { text } } })}\n`,
    );
  let last = -1;
  let still = 0;
  await until(
    "the calls stalled",
    () => {
      const now = held.length;
      still = now === last ? still + 1 : 0;
      last = now;
      return now >= expected && still >= 40; // a second without a call more
    },
    () => (held.length > expected ? `${held.length} calls sent on` : undefined),
  );
  const stalled = held.length;
  answering = true;
  for (const answer of held.splice(0)) answer();
  await until(
    "every call answered",
    () => answered.size > calls,
    () => undefined,
  );
  return {
    stalled,
    once: [...answered.values()].every((n) => n === 1),
    sent: server.methods().length,
    peak: r.peak(),
  };
}

test("a server that holds every call: stdin is not read past 128 messages in flight, and every call is answered once it answers", async () => {
  const r = await heldCalls(5000, 10, 128);
  expect(r.stalled).toBe(128); // the relay's limit (docs/bridge.md); the rest waited in stdin
  expect(r.once).toBe(true);
  expect(r.sent).toBe(5000);
}, 120_000);

test("large messages to a server that holds them: at most 32 MiB of them in flight", async () => {
  const r = await heldCalls(6, 10 * MiB, 4);
  expect(r.stalled).toBe(4); // 40 MiB once the fourth went: past 32, no more
  expect(r.once).toBe(true);
  expect(r.sent).toBe(6);
}, 120_000);

test("the relay's log is dropped, not held, while more than 1 MiB of stderr waits unread", () => {
  // A stderr whose reader never reads: everything written stays in its buffer.
  const stderr = new Writable({ write() {} });
  const log = relayLog({}, stderr, true);
  for (let i = 0; i < 30_000; i++) log.error(`could not deliver tools/call: ${"x".repeat(100)}`);
  expect(stderr.writableLength).toBeGreaterThan(MiB);
  expect(stderr.writableLength).toBeLessThan(MiB + 1024);
});
