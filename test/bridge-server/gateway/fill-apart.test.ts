/**
 * The process apart that fills the list cache, as the bridge starts it (gateway/fill-apart.ts):
 * what it is given arrives on its stdin, not its command line; an answer that is not one, or
 * none, leaves every server unfilled with why; an entry that is not a cache entry is dropped.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { fillApart } from "../../../src/bridge-server/gateway/index.js";
import type { ShareLaunch } from "../../../src/core/entries/share-launch.js";
import { isAlive as alive } from "../../../src/core/system/process-alive.js";
import { manualClock } from "../../helpers/manual-clock.js";

/** Until `done` holds (a file another process writes: looked at every 20 ms). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 20));
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A stand-in for the built entry: `body` runs with the input read from stdin as `input`. */
function entry(body: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-fill-"));
  dirs.push(dir);
  const file = path.join(dir, "fill-caches.mjs");
  writeFileSync(
    file,
    `const chunks = []; for await (const c of process.stdin) chunks.push(c);\nconst input = JSON.parse(Buffer.concat(chunks).toString("utf8"));\n${body}\n`,
  );
  return file;
}

const launch = (name: string): ShareLaunch => ({
  name,
  mode: "machine",
  command: process.execPath,
  args: ["server.js"],
  env: { API_KEY: "sk-live-0123456789abcdef" },
  secrets: ["sk-live-0123456789abcdef"],
  identity: { command: process.execPath, args: ["server.js"], envNames: ["API_KEY"] },
});
const side = { platform: process.platform, mountRoot: "/mnt/" };

test("the launches reach it on stdin (secrets never on its command line); its answer comes back, bad entries dropped", async () => {
  const cached = {
    key: "k",
    era: "2025-11-25",
    eraCheckedAt: "2026-11-25T00:00:00.000Z",
    serverInfo: { name: "a", version: "1" },
    capabilities: { tools: {} },
    lists: { "tools/list": { tools: [] } },
    updatedAt: "2026-11-25T00:00:00.000Z",
  };
  const file = entry(`
    const argv = JSON.stringify(process.argv);
    process.stderr.write("[share a] started\\n");
    process.stdout.write(JSON.stringify({
      warmed: input.launches.map((l) => l.name),
      failed: [{ name: "b", error: argv.includes("sk-live") ? "secret in argv" : "did not start" }],
      entries: [["a", ${JSON.stringify(cached)}], ["b", { lists: "not an entry" }], "junk"],
      seen: input.launches[0].env.API_KEY,
    }));
  `);
  const lines: string[] = [];
  const out = await fillApart(file, { launches: [launch("a"), launch("b")], side, logFiles: {} }, (l) =>
    lines.push(l),
  );
  expect(out.warmed).toEqual(["a", "b"]);
  expect(out.failed).toEqual([{ name: "b", error: "did not start" }]);
  expect(out.entries).toEqual([["a", cached]]);
  expect(lines).toEqual(["[share a] started"]);
});

test("no answer: every server it was given is said not filled, with why", async () => {
  const silent = await fillApart(
    entry("process.exit(3);"),
    { launches: [launch("a")], side, logFiles: {} },
    () => {},
  );
  expect(silent).toEqual({
    warmed: [],
    entries: [],
    failed: [{ name: "a", error: "the process that reads its lists ended (code 3) without an answer" }],
  });
  const garbled = await fillApart(
    entry('process.stdout.write("{not json");'),
    {
      launches: [launch("a"), launch("b")],
      side,
      logFiles: {},
    },
    () => {},
  );
  expect(garbled.failed.map((f) => f.name)).toEqual(["a", "b"]);
});

test("one that runs past its time is stopped, with what it started, and said so", async () => {
  // It starts a server of its own (as the real one does) and never answers.
  const pidFile = path.join(mkdtempSync(path.join(os.tmpdir(), "mcp-twin-fill-pid-")), "pid");
  dirs.push(path.dirname(pidFile));
  const file = entry(`
    const { spawn } = await import("node:child_process");
    const { writeFileSync } = await import("node:fs");
    const server = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    writeFileSync(${JSON.stringify(pidFile)}, String(server.pid));
    setInterval(() => {}, 1000);
  `);
  // Its time passes on a clock of the test's, once its server runs: never before, however slow the machine.
  const clock = manualClock();
  const filled = fillApart(file, { launches: [launch("a")], side, logFiles: {} }, () => {}, 180_000, clock);
  await until(() => existsSync(pidFile) && readFileSync(pidFile, "utf8") !== "");
  clock.advance(180_000);
  const out = await filled;
  expect(out.failed).toEqual([
    { name: "a", error: "the process that reads its lists ran past 180 s and was stopped" },
  ]);
  const pid = Number(readFileSync(pidFile, "utf8"));
  for (let waited = 0; alive(pid) && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  expect(alive(pid)).toBe(false);
});
