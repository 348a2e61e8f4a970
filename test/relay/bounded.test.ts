/**
 * Every message is bounded (16 MiB, docs/bridge.md): a remote that answers without end — an
 * endless JSON body, an endless SSE line, over Streamable HTTP and over the older SSE transport —
 * and a client line larger than the limit each get a JSON-RPC error with the request's id, never a
 * crash or silence; the relay's peak memory (VmHWM of the real process) stays far below what it
 * would take to hold them. Real processes, hostile servers on loopback.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, expect, test } from "vitest";
import { BIN, bridgeEnv, cleanup, tempDir } from "../bridge-server/helpers.js";
import { type Hostile, type HostileMode, startHostile } from "../helpers/hostile.js";
import { events, json, type ScriptedServer, startScripted } from "../helpers/hostile-mcp.js";

const hostiles: Hostile[] = [];
const scripted: ScriptedServer[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const h of hostiles.splice(0)) await h.close();
  for (const s of scripted.splice(0)) await s.close();
  await cleanup();
});

/** Far above what passing a 16 MiB message on costs, far below holding an endless one. */
const PEAK_MB = 200;

const request = (id: number | string, method = "initialize") =>
  JSON.stringify({
    jsonrpc: "2.0",
    id,
    method,
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "0" } },
  });

function peakMb(pid: number): number {
  try {
    return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
  } catch {
    return 0;
  }
}

/**
 * `connect …` fed `input`; the first `answers` lines it writes, and its peak memory — watched all
 * along, the process killed at once past PEAK_MB (as the relay without bounds would go on to GBs).
 */
function relay(args: string[], input: string[], answers = 1) {
  return new Promise<{ lines: Array<Record<string, unknown>>; err: string; peak: number }>((resolve) => {
    const child = spawn(process.execPath, [BIN, "connect", ...args], {
      env: bridgeEnv(tempDir()),
      stdio: ["pipe", "pipe", "pipe"],
    });
    children.push(child);
    let out = "";
    let err = "";
    let peak = 0;
    const done = () => {
      clearInterval(watch);
      clearTimeout(limit);
      child.kill("SIGKILL");
      const lines = out.split("\n").filter(Boolean).slice(0, answers);
      resolve({ lines: lines.map((l) => JSON.parse(l) as Record<string, unknown>), err, peak });
    };
    const watch = setInterval(() => {
      peak = Math.max(peak, peakMb(child.pid!));
      if (peak > PEAK_MB) done();
    }, 20);
    const limit = setTimeout(done, 30_000);
    child.stdout.setEncoding("utf8"); // a character cut between two reads stays whole
    let newlines = 0;
    child.stdout.on("data", (c: string) => {
      out += c;
      // Counted per chunk: splitting the whole output at each of a 16 MiB line's reads is quadratic.
      newlines += c.split("\n").length - 1;
      if (newlines >= answers) {
        peak = Math.max(peak, peakMb(child.pid!));
        done();
      }
    });
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    child.stdin.on("error", () => {});
    for (const line of input) child.stdin.write(`${line}\n`);
  });
}

test.each<[string, HostileMode, string[]]>([
  ["an endless JSON body", "endless-json", []],
  ["an endless SSE line", "endless-sse", []],
  ["an endless SSE line, older SSE transport", "endless-sse", ["--transport", "sse"]],
])(
  "a remote answering with %s: the request gets an error with its id, memory stays bounded",
  async (_, mode, flags) => {
    const h = await startHostile(mode);
    hostiles.push(h);
    const r = await relay([`http://127.0.0.1:${h.port}/remote`, ...flags], [request(7)]);
    expect(r.peak).toBeGreaterThan(0);
    expect(r.peak).toBeLessThan(PEAK_MB);
    expect(r.lines[0]).toMatchObject({
      jsonrpc: "2.0",
      id: 7,
      error: { code: -32000, message: expect.stringMatching(/16 MiB limit/) },
    });
  },
  60_000,
);

