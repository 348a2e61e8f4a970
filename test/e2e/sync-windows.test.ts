/**
 * The same machine seen from PowerShell: mcp-twin on Windows itself reaches the WSL distro through
 * wsl.exe and \\wsl.localhost, shares the one home in %APPDATA%\mcp-twin, and agrees byte for byte
 * with what a sync from inside WSL wrote.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runCli,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { handshake } from "../helpers/mcp.js";

let win: FakeMachine;
let first: { code: number; stdout: string; stderr: string };

beforeAll(async () => {
  win = createFakeMachine({ kind: "windows", registryUrl: inject("registryUrl") });
  writeManifest(win, {
    servers: {
      fixture: {
        package: `${inject("fixtureName")}@1.0.0`,
        share: "off",
        env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
      },
    },
  });
  writeSecrets(win, { FIXTURE_TOKEN: "fx-aa11bb22cc33dd44" });
  first = await win.run(["sync", "--json"], { cwd: win.paths.profile });
}, 180_000);
afterAll(() => win?.cleanup());

describe("sync on Windows itself", () => {
  test("sees Windows locally and the user's WSL distro (not docker-desktop)", () => {
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.environments.map((e: { id: string }) => e.id)).toEqual(["windows", "wsl:Ubuntu"]);
    expect(report.environments.every((e: { usable: boolean }) => e.usable)).toBe(true);
  });

  test("installs into both prefixes: Windows directly, WSL through wsl.exe", () => {
    const linux = path.join(
      win.paths.linuxPrefix,
      "lib",
      "node_modules",
      inject("fixtureName"),
      "package.json",
    );
    const windows = path.join(win.paths.windowsPrefix, "node_modules", inject("fixtureName"), "package.json");
    expect(JSON.parse(readFileSync(linux, "utf8")).version).toBe("1.0.0");
    expect(JSON.parse(readFileSync(windows, "utf8")).version).toBe("1.0.0");
    expect(win.interopCalls().some((c) => c.includes("wsl.exe\t-l -q"))).toBe(true);
  });

  test("writes Windows clients and the WSL Claude Code config, each entry handshakes", async () => {
    const desktop = JSON.parse(readFileSync(win.paths.claudeDesktopConfig, "utf8")).mcpServers.fixture;
    expect(desktop.command).toBe("C:\\PROGRA~1\\nodejs\\node.exe");
    const wslCode = JSON.parse(readFileSync(win.paths.claudeCodeConfig, "utf8")).mcpServers.fixture;
    expect(wslCode.command).toBe("/usr/bin/node");
    const winCode = JSON.parse(readFileSync(path.join(win.paths.profile, ".claude.json"), "utf8"));
    expect(winCode.numStartups).toBe(7);
    expect(winCode.mcpServers.fixture.command).toBe("C:\\PROGRA~1\\nodejs\\node.exe");
    const onDrive = (c: string) =>
      /^[A-Za-z]:\\/.test(c) ? path.join(win.paths.drive, ...c.slice(3).split("\\")) : c;
    for (const entry of [desktop, wslCode]) {
      const s = await handshake(entry, {
        resolveCommand: onDrive,
        baseEnv: { PATH: process.env.PATH ?? "" },
      });
      expect(s.tools).toContain("echo");
      await s.close();
    }
  });

  test("one home: a sync from inside WSL on the same machine finds the same manifest and changes nothing", async () => {
    const r = await runCli(["sync", "--json"], win.wslEnv, win.paths.linuxHome);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.targets.map((t: { action: string }) => t.action)).toEqual(
      report.targets.map(() => "unchanged"),
    );
    expect(report.targets.length).toBeGreaterThanOrEqual(3);
  });
});
