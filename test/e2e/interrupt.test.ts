/**
 * Ctrl-C (SIGINT) and SIGTERM while `sync` installs: the real CLI, a real npm install of the
 * packed fixture from a loopback registry that holds the tarball (so the install is in flight for
 * as long as the test needs, with no sleep that could race). Required: exit 130, every npm process
 * stopped (also the one the cmd.exe stand-in started, as interop does), no client config written
 * after the signal, no half-written or temp file; the next sync converges.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, inject, type TestContext, test } from "vitest";
import { processesWith, waitFor } from "../doctor/helpers.js";
import {
  BIN,
  createFakeMachine,
  type FakeMachine,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { KEY, runInPty } from "../helpers/pty.js";
import { startRegistry } from "../helpers/registry.js";

let fixture: { name: string; tgz: string };

beforeAll(() => {
  fixture = { name: inject("fixtureName"), tgz: inject("fixtureTgz") };
});

/** What every client config holds now: its bytes, or null when absent, plus stray temp files. */
function snapshot(m: FakeMachine) {
  const files = [m.paths.claudeDesktopConfig, m.paths.cursorConfig, m.paths.claudeCodeConfig];
  return {
    files: files.map((f) => (existsSync(f) ? readFileSync(f, "utf8") : null)),
    temps: files.flatMap((f) =>
      existsSync(path.dirname(f)) ? readdirSync(path.dirname(f)).filter((n) => n.includes(".mcp-twin-")) : [],
    ),
  };
}

/**
 * A machine whose sync will hold its installs in flight until its registry is released; the test's
 * own, as is the registry, put away when the test finishes (the tests run at once).
 */
async function heldMachine({ onTestFinished }: TestContext) {
  const registry = await startRegistry(
    [
      {
        name: fixture.name,
        version: "1.0.0",
        tgz: fixture.tgz,
        bin: { "mcp-twin-fixture-server": "dist/server.js" },
      },
    ],
    { holdTarballs: true },
  );
  const m = createFakeMachine({ registryUrl: registry.url });
  onTestFinished(async () => {
    // What a failed run left running (on a broken build: npm orphans still writing into the machine).
    for (const p of processesWith(m.root))
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // gone
      }
    registry.release();
    await registry.close();
    m.cleanup();
  });
  writeManifest(m, {
    servers: {
      fixture: {
        package: `${fixture.name}@1.0.0`,
        share: "off",
        env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
      },
    },
  });
  writeSecrets(m, { FIXTURE_TOKEN: "fx-0011223344556677" });
  return { m, registry };
}

async function interruptedSync(t: TestContext, signal: "SIGINT" | "SIGTERM") {
  const { expect } = t;
  const { m, registry } = await heldMachine(t);
  const before = snapshot(m);

  const child = spawn(process.execPath, [BIN, "sync"], {
    env: m.env,
    cwd: m.paths.linuxHome,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  // Both environments' npm are downloading the package (WSL's own, and Windows' behind cmd.exe).
  await waitFor(() => registry.tarballs() >= 2, 60_000);
  const npmRunning = processesWith(m.root).filter((p) => p.cmd.includes("install"));
  expect(npmRunning.length).toBeGreaterThanOrEqual(2);
  child.kill(signal);
  const code = await exited;
  return { m, registry, before, code, stderr };
}

describe.concurrent("interrupted while npm installs, each with a registry of its own", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    test(`${signal} while npm installs: exit 130, npm stopped, no config written, the next sync converges`, async (t) => {
      const { expect } = t;
      const { m, registry, before, code, stderr } = await interruptedSync(t, signal);
      expect(code).toBe(130);
      // It says only what is true for this run (checked just below): no file but its cache written,
      // npm stopped on both sides, and how to finish.
      expect(stderr).toContain(
        "✖ Interrupted. It wrote nothing but mcp-twin's cache. npm ran in wsl:Ubuntu and windows: a package it did not finish, the next run installs. Run the command again to finish.\n",
      );
      // Nothing of this run is left running: not npm, not the cmd.exe stand-in, not npm's child.
      await waitFor(() => processesWith(m.root).length === 0, 5_000).catch(() => {});
      expect(processesWith(m.root)).toEqual([]);
      // Every client config is exactly as it was, and no temp file is left beside one.
      expect(snapshot(m)).toEqual(before);

      // Released, the next sync installs and writes everything.
      registry.release();
      const again = await m.run(["sync", "--json"]);
      expect(again.code, again.stderr).toBe(0);
      const report = JSON.parse(again.stdout) as { targets: Array<{ action: string }> };
      expect(report.targets.map((t) => t.action)).toEqual(["updated", "created", "created"]);
    }, 120_000);
  }

  // A person presses Ctrl-C at the terminal, while the live install lines spin: the keypress must
  // reach mcp-twin as the interrupt it is. (ora's default `discardStdin` put the terminal in raw mode
  // for the spinner's lifetime, so ^C became a byte no one read: the sync went on to the end.)
  test("Ctrl-C typed in a terminal while npm installs: exit 130, no config written", async (t) => {
    const { expect } = t;
    const { m, registry } = await heldMachine(t);
    const before = snapshot(m);
    const pty = runInPty(["sync"], m.env, m.paths.linuxHome);
    await pty.waitFor(/Installing in 2 environments/, 60_000);
    await waitFor(() => registry.tarballs() >= 2, 60_000);
    pty.type(KEY.ctrlC);
    // Answered within seconds, the installs still held: only the interrupt can end the run now.
    const ended = await Promise.race([
      pty.exit,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 15_000).unref()),
    ]);
    if (!ended) registry.release();
    expect(ended?.code, pty.output().slice(-1500)).toBe(130);
    expect(ended?.output).toContain("✖ Interrupted.");
    await waitFor(() => processesWith(m.root).length === 0, 5_000).catch(() => {});
    expect(processesWith(m.root)).toEqual([]);
    expect(snapshot(m)).toEqual(before);
  }, 120_000);
});
