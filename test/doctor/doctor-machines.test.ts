/**
 * doctor on fake machines built broken from the start: Windows' npm first on the WSL PATH, a Store
 * (MSIX) Claude Desktop beside a classic config, Windows clients with bare npx, an app running since
 * before its config changed, an outdated Node on Windows. Each fails for real, then is repaired.
 */
import { mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { doctor, one, pick } from "./helpers.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const machines: FakeMachine[] = [];
const make = (options: Parameters<typeof createFakeMachine>[0]) => {
  const m = createFakeMachine(options);
  machines.push(m);
  return m;
};
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

const writeJson = (file: string, data: unknown) => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
};
const REAL_NPM = realpathSync(
  path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js"),
);

describe("environments", () => {
  test("Windows' npm that does not say its version with its prefix: doctor asks it, and the pass says it", async () => {
    const m = make({ npmQuietVersion: true });
    const run = await doctor(m, ["--no-probe"]);
    const c = one(run, "npm.present", { env: "windows" });
    expect(c.status).toBe("pass");
    expect(c.message).toBe("npm 10.9.0 with global prefix C:\\Users\\alice\\AppData\\Roaming\\npm.");
    expect(m.interopCalls().filter((l) => /npm(\.cmd)?\t?.*--version/.test(l))).toHaveLength(1);
  });

  test("no Linux npm: Claude Code's entry runs Windows' node.exe, named in Windows form like every file on the drive", async () => {
    const m = make({ linuxNpm: false, registryUrl: inject("registryUrl") });
    writeManifest(m, { servers: { fixture: { package: inject("fixtureName") } } });
    expect((await m.run(["sync"])).code).toBe(0);
    const entry = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.fixture;
    expect(entry.command).toBe(path.join(m.paths.drive, "Program Files", "nodejs", "node.exe"));
    const run = await doctor(m, ["--verbose", "--no-probe"]);
    expect(one(run, "entry.spawn", { client: "claude-code", server: "fixture" }).message).toBe(
      "Claude Code starts C:\\Program Files\\nodejs\\node.exe directly, through WSL interop.",
    );
  });

  test("Windows' npm first on the WSL PATH, then Linux npm installed", async () => {
    const m = make({ linuxNpm: false });
    const run = await doctor(m, ["--no-probe"]);
    const c = one(run, "npm.foreign", { env: "wsl:Ubuntu" });
    expect(c.status).toBe("fail");
    // A file on the Windows drive, shown as Windows shows it (one style per side).
    expect(c.message).toContain("PATH finds Windows' npm (C:\\Program Files\\nodejs\\npm)");
    expect(c.message).not.toContain(m.paths.drive);
    expect(c.fix).toMatch(/inside WSL/);
    // One cause, one finding: npm.foreign says npm does not answer for Linux; npm.present does not repeat it.
    expect(c.message).toContain("npm does not answer in wsl:Ubuntu");
    expect(c.fix?.match(/Install npm/g)).toHaveLength(1);
    expect(pick(run, "npm.present", { env: "wsl:Ubuntu" })).toEqual([]);
    expect(run.code).toBe(1);

    symlinkSync(REAL_NPM, path.join(m.root, "linux-bin", "npm"));
    const fixed = await doctor(m, ["--no-probe"]);
    expect(one(fixed, "npm.foreign", { env: "wsl:Ubuntu" }).status).toBe("pass");
    expect(one(fixed, "npm.present", { env: "wsl:Ubuntu" }).status).toBe("pass");
  });

  test("an outdated Node.js on Windows", async () => {
    const m = make({});
    writeManifest(m, { servers: { fx: { package: "mcp-twin-fixture-server" } } });
    const config = path.join(m.paths.drive, ".fake-windows.json");
    const original = readFileSync(config, "utf8");
    writeFileSync(config, original.replace('"nodeVersion": "v22.11.0"', '"nodeVersion": "v16.20.2"'));
    const c = one(await doctor(m, ["--no-probe"]), "node.version", { env: "windows" });
    expect(c.status).toBe("fail");
    expect(c.message).toContain("v16.20.2");

    writeFileSync(config, original);
    rmSync(path.join(m.paths.home, "cache"), { recursive: true, force: true });
    expect(one(await doctor(m, ["--no-probe"]), "node.version", { env: "windows" }).status).toBe("pass");
  });

  test("no Node.js on Windows while a package server must run there", async () => {
    const m = make({ windowsNode: false });
    writeManifest(m, { servers: { fx: { package: "mcp-twin-fixture-server" } } });
    const c = one(await doctor(m, ["--no-probe"]), "node.present", { env: "windows" });
    expect(c.status).toBe("fail");
    expect(c.fix).toMatch(/Install Node\.js LTS on Windows/);
  });

  test("the home cannot be found (interop off, two Windows profiles), then can", async () => {
    const m = make({ interop: false });
    const second = path.join(m.paths.drive, "Users", "carol", "AppData", "Roaming");
    mkdirSync(second, { recursive: true });
    const run = await doctor(m, ["--no-probe"]);
    const c = one(run, "env.home");
    expect(c.status).toBe("fail");
    expect(c.fix).toMatch(/MCP_TWIN_HOME/);
    expect(run.code).toBe(1);
    rmSync(path.join(m.paths.drive, "Users", "carol"), { recursive: true });
    expect(one(await doctor(m, ["--no-probe"]), "env.home").status).toBe("pass");
  });

  test("no manifest: a warning, the client configs are still checked", async () => {
    const m = make({});
    const run = await doctor(m, ["--no-probe"]);
    expect(one(run, "manifest.found").status).toBe("warn");
    expect(one(run, "config.parse", { client: "claude-code" }).status).toBe("pass");
    expect(run.code).toBe(0);
    writeManifest(m, { servers: {} });
    expect(one(await doctor(m, ["--no-probe"]), "manifest.found").status).toBe("pass");
  });
});

