/**
 * probe.protocol's findings on eras handed in (the probes that produce them run for real in
 * probe-eras.test.ts): both eras pass and say which; the two cases a negotiating client trips on
 * warn with a fix; a start-up that waited for server/discover says so.
 */
import { describe, expect, test } from "vitest";
import { runScope } from "../../src/core/doctor/all-checks.js";
import type { EntryWork } from "../../src/core/doctor/facts.js";
import type { ProbeResult, ProtocolSeen } from "../../src/core/doctor/probe/live-probe.js";

const work: EntryWork = {
  where: { env: "linux", client: "claude-code", server: "s" },
  clientName: "Claude Code",
  server: "s",
  timeoutMs: 30_000,
  managed: false,
  managedPackage: false,
  kind: "stdio",
};

function run(protocol: ProtocolSeen, startupMs = 300) {
  const result: ProbeResult = {
    ok: true,
    startupMs,
    tools: 2,
    serverName: "x",
    protocol,
    stderr: [],
    noise: [],
  };
  const checks = runScope("probe", { work, result, probeTimeoutMs: 10_000 });
  const one = (id: string) => checks.find((c) => c.id === id)!;
  return { protocol: one("probe.protocol"), startup: one("probe.startup") };
}

describe("probe.protocol", () => {
  test("2026-07-28 and 2025-11-25 both pass, each named", () => {
    expect(run({ version: "2026-07-28", discover: { answeredMs: 120 } }).protocol).toMatchObject({
      status: "pass",
      message: "speaks protocol 2026-07-28 (it answered server/discover).",
    });
    expect(
      run({ version: "2025-11-25", discover: { answeredMs: 90, error: { code: -32601, message: "x" } } })
        .protocol.message,
    ).toBe(
      "speaks protocol 2025-11-25: it answered server/discover with an error (-32601), as a 2025-11-25 server does, so a client that negotiates uses 2025-11-25 too.",
    );
    expect(
      run({ version: "2025-03-26", discover: { answeredMs: 9, error: { status: 400 } } }).protocol.message,
    ).toBe(
      "speaks protocol 2025-03-26: it answered server/discover with HTTP 400, as a 2025-11-25 server does, so a client that negotiates uses 2025-03-26 too.",
    );
  });

  test("silent on server/discover: a pass that says what it costs, and the start-up says how much was the wait", () => {
    const { protocol, startup } = run({ version: "2025-11-25", discover: { gaveUpMs: 2000 } }, 2300);
    expect(protocol).toMatchObject({ status: "pass" });
    expect(protocol.message).toBe(
      "speaks protocol 2025-11-25; it did not answer server/discover within 2.0 s, so a client that negotiates waits that long at each start before it sends initialize (Claude Code about 2.4 s).",
    );
    expect(startup.message).toBe(
      "start-up 2.3 s (2.0 s of it waiting for an answer to server/discover); its client allows 30 s.",
    );
  });

  test("exits on server/discover: a pass that says it was started twice", () => {
    expect(run({ version: "2025-11-25", discover: { exited: true }, restarted: true }).protocol.message).toBe(
      "speaks protocol 2025-11-25; it exits when asked server/discover before initialize, so a client that negotiates (Claude Code) starts it twice, as doctor did.",
    );
  });

  test("a 2026-07-28-only server too slow for a negotiating client's wait: warn, with the fix for a slow start", () => {
    const { protocol } = run({
      version: "2026-07-28",
      discover: { gaveUpMs: 2000, answeredMs: 3100 },
      restarted: true,
    });
    expect(protocol.status).toBe("warn");
    expect(protocol.message).toBe(
      "speaks protocol 2026-07-28 only, and answered server/discover only after 3.1 s: a client that stops waiting sooner (Claude Code waits about 2.4 s) sends initialize, which it refuses (-32022); doctor started it again in 2026-07-28.",
    );
    expect(protocol.fix).toMatch(/^See what it waits for at start .* its author can serve that era too\.$/);
  });

  test("a remote that answers server/discover with HTTP 5xx: warn, doctor connected without asking", () => {
    const { protocol } = run({ version: "2025-11-25", discover: { answeredMs: 5, error: { status: 502 } } });
    expect(protocol.status).toBe("warn");
    expect(protocol.message).toMatch(
      /answered server\/discover with HTTP 502 where a 2025-11-25 server answers 4xx/,
    );
  });

  test("a failed start says nothing about eras", () => {
    const result: ProbeResult = { ok: false, error: "x", stderr: [], noise: [] };
    expect(
      runScope("probe", { work, result, probeTimeoutMs: 10_000 }).some((c) => c.id === "probe.protocol"),
    ).toBe(false);
  });
});