test("a client line larger than the limit: an error with its id, then the relay carries on", async () => {
  const h = await startHostile("fake-bridge");
  hostiles.push(h);
  const huge = JSON.stringify({
    jsonrpc: "2.0",
    id: "big-1",
    method: "tools/call",
    params: { name: "echo", arguments: { text: "x".repeat(17 * 1024 * 1024) } },
  });
  const r = await relay([`http://127.0.0.1:${h.port}/remote`], [huge, request(2)], 2);
  expect(r.peak).toBeLessThan(PEAK_MB);
  expect(r.lines[0]).toMatchObject({
    id: "big-1",
    error: { code: -32600, message: expect.stringMatching(/larger than the 16 MiB limit/) },
  });
  expect(r.lines[1]).toMatchObject({ id: 2, result: { serverInfo: { name: "mcp-twin-bridge" } } });
  expect(r.err).toMatch(/refused a message larger than the 16 MiB limit/);
  expect(h.received()).not.toContain("big-1");
}, 60_000);

const LIMIT = 16 * 1024 * 1024;

/** A JSON-RPC message exactly `bytes` long in UTF-8, `fill` (CJK text: 3 bytes a character) inside. */
function sized(bytes: number, message: (text: string) => unknown): string {
  const head = Buffer.byteLength(JSON.stringify(message("")));
  const cjk = Math.floor((bytes - head) / 3);
  const text = "a".repeat(bytes - head - cjk * 3) + "漢".repeat(cjk);
  const json = JSON.stringify(message(text));
  expect(Buffer.byteLength(json)).toBe(bytes);
  return json;
}

const result = (id: number) => (text: string) => ({
  jsonrpc: "2.0",
  id,
  result: { content: [{ type: "text", text }] },
});

const INITIALIZED = JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" });
const CALL = JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "big" } });

test.each<[string, "sse" | "json"]>([
  ["one event of an event stream", "sse"],
  ["a JSON body", "json"],
])(
  "the limit is 16 MiB of bytes: multi-byte text in %s just over it is refused, at it passes whole",
  async (_, how) => {
    for (const bytes of [LIMIT + 1, LIMIT]) {
      const answer = sized(bytes, result(7));
      const server = await startScripted((_req, res) =>
        how === "sse" ? events(res, [answer]) : json(res, answer),
      );
      scripted.push(server);
      const r = await relay([server.url], [request(1), INITIALIZED, CALL], 2);
      expect(r.peak).toBeLessThan(PEAK_MB);
      if (bytes > LIMIT)
        expect(r.lines[1]).toMatchObject({
          id: 7,
          error: { code: -32000, message: expect.stringMatching(/16 MiB limit/) },
        });
      else expect(JSON.stringify(r.lines[1])).toBe(answer);
    }
  },
  // Two relays each carrying 16 MiB: ~2 s alone, far more beside the rest of the suite on 2 cores.
  300_000,
);

test("a client line of multi-byte text just over 16 MiB of bytes is refused, one at the limit passes", async () => {
  let received = 0;
  const server = await startScripted((req, res) => {
    received = JSON.stringify(req.params).length;
    json(res, { jsonrpc: "2.0", id: req.id, result: {} });
  });
  scripted.push(server);
  const call = (id: number) => (text: string) => ({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name: "echo", arguments: { text } },
  });
  const over = await relay([server.url], [request(1), INITIALIZED, sized(LIMIT + 1, call(8))], 2);
  expect(over.lines[1]).toMatchObject({ id: 8, error: { code: -32600 } });
  expect(received).toBe(0);
  const at = await relay([server.url], [request(1), INITIALIZED, sized(LIMIT, call(9))], 2);
  expect(at.lines[1]).toMatchObject({ id: 9, result: {} });
  expect(received).toBeGreaterThan(LIMIT / 3);
  expect(at.peak).toBeLessThan(PEAK_MB);
}, 120_000);
