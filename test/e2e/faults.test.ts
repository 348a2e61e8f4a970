/**
 * Faults: a sync killed with SIGKILL at random moments leaves every target either as it was or
 * fully updated, and parseable; two syncs at once lose nothing.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  BIN,
  createFakeMachine,
  type FakeMachine,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";

let m: FakeMachine;
const manifestWith = (flag: string) => ({
  servers: {
    fixture: {
      package: `${inject("fixtureName")}@1.0.0`,
      args: [flag],
      env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
    },
  },
});

beforeAll(async () => {
  m = createFakeMachine({ registryUrl: inject("registryUrl") });
  writeManifest(m, manifestWith("--a"));
  writeSecrets(m, { FIXTURE_TOKEN: "fx-0011223344556677" });
  expect((await m.run(["sync"])).code).toBe(0);
}, 120_000);
afterAll(() => m?.cleanup());

const targets = () => [m.paths.claudeDesktopConfig, m.paths.cursorConfig, m.paths.claudeCodeConfig];

function runUntilKilled(delayMs: number): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "sync"], {
      env: m.env,
      cwd: m.paths.linuxHome,
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === "SIGKILL", code });
    });
  });
}

describe("SIGKILL at random moments", () => {
  test("every target is always old or new and parseable; the next sync converges", async () => {
    const started = Date.now();
    expect((await m.run(["sync"])).code).toBe(0);
    const fullRun = Math.max(150, Date.now() - started);
    let killed = 0;
    let flag = "--a";
    for (let i = 0; i < 30; i++) {
      const previous = flag;
      flag = flag === "--a" ? "--b" : "--a";
      writeManifest(m, manifestWith(flag));
      const result = await runUntilKilled(Math.floor(Math.random() * fullRun * 1.5));
      if (result.killed) killed++;
      for (const file of targets()) {
        const doc = JSON.parse(readFileSync(file, "utf8"));
        const args = doc.mcpServers.fixture.args as string[];
        expect([previous, flag, "--a", "--b"]).toContain(args[args.length - 1]);
        if (file === m.paths.claudeCodeConfig) expect(doc.numStartups).toBe(1);
      }
      JSON.parse(readFileSync(path.join(m.paths.home, "state.json"), "utf8"));
    }
    expect(killed).toBeGreaterThan(5);
    const final = await m.run(["sync", "--json"]);
    expect(final.code).toBe(0);
    for (const file of targets())
      expect(JSON.parse(readFileSync(file, "utf8")).mcpServers.fixture.args.at(-1)).toBe(flag);
    const third = await m.run(["sync", "--json"]);
    expect(JSON.parse(third.stdout).targets.every((t: { action: string }) => t.action === "unchanged")).toBe(
      true,
    );
  }, 180_000);
});

describe("two syncs at once", () => {
  test("both succeed and nothing is lost (state keeps every target)", async () => {
    writeManifest(m, manifestWith("--concurrent"));
    const [a, b] = await Promise.all([
      m.run(["sync", "--client", "cursor"], { timeoutMs: 20_000 }),
      m.run(["sync", "--client", "claude-code", "--env", "wsl"], { timeoutMs: 20_000 }),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(JSON.parse(readFileSync(m.paths.cursorConfig, "utf8")).mcpServers.fixture.args.at(-1)).toBe(
      "--concurrent",
    );
    expect(JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.fixture.args.at(-1)).toBe(
      "--concurrent",
    );
    const state = JSON.parse(readFileSync(path.join(m.paths.home, "state.json"), "utf8"));
    expect(Object.keys(state.targets)).toHaveLength(3);
    const status = await m.run(["status", "--json"]);
    const rows = JSON.parse(status.stdout) as Array<{ client: string; state: string }>;
    expect(rows.find((r) => r.client === "cursor")?.state).toBe("synced");
    expect(rows.find((r) => r.client === "claude-code")?.state).toBe("synced");
    expect(rows.find((r) => r.client === "claude-desktop")?.state).toBe("stale");
    const leftovers = readdirSync(path.dirname(m.paths.cursorConfig)).filter((n) => n.includes(".mcp-twin-"));
    expect(leftovers).toEqual([]);
  }, 60_000);
});
