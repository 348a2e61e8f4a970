/** The live probe on its own, against the fixture server: handshake, noise, exit, timeout, bound. */
import { describe, expect, inject, test } from "vitest";
import { probeServer, stderrExcerpt } from "../../src/core/doctor/probe/live-probe.js";
import { probeAll } from "../../src/core/doctor/probe/probe-all.js";
import { createRunner } from "../../src/core/system/run.js";

const runner = createRunner();
const plan = (...flags: string[]) => ({
  file: process.execPath,
  args: [inject("fixtureScript"), ...flags],
  env: { PATH: process.env.PATH },
});

describe("probeServer", () => {
  test("a working server: tools counted, start-up measured", async () => {
    // doctor's handshake with a server on the real SDK (the others start the plain fixture)
    const sdk = { ...plan(), args: [inject("fixtureSdkScript"), "--tools", "3"] };
    const r = await probeServer(runner, sdk, 10_000);
    expect(r).toMatchObject({ ok: true, tools: 7, serverName: "mcp-twin-fixture", noise: [] });
    expect(r.startupMs).toBeGreaterThan(0);
  });

  test("a slow server: start-up time includes its wait", async () => {
    const r = await probeServer(runner, plan("--slow", "600"), 10_000);
    expect(r.ok).toBe(true);
    expect(r.startupMs).toBeGreaterThanOrEqual(600);
  });

  test("a banner is kept as noise; a missing program is a spawn error", async () => {
    expect((await probeServer(runner, plan("--banner"), 10_000)).noise).toEqual([
      "Welcome to fixture server v1 (this line breaks JSON-RPC)",
    ]);
    const missing = await probeServer(runner, { file: "/nonexistent/node", args: [], env: {} }, 5_000);
    expect(missing.ok).toBe(false);
    expect(missing.error).toMatch(/not found \(ENOENT\)/);
  });

  test("a hanging server times out on time", async () => {
    const started = Date.now();
    // 3 s: time for node to start the fixture (it says it hangs) even on a loaded machine.
    const r = await probeServer(runner, plan("--hang"), 3_000);
    expect(r).toMatchObject({ ok: false, timedOut: true });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.stderr).toContain("fixture: hanging as asked");
  });

  test("an aborted run throws InterruptedError", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    await expect(probeServer(runner, plan("--hang"), 10_000, controller.signal)).rejects.toMatchObject({
      code: "interrupted",
    });
  });
});

test("probeAll keeps to its bound and the input order", async () => {
  let running = 0;
  let peak = 0;
  const results = await probeAll(
    [5, 1, 3, 2],
    async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 20));
      running--;
      return { ok: true, tools: n, stderr: [], noise: [] };
    },
    { concurrency: 2 },
  );
  expect(results.map((r) => r.tools)).toEqual([5, 1, 3, 2]);
  expect(peak).toBe(2);
});

describe("the stderr excerpt of a failed server", () => {
  test("a Node server whose module is missing: the `Error: Cannot find module` line is kept", async () => {
    const r = await probeServer(
      runner,
      {
        file: process.execPath,
        args: ["/nonexistent/mcp-twin-server/index.js"],
        env: { PATH: process.env.PATH },
      },
      5_000,
    );
    expect(r.ok).toBe(false);
    expect(r.stderr.some((l) => l.startsWith("Error: Cannot find module"))).toBe(true);
    expect(r.stderr.filter((l) => l !== "…").length).toBeLessThanOrEqual(8);
  });

  test("decisive lines first, then the last lines, in order, with … for what is left out", () => {
    const text = [
      "starting",
      "Traceback (most recent call last):",
      ...Array.from({ length: 20 }, (_, i) => `  frame ${i}`),
      "ModuleNotFoundError: No module named 'mcp'",
      "bye",
    ].join("\r\n");
    expect(stderrExcerpt(text, 6)).toEqual([
      "…",
      "Traceback (most recent call last):",
      "…",
      "  frame 17",
      "  frame 18",
      "  frame 19",
      "ModuleNotFoundError: No module named 'mcp'",
      "bye",
    ]);
    expect(stderrExcerpt("a\nb\n\nc")).toEqual(["a", "b", "c"]);
  });
});
