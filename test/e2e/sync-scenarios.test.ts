/**
 * sync in the situations users meet: the Store build of Claude Desktop, hand edits, same-named
 * entries it never wrote, servers dropped from the manifest, a failed install, bad input, and the
 * WSL traps (Windows npm first on PATH, no Node on Windows, interop off).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import {
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { handshake } from "../helpers/mcp.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const SECRET = "fx-3e8a1f0c9b7d5a2e";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);

const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const syncJson = async (m: FakeMachine, ...args: string[]) => {
  const r = await m.run(["sync", "--json", ...args]);
  return { ...r, report: r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
};

describe("Claude Desktop from the Store (MSIX)", () => {
  test("the packaged config is written and reported, the classic path left alone", async () => {
    const m = setup({ msix: true });
    const { code, report } = await syncJson(m);
    expect(code).toBe(0);
    const desktop = report.targets.find((t: { client: string }) => t.client === "claude-desktop");
    expect(desktop.path).toContain("Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude");
    expect(desktop.note).toMatch(/MSIX/);
    expect(json(m.paths.claudeDesktopConfig).mcpServers.fixture.command).toBe(
      "C:\\PROGRA~1\\nodejs\\node.exe",
    );
    expect(existsSync(path.join(m.paths.appdata, "Claude", "claude_desktop_config.json"))).toBe(false);
  });
});

describe("ownership", () => {
  test("a hand edit is drift: reported and kept, overwritten with --force", async () => {
    const m = await setup.synced();
    const cfg = json(m.paths.cursorConfig);
    cfg.mcpServers.fixture.args.push("--verbose");
    writeFileSync(m.paths.cursorConfig, JSON.stringify(cfg, null, 2));
    const second = await syncJson(m);
    const cursor = second.report.targets.find((t: { client: string }) => t.client === "cursor");
    expect(cursor.drift).toEqual(["fixture"]);
    expect(cursor.action).toBe("unchanged");
    expect(json(m.paths.cursorConfig).mcpServers.fixture.args).toContain("--verbose");
    const planned = await syncJson(m, "--force", "--dry-run");
    const plannedCursor = planned.report.targets.find((t: { client: string }) => t.client === "cursor");
    expect(plannedCursor).toMatchObject({ updated: ["fixture"], drift: [], overwritten: ["fixture"] });
    // --force says what it did to the edit: overwritten, not "kept" (and no advice to use --force).
    const forced = await m.run(["sync", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(
      "▲ fixture: edited by hand since the last sync; overwritten with the manifest's entry (--force); `mcp-twin restore` puts the edit back",
    );
    expect(forced.stdout).not.toContain("kept");
    expect(forced.stdout).not.toContain("--force overwrites it");
    expect(json(m.paths.cursorConfig).mcpServers.fixture.args).not.toContain("--verbose");
    // What it said: restore puts the edit back.
    expect((await m.run(["restore", "--yes"])).code).toBe(0);
    expect(json(m.paths.cursorConfig).mcpServers.fixture.args).toContain("--verbose");
  });

  test("an entry mcp-twin never wrote is foreign: never touched unless --force", async () => {
    const m = setup();
    const mine = {
      mcpServers: {
        fixture: { command: "npx", args: ["-y", "something-else"] },
        other: { command: "uvx", args: ["x"] },
      },
    };
    writeFileSync(m.paths.cursorConfig, JSON.stringify(mine, null, 2));
    const first = await syncJson(m);
    expect(first.report.targets.find((t: { client: string }) => t.client === "cursor").foreign).toEqual([
      "fixture",
    ]);
    expect(json(m.paths.cursorConfig)).toEqual(mine);
    const forced = await m.run(["sync", "--force"]);
    expect(forced.stdout).toContain(
      "▲ fixture: an entry mcp-twin did not write had this name; taken over (--force); `mcp-twin uninstall` gives it back as you wrote it",
    );
    expect(forced.stdout).not.toContain("left alone");
    const after = json(m.paths.cursorConfig);
    expect(after.mcpServers.fixture.command).toBe("C:\\PROGRA~1\\nodejs\\node.exe");
    expect(after.mcpServers.other).toEqual(mine.mcpServers.other);
  });

  test("a server dropped from the manifest is removed; the user's own entries stay", async () => {
    const m = setup();
    writeFileSync(
      m.paths.claudeCodeConfig,
      '{\n  "numStartups": 4,\n  "mcpServers": {\n    "mine": { "command": "uvx", "args": ["x"] }\n  }\n}\n',
    );
    await m.run(["sync"]);
    expect(Object.keys(json(m.paths.claudeCodeConfig).mcpServers)).toEqual(["mine", "fixture"]);
    writeManifest(m, { servers: {} });
    const { report } = await syncJson(m);
    expect(report.targets.every((t: { removed: string[] }) => t.removed.join() === "fixture")).toBe(true);
    expect(readFileSync(m.paths.claudeCodeConfig, "utf8")).toBe(
      '{\n  "numStartups": 4,\n  "mcpServers": {\n    "mine": { "command": "uvx", "args": ["x"] }\n  }\n}\n',
    );
  });
});

describe("failures", () => {
  test("a failed Windows install names package, environment and npm's error; Windows configs keep their old entry; WSL goes ahead", async () => {
    const m = setup({ failWindowsInstall: inject("fixtureName") });
    const { code, report } = await syncJson(m);
    expect(code).toBe(1);
    const failed = report.installs.find((i: { action: string }) => i.action === "failed");
    expect(failed).toMatchObject({ env: "windows", package: inject("fixtureName"), version: "1.0.0" });
    expect(failed.error).toMatch(/E404/);
    const byClient = Object.fromEntries(
      report.targets.map((t: { client: string; action: string }) => [t.client, t.action]),
    );
    expect(byClient).toEqual({ "claude-desktop": "failed", cursor: "failed", "claude-code": "updated" });
    expect(existsSync(m.paths.claudeDesktopConfig)).toBe(false);
    expect(json(m.paths.claudeCodeConfig).mcpServers.fixture.command).toBe("/usr/bin/node");
  });

  test("an update whose install fails: the report names the version that is not there, not the package (the old one is)", async () => {
    const m = await setup.synced();
    const entries = () =>
      [m.paths.claudeDesktopConfig, m.paths.cursorConfig].map((f) => readFileSync(f, "utf8"));
    const before = entries();
    // A version the registry does not have: npm fails (ETARGET), 1.0.0 stays installed.
    writeManifest(m, {
      servers: {
        fixture: {
          package: `${inject("fixtureName")}@9.9.9`,
          share: "off",
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
        },
      },
    });
    const r = await m.run(["sync"]);
    expect(r.code).toBe(1);
    expect(existsSync(path.join(m.paths.windowsPrefix, "node_modules", inject("fixtureName")))).toBe(true);
    expect(r.stdout).toContain(`✖ fixture: ${inject("fixtureName")}@9.9.9 is not installed in windows\n`);
    expect(r.stdout).not.toContain(`${inject("fixtureName")} is not installed in`);
    expect(entries()).toEqual(before);
  }, 120_000);

  test("a client config that does not parse stops everything before any change (exit 2, file:line:column)", async () => {
    const m = setup();
    writeFileSync(m.paths.cursorConfig, '{\n  "mcpServers": {\n    "a": 1\n    "b": 2\n  }\n}\n');
    const claudeBefore = readFileSync(m.paths.claudeCodeConfig, "utf8");
    const { code, report, stderr } = await syncJson(m);
    expect(code).toBe(2);
    expect(report.errors[0]).toMatchObject({
      code: "config-parse",
      file: m.paths.cursorConfig,
      line: 4,
      column: 5,
    });
    expect(stderr).toBe("");
    expect(readFileSync(m.paths.claudeCodeConfig, "utf8")).toBe(claudeBefore);
    expect(existsSync(m.paths.claudeDesktopConfig)).toBe(false);
    expect(existsSync(path.join(m.paths.linuxPrefix, "lib", "node_modules", inject("fixtureName")))).toBe(
      false,
    );
    const human = await m.run(["sync"]);
    expect(human.code).toBe(2);
    // Named as Windows names it (the --json `file` is the path this process opened).
    expect(human.stderr).toContain(`C:\\Users\\${m.windowsUser}\\.cursor\\mcp.json:4:5: comma expected`);
  });

  test("an invalid manifest is refused with its line and column, nothing written", async () => {
    const m = setup();
    writeManifest(
      m,
      '{\n  "servers": {\n    "fixture": { "package": "x", "url": "https://example.com/mcp" },\n    "bad name!": { "command": "x" }\n  }\n}\n',
    );
    const { code, report } = await syncJson(m);
    expect(code).toBe(2);
    expect(
      report.errors.map((e: { line: number; message: string }) => [e.line, e.message.replace(/^.*?: /, "")]),
    ).toEqual([
      [3, expect.stringMatching(/servers\.fixture: has package and url/)],
      [4, expect.stringMatching(/servers\.bad name!/)],
    ]);
    expect(existsSync(path.join(m.paths.home, "state.json"))).toBe(false);
  });

  test("an unresolved secret is an error naming server and variable, never a placeholder in a config", async () => {
    const m = setup();
    writeSecrets(m, {});
    const r = await m.run(["sync"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("servers.fixture: secret FIXTURE_TOKEN is not set");
    expect(r.stderr).toContain("mcp-twin secret set FIXTURE_TOKEN");
    expect(existsSync(m.paths.cursorConfig)).toBe(false);
  });
});

describe("dry run", () => {
  test("shows unified diffs with secrets masked and writes nothing at all", async () => {
    const m = setup();
    const r = await m.run(["sync", "--dry-run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("+++ C:\\Users\\alice\\.cursor\\mcp.json");
    expect(r.stdout).toContain('"FIXTURE_TOKEN": "********"');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(existsSync(m.paths.cursorConfig)).toBe(false);
    expect(existsSync(path.join(m.paths.home, "state.json"))).toBe(false);
    expect(existsSync(path.join(m.paths.linuxPrefix, "lib", "node_modules"))).toBe(false);
    expect(readdirSync(m.paths.windowsPrefix)).toEqual([]);
  });
});

describe("the WSL traps", () => {
  test("Windows npm first on the WSL PATH: WSL is unusable, said why, and WSL Claude Code runs the Windows install through interop", async () => {
    const m = setup({ linuxNpm: false });
    const { code, report } = await syncJson(m);
    expect(code).toBe(0);
    const wsl = report.environments.find((e: { id: string }) => e.id === "wsl:Ubuntu");
    expect(wsl.usable).toBe(false);
    expect(wsl.reason).toMatch(/^no Linux npm: PATH finds Windows' npm \(C:\\Program Files\\nodejs\\npm\)/);
    const entry = json(m.paths.claudeCodeConfig).mcpServers.fixture;
    expect(entry.command).toBe(path.join(m.paths.drive, "Program Files", "nodejs", "node.exe"));
    expect(entry.env).toEqual({ FIXTURE_TOKEN: SECRET, WSLENV: "FIXTURE_TOKEN/w" });
    const session = await handshake(entry, { baseEnv: { PATH: m.env.PATH ?? "" } });
    expect(session.tools).toContain("echo");
    await session.close();
  });

  test("no Node.js on Windows: Windows clients reach the WSL install through wsl.exe, with WSLENV carrying the key", async () => {
    const m = setup({ windowsNode: false });
    const { code, report } = await syncJson(m);
    expect(code).toBe(0);
    expect(report.environments.find((e: { id: string }) => e.id === "windows").reason).toMatch(
      /Node\.js is not installed on Windows/,
    );
    const entry = json(m.paths.claudeDesktopConfig).mcpServers.fixture;
    const script = path.join(
      m.paths.linuxPrefix,
      "lib",
      "node_modules",
      inject("fixtureName"),
      "dist",
      "server.js",
    );
    expect(entry).toEqual({
      command: "wsl.exe",
      args: ["-d", "Ubuntu", "--exec", "/usr/bin/node", script],
      env: { FIXTURE_TOKEN: SECRET, WSLENV: "FIXTURE_TOKEN/u" },
    });
    const session = await handshake(entry, {
      resolveCommand: () => path.join(m.paths.drive, "Windows", "System32", "wsl.exe"),
      baseEnv: { PATH: m.env.PATH ?? "" },
    });
    expect(JSON.parse(await session.call("env", { name: "FIXTURE_TOKEN" }))).toEqual({
      set: true,
      length: SECRET.length,
    });
    await session.close();
  });

  test("interop off: the home is still found on C:, Windows configs are written, nothing is installed on Windows", async () => {
    const m = setup({ interop: false });
    const { code, report } = await syncJson(m);
    expect(code).toBe(0);
    expect(report.environments.find((e: { id: string }) => e.id === "windows")).toMatchObject({
      usable: false,
      reason: expect.stringMatching(/WSL_INTEROP/),
    });
    expect(json(m.paths.claudeDesktopConfig).mcpServers.fixture.command).toBe("wsl.exe");
    expect(m.interopCalls()).toEqual([]);
    expect(existsSync(path.join(m.paths.home, "state.json"))).toBe(true);
  });
});