describe("Claude Desktop", () => {
  test("Store (MSIX) build: servers left in the classic %APPDATA%\\Claude file are ignored", async () => {
    const m = make({ msix: true });
    writeJson(m.paths.claudeDesktopConfig, { mcpServers: {} });
    const classic = path.join(m.paths.appdata, "Claude", "claude_desktop_config.json");
    writeJson(classic, { mcpServers: { legacy: { command: "node", args: ["x.js"] } } });
    const c = one(await doctor(m, ["--no-probe"]), "config.location", {
      env: "windows",
      client: "claude-desktop",
    });
    expect(c.status).toBe("warn");
    expect(c.message).toContain("Claude_pzs8sxrjxfjjc");
    // A server's name is said to be one ("holds legacy" could read as a word).
    expect(c.message).toMatch(
      /; it ignores C:\\Users\\alice\\AppData\\Roaming\\Claude\\claude_desktop_config\.json, which holds the server legacy\.$/,
    );
    expect(c.fix).toContain("mcp-twin import");

    writeJson(classic, { mcpServers: {} });
    const fixed = one(await doctor(m, ["--no-probe"]), "config.location", { client: "claude-desktop" });
    expect(fixed.status).toBe("pass");
    expect(fixed.message).toMatch(/Packages\\Claude_pzs8sxrjxfjjc\\LocalCache\\Roaming\\Claude/);
  });

  test("started before its config changed: it must be restarted", async () => {
    const m = make({
      running: ["claude.exe"],
      runningSince: { "claude.exe": "2020-01-01T08:00:00.0000000Z" },
    });
    writeJson(m.paths.claudeDesktopConfig, { mcpServers: {} });
    const c = one(await doctor(m, ["--no-probe"]), "client.restart", {
      env: "windows",
      client: "claude-desktop",
    });
    expect(c.status).toBe("warn");
    expect(c.message).toContain("2020-01-01T08:00:00.000Z");
    expect(c.fix).toMatch(/Quit Claude Desktop fully/);
    expect(m.interopCalls().some((l) => /powershell\.exe.*Get-Process -Name claude/.test(l))).toBe(true);

    const config = path.join(m.paths.drive, ".fake-windows.json");
    const later = new Date(Date.now() + 60_000).toISOString();
    writeFileSync(config, readFileSync(config, "utf8").replace("2020-01-01T08:00:00.0000000Z", later));
    expect(one(await doctor(m, ["--no-probe"]), "client.restart", { client: "claude-desktop" }).status).toBe(
      "pass",
    );
  });

  test("variables in its file are passed literally", async () => {
    const m = make({});
    writeJson(m.paths.claudeDesktopConfig, {
      mcpServers: { keyed: { command: "node", args: ["C:\\x.js"], env: { API_KEY: "${API_KEY}" } } },
    });
    const c = one(await doctor(m, ["--no-probe"]), "entry.reference", {
      client: "claude-desktop",
      server: "keyed",
    });
    expect(c.status).toBe("fail");
    expect(c.message).toContain("${API_KEY}");
  });
});

