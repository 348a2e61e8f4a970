/**
 * The rest of the life of a setup: versions resolved once and moved with --update, --prune,
 * project files with references, status, restore and uninstall.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import { type FakeMachine, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const SECRET = "fx-77aa55cc33ee11dd";
const setup = fixtureMachines(SECRET);

const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const installedVersion = (m: FakeMachine, side: "linux" | "windows") =>
  json(
    side === "linux"
      ? path.join(m.paths.linuxPrefix, "lib", "node_modules", inject("fixtureName"), "package.json")
      : path.join(m.paths.windowsPrefix, "node_modules", inject("fixtureName"), "package.json"),
  ).version;

describe("versions", () => {
  test("an unpinned package resolves once, every side gets that version, and --update moves it", async () => {
    const m = setup({}, { fixture: { package: `${inject("fixtureName")}@^1.0.0` } });
    // An earlier run resolved ^1.0.0 to 1.0.0 (state records it): sync keeps that, without network.
    mkdirSync(m.paths.home, { recursive: true });
    writeFileSync(
      path.join(m.paths.home, "state.json"),
      JSON.stringify({
        version: 1,
        packages: {
          [inject("fixtureName")]: {
            spec: `${inject("fixtureName")}@^1.0.0`,
            version: "1.0.0",
            resolvedAt: "2026-01-01T00:00:00Z",
          },
        },
        installs: {},
        targets: {},
      }),
    );
    expect((await m.run(["sync"])).code).toBe(0);
    expect([installedVersion(m, "linux"), installedVersion(m, "windows")]).toEqual(["1.0.0", "1.0.0"]);
    const update = await m.run(["sync", "--update", "--json"]);
    expect(update.code).toBe(0);
    const rows = JSON.parse(update.stdout).installs.filter((i: { action: string }) => i.action === "updated");
    expect(rows.map((r: { env: string; version: string }) => `${r.env}@${r.version}`).sort()).toEqual([
      "windows@1.1.0",
      "wsl:Ubuntu@1.1.0",
    ]);
    expect([installedVersion(m, "linux"), installedVersion(m, "windows")]).toEqual(["1.1.0", "1.1.0"]);
    expect(json(m.paths.cursorConfig).mcpServers.fixture.args[0]).toContain(
      "mcp-twin-fixture-server\\dist\\server.js",
    );
    // The version --update moved to is recorded though no entry changed (the paths are the same):
    // the next sync keeps it, and installs nothing.
    expect(json(path.join(m.paths.home, "state.json")).packages[inject("fixtureName")].version).toBe("1.1.0");
    const next = await m.run(["sync", "--json"]);
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).installs.map((i: { action: string }) => i.action)).toEqual([
      "present",
      "present",
    ]);
    expect([installedVersion(m, "linux"), installedVersion(m, "windows")]).toEqual(["1.1.0", "1.1.0"]);
  });

  test("remove + sync says the package stays installed, and that sync --prune uninstalls it; --prune then does", async () => {
    const m = await setup.synced();
    const removed = await m.run(["remove", "fixture", "--sync"]);
    expect(removed.code).toBe(0);
    const pkg = inject("fixtureName");
    expect(removed.stdout).toMatch(
      new RegExp(
        `^ℹ ${pkg}@1\\.1\\.0 \\((wsl:Ubuntu and windows|windows and wsl:Ubuntu)\\) stays installed: no server of the manifest uses it now\\. \`mcp-twin sync --prune\` uninstalls it\\.$`,
        "m",
      ),
    );
    const again = JSON.parse((await m.run(["sync", "--json"])).stdout);
    expect(again.unused.map((u: { env: string }) => u.env).sort()).toEqual(["windows", "wsl:Ubuntu"]);
    expect(again.unused[0]).toMatchObject({ package: pkg, version: "1.1.0" });
    const pruned = await m.run(["sync", "--prune"]);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).not.toContain("stays installed");
    expect((await m.run(["sync"])).stdout).not.toContain("stays installed");
  });

  test("--prune uninstalls the packages of servers removed from the manifest, on both sides", async () => {
    const m = await setup.synced();
    writeManifest(m, { servers: {} });
    const r = await m.run(["sync", "--prune", "--json"]);
    expect(r.code).toBe(0);
    const removed = JSON.parse(r.stdout).installs.filter((i: { action: string }) => i.action === "removed");
    expect(removed.map((i: { env: string }) => i.env).sort()).toEqual(["windows", "wsl:Ubuntu"]);
    expect(existsSync(path.join(m.paths.linuxPrefix, "lib", "node_modules", inject("fixtureName")))).toBe(
      false,
    );
    expect(existsSync(path.join(m.paths.windowsPrefix, "node_modules", inject("fixtureName")))).toBe(false);
  });
});

describe("project scope", () => {
  test("project files get variable references, never secret values, and say which to set", async () => {
    const m = setup();
    const project = path.join(m.paths.linuxHome, "app");
    mkdirSync(path.join(project, ".cursor"), { recursive: true });
    mkdirSync(path.join(m.paths.linuxHome, ".cursor"), { recursive: true });
    const r = await m.run(["sync", "--project", project]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("set FIXTURE_TOKEN");
    expect(json(path.join(project, ".mcp.json")).mcpServers.fixture.env).toEqual({
      FIXTURE_TOKEN: "${FIXTURE_TOKEN}",
    });
    expect(json(path.join(project, ".cursor", "mcp.json")).mcpServers.fixture.env).toEqual({
      FIXTURE_TOKEN: "${env:FIXTURE_TOKEN}",
    });
    expect(readFileSync(path.join(project, ".mcp.json"), "utf8")).not.toContain(SECRET);
  });
});

describe("status, restore, uninstall", () => {
  test("status reports synced, drifted, foreign, missing and stale", async () => {
    const m = await setup.synced(
      {},
      { fixture: { package: inject("fixtureName") }, other: { command: "uvx", args: ["x"] } },
    );
    const cursor = json(m.paths.cursorConfig);
    cursor.mcpServers.fixture.args.push("--extra"); // drifted
    delete cursor.mcpServers.other; // missing
    writeFileSync(m.paths.cursorConfig, JSON.stringify(cursor));
    const code = json(m.paths.claudeCodeConfig);
    code.mcpServers.third = { command: "mine" };
    writeFileSync(m.paths.claudeCodeConfig, JSON.stringify(code));
    writeManifest(m, {
      servers: {
        fixture: { package: inject("fixtureName"), args: ["--new"] },
        other: { command: "uvx", args: ["x"] },
        third: { command: "theirs" },
      },
    });
    const r = await m.run(["status", "--json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ server: string; client: string; state: string }>;
    const at = (client: string, server: string) =>
      rows.find((x) => x.client === client && x.server === server)?.state;
    expect(at("cursor", "fixture")).toBe("drifted");
    expect(at("cursor", "other")).toBe("missing");
    expect(at("claude-code", "third")).toBe("foreign");
    expect(at("claude-code", "fixture")).toBe("stale");
    expect(at("claude-code", "other")).toBe("synced");
  });

  test("restore puts back our entries as they were and keeps what the app wrote since", async () => {
    const m = setup();
    writeFileSync(
      m.paths.claudeCodeConfig,
      '{\n  "numStartups": 1,\n  "mcpServers": {\n    "fixture": { "command": "npx", "args": ["-y", "old"] }\n  }\n}\n',
    );
    await m.run(["sync", "--force"]);
    expect(json(m.paths.claudeCodeConfig).mcpServers.fixture.command).toBe("/usr/bin/node");
    // Claude Code rewrites its own state after the sync.
    const now = json(m.paths.claudeCodeConfig);
    now.numStartups = 2;
    writeFileSync(m.paths.claudeCodeConfig, JSON.stringify(now, null, 2));
    const r = await m.run(["restore", "claude-code"]);
    expect(r.code).toBe(0);
    const restored = json(m.paths.claudeCodeConfig);
    expect(restored.mcpServers.fixture).toEqual({ command: "npx", args: ["-y", "old"] });
    expect(restored.numStartups).toBe(2);
    // Targets the sync created: restore removes our entries, and the file goes as it came.
    expect(existsSync(m.paths.cursorConfig)).toBe(true);
    await m.run(["restore"]);
    expect(existsSync(m.paths.cursorConfig)).toBe(false);
  });

  test("uninstall removes only mcp-twin's entries (hand-edited ones need --force) and, with --packages, its packages", async () => {
    const m = setup();
    writeFileSync(m.paths.cursorConfig, JSON.stringify({ mcpServers: { mine: { command: "x" } } }));
    await m.run(["sync"]);
    const desktop = json(m.paths.claudeDesktopConfig);
    desktop.mcpServers.fixture.args.push("--edited");
    writeFileSync(m.paths.claudeDesktopConfig, JSON.stringify(desktop));
    const r = await m.run(["uninstall", "--packages"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("edited by hand; kept");
    expect(json(m.paths.cursorConfig).mcpServers).toEqual({ mine: { command: "x" } });
    expect(json(m.paths.claudeCodeConfig).mcpServers).toEqual({});
    expect(json(m.paths.claudeDesktopConfig).mcpServers.fixture.args).toContain("--edited");
    expect(existsSync(path.join(m.paths.linuxPrefix, "lib", "node_modules", inject("fixtureName")))).toBe(
      false,
    );
    await m.run(["uninstall", "--force"]);
    // mcp-twin created that file, and nothing else is in it now: it goes.
    expect(existsSync(m.paths.claudeDesktopConfig)).toBe(false);
  });
});

describe("after a change", () => {
  test("says which apps to restart and warns when one is running", async () => {
    const m = setup({ running: ["claude.exe"] });
    const r = await m.run(["sync"]);
    // Claude Code (in WSL) reads its config when a session starts: it is named too.
    expect(r.stdout).toContain(
      "Restart Claude Desktop and Cursor, and start a new Claude Code session, to load the changes.",
    );
    expect(r.stdout).toContain("Claude Desktop is running now");
    const again = await m.run(["sync"]);
    expect(again.stdout).not.toContain("Restart");
    expect(again.stdout).not.toContain("session");
  });

  test("when it cannot see which apps run, it names them and what to do, not '(Could not tell whether they are running.)'", async () => {
    const m = setup();
    // No tasklist.exe: which Windows apps run cannot be seen.
    rmSync(path.join(m.paths.drive, "Windows", "System32", "tasklist.exe"));
    const r = await m.run(["sync"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "Restart Claude Desktop and Cursor, and start a new Claude Code session, to load the changes.\nIf Claude Desktop or Cursor is open, quit it fully (tray icon too) and start it again: mcp-twin could not see which apps are running.\n",
    );
    expect(r.stdout).not.toContain("Could not tell");
  });

  test("names only the clients whose config changed: a command-line client alone needs a new session", async () => {
    const m = setup();
    await m.run(["sync", "--client", "claude-desktop", "--client", "cursor"]);
    writeManifest(m, {
      servers: {
        // "off" as setup's: the restart lines are the subject, not the bridge a shared one starts.
        fixture: {
          package: inject("fixtureName"),
          share: "off",
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
        },
        time: { command: "uvx", args: ["mcp-server-time"] },
      },
    });
    const r = await m.run(["sync", "--client", "claude-code"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("\nStart a new Claude Code session to load the changes.\n");
    expect(r.stdout).not.toContain("Restart");
    expect(r.stdout).not.toContain("could not see");
    const json = JSON.parse((await m.run(["sync", "--json"])).stdout);
    expect(json.restart).toMatchObject({ apps: ["Claude Desktop", "Cursor"], sessions: [] });
  });
});
