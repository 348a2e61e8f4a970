/**
 * serve.log, the bridge's own log, stays under its cap while the bridge runs: lines written through
 * the cap into the file held open as stderr rotate it in place to serve.log.1, the newest kept;
 * the built bridge started with serve.log as its stderr (as `bridge start` does) rotates it too.
 */
import { spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { serveLogCap } from "../../src/bridge-server/serve-log.js";
import { SERVE_LOG_BYTES } from "../../src/core/bridge-link/index.js";
import { openLogForAppend } from "../../src/core/system/files.js";
import { BIN, bridgeEnv, cleanup, tempDir } from "./helpers.js";

afterEach(cleanup);

const read = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : "");

test("20k lines through the cap: serve.log and serve.log.1 each stay under it, the newest lines kept in order", () => {
  const file = path.join(tempDir(), "serve.log");
  const cap = 64 * 1024;
  const fd = openLogForAppend(file, cap);
  try {
    const guard = serveLogCap(fd, file, cap);
    expect(guard).toBeDefined();
    for (let i = 0; i < 20_000; i++) {
      const line = `session ${String(i).padStart(8, "0")} of claude-code closed to make room for one of cursor`;
      guard!(line);
      // What out.info writes: the mark, the line, a newline.
      writeSync(fd, `ℹ ${line}\n`);
    }
  } finally {
    closeSync(fd);
  }
  expect(statSync(file).size).toBeLessThanOrEqual(cap);
  expect(statSync(`${file}.1`).size).toBeLessThanOrEqual(cap);
  const kept = `${read(`${file}.1`)}${read(file)}`.split("\n").filter(Boolean);
  expect(kept.at(-1)).toContain("session 00019999 ");
  // Whole lines, none lost between the two files, none older than the rotation before last.
  const numbers = kept.map((l) => Number(/session (\d+)/.exec(l)![1]));
  expect(numbers).toEqual(numbers.map((_, i) => numbers[0]! + i));
  expect(numbers.length).toBeGreaterThan(cap / 100);
});

test("a bridge whose stderr is not serve.log (run in a terminal) leaves serve.log alone", () => {
  const dir = tempDir();
  const file = path.join(dir, "serve.log");
  writeFileSync(file, "old\n");
  const other = openSync(path.join(dir, "elsewhere.log"), "a");
  try {
    expect(serveLogCap(other, file, 16)).toBeUndefined();
  } finally {
    closeSync(other);
  }
});

test("the built bridge, its stderr serve.log past the cap, rotates it as it runs: the old lines in serve.log.1", async () => {
  const root = tempDir();
  const env = bridgeEnv(root);
  mkdirSync(env.MCP_TWIN_BRIDGE_HOME!, { recursive: true });
  const file = path.join(env.MCP_TWIN_BRIDGE_HOME!, "serve.log");
  const fd = openLogForAppend(file, SERVE_LOG_BYTES);
  // Just under the cap: what a bridge up for months left there. Its first line takes it past.
  const filler = `${"x".repeat(99)}\n`;
  const old = filler.repeat(Math.ceil(SERVE_LOG_BYTES / filler.length));
  writeSync(fd, `${old.slice(0, SERVE_LOG_BYTES - 21)}\n`);
  const child = spawn(process.execPath, [BIN, "serve", "--http", "--port", "0"], {
    env,
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    const deadline = Date.now() + 20_000;
    while (!read(file).includes("created the bridge token") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(read(file)).toContain("created the bridge token");
    expect(read(file)).not.toContain("xxxx");
    expect(statSync(file).size).toBeLessThan(64 * 1024);
    expect(read(`${file}.1`).startsWith(filler)).toBe(true);
    expect(statSync(`${file}.1`).size).toBeLessThanOrEqual(SERVE_LOG_BYTES);
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}, 30_000);