describe("bare npx on Windows, judged per client and version", () => {
  const npx = { command: "npx", args: ["-y", "some-mcp-server"] };
  const setup = (version: string) => {
    const m = make({ claudeCode: false });
    writeFileSync(
      path.join(m.paths.drive, "Program Files", "nodejs", "npx.cmd"),
      '@ECHO off\r\nnode "%~dp0\\node_modules\\npm\\bin\\npx-cli.js" %*\r\n',
    );
    mkdirSync(path.join(m.paths.localappdata, "AnthropicClaude", `app-${version}`), { recursive: true });
    writeJson(path.join(m.paths.profile, ".claude.json"), { mcpServers: { web: npx } });
    writeJson(m.paths.claudeDesktopConfig, { mcpServers: { web: npx } });
    return m;
  };

  test("Claude Code on native Windows cannot start it; Claude Desktop 0.7.4 neither", async () => {
    const m = setup("0.7.4");
    const run = await doctor(m, ["--no-probe"]);
    const code = one(run, "entry.spawn", { env: "windows", client: "claude-code", server: "web" });
    expect(code.status).toBe("fail");
    expect(code.message).toMatch(/npx\.cmd, a batch file.*ENOENT/);
    expect(code.message).toMatch(/probe through the SDK/);
    expect(code.fix).toMatch(/"command": "cmd"/);
    const desk = one(run, "entry.spawn", { env: "windows", client: "claude-desktop", server: "web" });
    expect(desk.status).toBe("fail");
    expect(desk.message).toContain("0.7.4");
    expect(one(run, "entry.cold-start", { client: "claude-code", server: "web" }).message).toMatch(/30 s/);
  });

  test("Claude Desktop 0.9.2 copes; cmd /c npx works for Claude Code", async () => {
    const m = setup("0.9.2");
    writeJson(path.join(m.paths.profile, ".claude.json"), {
      mcpServers: { web: { command: "cmd", args: ["/c", "npx", "-y", "some-mcp-server"] } },
    });
    const run = await doctor(m, ["--no-probe"]);
    expect(one(run, "entry.spawn", { client: "claude-desktop", server: "web" }).status).toBe("pass");
    expect(one(run, "entry.spawn", { client: "claude-code", server: "web" }).status).toBe("pass");
    expect(
      pick(run, "entry.cold-start")
        .map((c) => c.client)
        .sort(),
    ).toEqual(["claude-code", "claude-desktop"]);
  });

  test("the same npx entry in Claude Desktop and Cursor: one cold-start warning naming both", async () => {
    const m = setup("0.9.2");
    writeJson(m.paths.cursorConfig, { mcpServers: { web: npx } });
    const run = await doctor(m, ["--no-probe"]);
    const cold = pick(run, "entry.cold-start", { server: "web" });
    expect(cold).toHaveLength(2);
    // Claude Desktop and Cursor allow the same 60 s: one cause, one finding, in both.
    const shared = cold.find((c) => c.client === undefined)!;
    expect(shared.env).toBe("windows");
    expect(shared.message).toBe(
      "`npx` fetches the package when the server starts: a cold start (empty cache, slow network) can exceed its client's start-up timeout (60 s). In 2 client configs: Claude Desktop (windows), Cursor (windows).",
    );
    // Claude Code gives up after 30 s: another finding.
    expect(cold.find((c) => c.client === "claude-code")!.message).toMatch(/\(30 s\)\.$/);
    const human = await m.run(["doctor", "--no-probe"]);
    expect(human.stdout.match(/\[entry\.cold-start\]/g)).toHaveLength(2);
    expect(human.stdout).toMatch(/^ {2}Claude Desktop and Cursor {2}/m);
  });
});

describe("a manifest server's line says where it is, and where it is missing", () => {
  test("never synced, synced, then gone from one config: each line true of the files", async () => {
    const m = make({ registryUrl: inject("registryUrl") });
    writeManifest(m, { servers: { fx: { package: `${inject("fixtureName")}@1.0.0` } } });
    const line = async () => {
      const r = await m.run(["doctor", "--no-probe"]);
      return r.stdout.split("\n").find((l) => /^ {4}. fx {2}/.test(l)) ?? r.stdout;
    };
    // Not in any of the three configs yet: "in 3 client configs" would be false.
    const before = await line();
    expect(before).toContain("missing from all 3 client configs; its findings are below");
    expect(before).not.toMatch(/; in \d client config/);
    expect((await m.run(["sync"])).code).toBe(0);
    // In every config, and not started (--no-probe): no ✔ for what was not checked.
    expect(await line()).toMatch(
      /^ {4}– fx {2}.*; in 3 client configs; not started by doctor \(--no-probe\)$/,
    );
    // Taken out of Cursor's file by hand, which keeps a server of the user's own.
    writeJson(m.paths.cursorConfig, { mcpServers: { mine: { command: "my-server" } } });
    expect(await line()).toContain(
      "in 2 client configs, missing from 1; its findings are below, under windows",
    );
    // Cursor's file reset by its app (no servers at all): reported once as config.wiped, and the
    // server's line still says it is missing there — not "checked in 2 client configs" with a ✔.
    writeJson(m.paths.cursorConfig, { mcpServers: {} });
    const wiped = await line();
    expect(wiped).toContain("in 2 client configs, missing from 1; its findings are below, under windows");
    expect(wiped).toMatch(/^ {4}✖ fx {2}/);
  }, 120_000);
});
