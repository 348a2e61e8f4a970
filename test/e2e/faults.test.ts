/**
 * Faults: a sync killed with SIGKILL at random moments leaves every target either as it was or
 * fully updated, and parseable; two syncs at once lose nothing.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, watch } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  BIN,
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";

// The runs around each fault run in this process (test/helpers/in-process.ts); the run killed, and
// the two that race for the lock, are the built binary.
runInProcessByDefault();

let m: FakeMachine;
const manifestWith = (flag: string) => ({
  servers: {
    fixture: {
      package: `${inject("fixtureName")}@1.0.0`,
      args: [flag],
      share: "off",
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
    // A whole run of the binary, as each killed one is: the kills land anywhere in it.
    const started = Date.now();
    expect((await m.runBinary(["sync"])).code).toBe(0);
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
      m.runBinary(["sync", "--client", "cursor"], { timeoutMs: 20_000 }),
      m.runBinary(["sync", "--client", "claude-code", "--env", "wsl"], { timeoutMs: 20_000 }),
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

/**
 * Issue 11: restore records what it puts back before it touches a file (as sync does), so a
 * restore killed half-way never leaves its entries looking like someone else's — the next
 * uninstall still finds and removes every one of them. The kill lands right after the first file
 * is replaced (seen through inotify), before the others and before the final save of state.
 */
describe("restore killed after its first file", () => {
  test("what it put back is mcp-twin's: the next uninstall leaves no entry and no key behind", async () => {
    const secret = "fx-8899aabbccddeeff";
    const r = createFakeMachine({ registryUrl: inject("registryUrl") });
    try {
      writeManifest(r, manifestWith("--r"));
      writeSecrets(r, { FIXTURE_TOKEN: secret });
      expect((await r.run(["sync"])).code).toBe(0);
      const files = [r.paths.claudeCodeConfig, r.paths.claudeDesktopConfig, r.paths.cursorConfig];
      const read = () => files.map((f) => (existsSync(f) ? readFileSync(f, "utf8") : null));
      const synced = read();
      let halfway = 0;
      for (let i = 0; i < 6; i++) {
        expect((await r.run(["uninstall", "--yes"])).code).toBe(0);
        const uninstalled = read();
        // ~/.claude.json is the first file restore writes: kill it the moment that file is replaced.
        await restoreKilledAfter(r, files[0]!);
        const now = read();
        if (now[0] === synced[0] && now.some((t, n) => t !== synced[n])) halfway++;
        // Whatever the restore had put back, the next uninstall removes it all.
        const u = await r.run(["uninstall", "--yes"]);
        expect(u.code, u.stderr).toBe(0);
        expect(read(), `run ${i}`).toEqual(uninstalled);
        for (const text of read()) expect(text ?? "").not.toContain(secret);
        // That uninstall wrote only what the killed restore had put back, so a restore (the last
        // change) would put back only that: sync writes every entry again for the next round.
        expect((await r.run(["sync"])).code).toBe(0);
        expect(read()).toEqual(synced);
      }
      // The kill must have landed between two files at least once for this to show anything.
      expect(halfway).toBeGreaterThan(0);
    } finally {
      r.cleanup();
    }
  }, 180_000);
});

/** Run `restore --yes` and SIGKILL it as soon as `file` is replaced (its rename is seen). */
function restoreKilledAfter(machine: FakeMachine, file: string): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "restore", "--yes"], {
      env: machine.env,
      cwd: machine.paths.linuxHome,
      stdio: "ignore",
    });
    const watcher = watch(path.dirname(file), (_event, name) => {
      if (name === path.basename(file)) child.kill("SIGKILL");
    });
    child.on("exit", () => {
      watcher.close();
      resolve();
    });
  });
}
