/**
 * probe.startup's thresholds against a client's start-up timeout (Claude Code's MCP_TIMEOUT),
 * on measured times handed in: no server has to be slow for real (doctor-wsl keeps one real slow
 * start, end to end).
 */
import { describe, expect, test } from "vitest";
import { CLIENTS, clientById } from "../../src/core/clients/index.js";
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
    expect(startup(1500, { MCP_TIMEOUT: "500" }).fix).toBe(
      "See what the server waits for at start (start it by hand); Claude Code waits longer with MCP_TIMEOUT=1000 (ms) where it starts.",
    );
  });
});

describe("a slow start's fix names the client's own setting, or none", () => {
  const slow = (client: string, managed: boolean) => {
    const module = clientById(client)!;
    const work: EntryWork = {
      where: { env: "linux", client, server: "slow" },
      clientName: module.name,
      server: "slow",
      timeoutMs: module.startupTimeoutMs({}, {}),
      managed,
      managedPackage: false,
      kind: "stdio",
    };
    const result: ProbeResult = { ok: true, startupMs: 500_000, tools: 1, stderr: [], noise: [] };
    return runScope("probe", { work, result, probeTimeoutMs: 600_000 }).find((c) => c.id === "probe.startup")
      ?.fix;
  };

  test("Codex: its entry's startup_timeout_sec, through the manifest's clientFields; never Claude Code's variable", () => {
    const fix = slow("codex", true);
    expect(fix).toContain(
      'Codex waits longer with "startup_timeout_sec" (seconds) on its entry: `"clientFields": { "codex": { "startup_timeout_sec": 20 } }` on the manifest\'s "slow", then `mcp-twin sync`',
    );
    expect(fix).not.toContain("MCP_TIMEOUT");
  });

  test("a person's own Gemini CLI entry: its timeout in ms, in that entry", () => {
    expect(slow("gemini-cli", false)).toContain(
      'Gemini CLI waits longer with "timeout": 120000 (ms) on its entry',
    );
  });

  test("a client with no setting known (Cursor): no setting is named", () => {
    expect(slow("cursor", false)).toBe("See what the server waits for at start (start it by hand).");
  });

  test("every setting named on an entry is one sync keeps (the manifest's clientFields writes it)", () => {
    for (const c of CLIENTS) {
      const s = c.startupSetting;
      if (s && "key" in s) expect(c.keptKeys ?? [], c.id).toContain(s.key);
    }
  });
});
