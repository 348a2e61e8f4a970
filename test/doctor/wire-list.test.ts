/**
 * Sync's plain listing handshake on its own (wire-list.ts), against real servers: the fixture on
 * the real SDK and its plain twin, a 2026-07-28-only server, and ones that page, exit, hang or are
 * not there. A failure that needs no waiting is returned long before its bound (60 s here: the
 * test's own timeout would end it first).
 */
import { describe, expect, inject, test } from "vitest";
import { probeServer } from "../../src/core/doctor/probe/live-probe.js";
import { listOverStdio } from "../../src/core/doctor/probe/wire-list.js";
import { createRunner } from "../../src/core/system/run.js";
import { eraFixtures } from "../bridge-server/gateway/gateway-helpers.js";

const runner = createRunner();
const plan = (...flags: string[]) => ({
  file: process.execPath,
  args: [inject("fixtureScript"), ...flags],
  env: { PATH: process.env.PATH },
});
const LONG = 60_000;

describe("listOverStdio", () => {
  test("a server on the real SDK: the same tools as doctor's handshake lists, and its name", async () => {
    const sdk = { ...plan(), args: [inject("fixtureSdkScript"), "--tools", "3"] };
    const plain = await listOverStdio(runner, sdk, LONG);
    expect(plain).toMatchObject({ ok: true, tools: 7, serverName: "mcp-twin-fixture" });
    const doctor = await probeServer(runner, sdk, LONG);
    expect(plain.toolDefs).toEqual(doctor.toolDefs);
  });

  test("a list in pages: every page its nextCursor names", async () => {
    const paged = await listOverStdio(runner, plan("--tools", "5", "--page", "2"), LONG);
    const whole = await listOverStdio(runner, plan("--tools", "5"), LONG);
    expect(paged.ok).toBe(true);
    expect(paged.tools).toBe(9);
    expect(paged.toolDefs?.map((t) => t.name)).toEqual(whole.toolDefs?.map((t) => t.name));
  });

  test("a 2026-07-28-only server (it refuses initialize): started again and listed in its era", async () => {
    const { v2 } = await eraFixtures();
    const r = await listOverStdio(runner, { file: process.execPath, args: [v2.script], env: {} }, LONG);
    expect(r.error).toBeUndefined();
    expect(r).toMatchObject({ ok: true, serverName: "era-v2" });
    expect(r.tools).toBeGreaterThan(0);
  });

  test("a program that is not there fails at its spawn error, not at the bound", async () => {
    const r = await listOverStdio(runner, { file: "/nonexistent/node", args: [], env: {} }, LONG);
    expect(r).toMatchObject({ ok: false, timedOut: false });
    expect(r.error).toBe("could not start /nonexistent/node: not found (ENOENT)");
  });

  test("a server that exits fails when it does, with its code", async () => {
    const r = await listOverStdio(runner, plan("--exit", "3"), LONG);
    expect(r).toMatchObject({ ok: false, timedOut: false });
    expect(r.error).toBe("the server exited with code 3 before completing the handshake");
  });

  test("one that refuses initialize: its own words", async () => {
    const r = await listOverStdio(runner, plan("--refuse-init"), LONG);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^the server answered initialize with an error \(-32000\): the server at/);
  });

  test("a server that never answers is given up at the bound, and said so", async () => {
    // 1 s: a fixture still starting when the bound passes has not answered either (the same
    // failure, said the same way); the bound is what this judges, and each second of it is the file's.
    const r = await listOverStdio(runner, plan("--hang"), 1_000);
    expect(r).toMatchObject({ ok: false, timedOut: true });
    expect(r.error).toBe(
      "no answer to initialize/tools/list within 1 s; the server hangs or starts too slowly",
    );
  });
});
