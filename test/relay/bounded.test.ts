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

const hostiles: Hostile[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const h of hostiles.splice(0)) await h.close();
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
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.split("\n").length > answers) {
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
