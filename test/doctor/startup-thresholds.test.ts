/**
 * probe.startup's thresholds against a client's start-up timeout (Claude Code's MCP_TIMEOUT),
 * on measured times handed in: no server has to be slow for real (doctor-wsl keeps one real slow
 * start, end to end).
 */
import { describe, expect, test } from "vitest";
import { clientById } from "../../src/core/clients/index.js";
import { runScope } from "../../src/core/doctor/all-checks.js";
import type { EntryWork } from "../../src/core/doctor/facts.js";
import type { ProbeResult } from "../../src/core/doctor/probe/live-probe.js";

const code = clientById("claude-code")!;

function startup(ms: number, env: Record<string, string> = {}) {
  const work: EntryWork = {
    where: { env: "wsl:Ubuntu", client: "claude-code", server: "slow" },
    clientName: "Claude Code",
    server: "slow",
    timeoutMs: code.startupTimeoutMs({}, env),
    managed: false,
    managedPackage: false,
    kind: "stdio",
  };
  const result: ProbeResult = { ok: true, startupMs: ms, tools: 1, stderr: [], noise: [] };
  const found = runScope("probe", { work, result, probeTimeoutMs: 10_000 }).filter(
    (c) => c.id === "probe.startup",
  );
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe("probe.startup against MCP_TIMEOUT", () => {
  test.each([
    [1399, "2800", "pass"],
    [1400, "2800", "warn"],
    [2799, "2800", "warn"],
    [2800, "2800", "fail"],
    [1500, "500", "fail"],
    [14_999, undefined, "pass"],
    [15_000, undefined, "warn"],
    [30_000, undefined, "fail"],
  ])("%i ms with MCP_TIMEOUT=%s: %s", (ms, timeout, status) => {
    const check = startup(ms, timeout === undefined ? {} : { MCP_TIMEOUT: timeout });
    expect(check.status).toBe(status);
  });

  // "its client", not the client's name: the same slow entry in several clients is one finding.
  test("the message says what the client allows and how long it took", () => {
    expect(startup(1500, { MCP_TIMEOUT: "2800" }).message).toBe(
      "start-up took 1.5 s, over half of the 2.8 s its client allows.",
    );
    expect(startup(1500, { MCP_TIMEOUT: "500" }).message).toMatch(
      /took 1\.5 s; its client allows 500 ms, so it gives up first/,
    );
    expect(startup(1500, { MCP_TIMEOUT: "500" }).fix).toMatch(/MCP_TIMEOUT\) can be given more time/);
  });
});
