/**
 * The edges a new user meets in the first ten minutes (issue 11, the journeys' findings): what a
 * command says before a manifest exists, with a client config it cannot read, a program that is
 * missing, a home on the Windows drive — each line true, each error with its next step, no advice
 * that loops.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  type FakeMachineOptions,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
  writeUnsharedTemplate,
} from "../helpers/fake-machine.js";
import { KEY, runInPty } from "../helpers/pty.js";

runInProcessByDefault();

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});
function machine(options: FakeMachineOptions = {}): FakeMachine {
  const m = createFakeMachine({ registryUrl: inject("registryUrl"), ...options });
  machines.push(m);
  return m;
}

describe("before a manifest exists", () => {
  test("status names the manifest it looked for once, and says what to run", async () => {
    const m = machine();
    const r = await m.run(["status"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "✖ No manifest at C:\\Users\\alice\\AppData\\Roaming\\mcp-twin\\mcp-twin.jsonc.\nℹ Run `mcp-twin init` to create one, or pass --manifest <path>.\n",
    );
  });
});

/** The first half of a file: what a crash or a bad editor leaves. */
function cutInHalf(file: string): void {
  const text = readFileSync(file, "utf8");
  writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
}

describe("a client config that does not parse", () => {
  const time = { servers: { time: { command: "uvx", args: ["mcp-server-time"] } } };
  const doctorFix = async (m: FakeMachine, client: string) => {
    const r = await m.run(["doctor", "--json", "--no-probe"]);
    const checks = JSON.parse(r.stdout).checks as Array<{
      id: string;
      client?: string;
      message: string;
      fix?: string;
    }>;
    return checks.find((c) => c.id === "config.parse" && c.client === client)!;
  };

  test("sync, status and doctor give one advice: the hand fix first (file:line:column, what is wrong), then restore from mcp-twin's backup (never move it away)", async () => {
    const m = machine();
    writeManifest(m, time);
    // Cursor's file was there before (so mcp-twin keeps it as it found it).
    writeFileSync(m.paths.cursorConfig, '{\n  "mcpServers": {}\n}\n');
    expect((await m.run(["sync"])).code).toBe(0);
    cutInHalf(m.paths.claudeCodeConfig);
    cutInHalf(m.paths.cursorConfig);
    const linux = m.paths.claudeCodeConfig;
    const windows = "'C:\\Users\\alice\\.cursor\\mcp.json'";
    const advice = (p: string, at: string) =>
      `Fix it by hand at ${at} (property name expected). Or run \`mcp-twin restore ${p}\` to put the whole file back as mcp-twin last wrote it (from its newest backup when it kept no copy of that), which also undoes what was changed by hand since: it shows what it replaces, and \`mcp-twin restore --list ${p}\` shows every backup.`;
    const linuxFix = advice(linux, `${linux}:6:5`);
    const sync = await m.run(["sync"]);
    const status = await m.run(["status"]);
    // Status shows the others and names these, with the same advice (exit 1: only a part is shown).
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`ℹ ${linuxFix}\n`);
    for (const r of [sync]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`ℹ ${linuxFix} To sync the other targets meanwhile`);
      expect(r.stderr).toContain(
        `ℹ Fix it by hand at C:\\Users\\alice\\.cursor\\mcp.json:5:3 (property name expected). Or run \`mcp-twin restore ${windows}\` to put`,
      );
      expect(r.stderr).not.toMatch(/move it|by hand \(or/);
    }
    const code = await doctorFix(m, "claude-code");
    expect(code.fix).toBe(linuxFix);
    // It cannot read the file at all, not merely its servers.
    expect(code.message).toMatch(/Claude Code cannot read the file at all\.$/);
    expect((await doctorFix(m, "cursor")).fix).toContain(`\`mcp-twin restore ${windows}\``);
  });

  test("status and tools show every client they can read and name the one they cannot (file:line:column), exit 1", async () => {
    const m = machine();
    writeManifest(m, time);
    expect((await m.run(["sync"])).code).toBe(0);
    cutInHalf(m.paths.claudeCodeConfig);
    const file = m.paths.claudeCodeConfig;
    const named = `✖ ${file}:6:5: property name expected; the file is not valid JSON.\nℹ Fix it by hand at ${file}:6:5 (property name expected). Or run`;
    const status = await m.run(["status"]);
    expect(status.code).toBe(1);
    expect(status.stdout).toContain("windows claude-desktop  windows cursor");
    expect(status.stdout).not.toContain("claude-code");
    expect(status.stdout).toMatch(/^time {4}synced +synced *$/m);
    expect(status.stderr).toContain(named);
    const json = await m.run(["status", "--json"]);
    expect(json.code).toBe(1);
    expect(
      (JSON.parse(json.stdout) as Array<{ client: string; state: string }>).map((r) => [r.client, r.state]),
    ).toEqual([
      ["claude-desktop", "synced"],
      ["cursor", "synced"],
    ]);
    expect(json.stderr).toContain(named);
    const tools = await m.run(["tools", "--json", "--timeout", "5"]);
    expect(tools.code).toBe(1);
    expect(
      (JSON.parse(tools.stdout) as { clients: Array<{ client: string }> }).clients.map((c) => c.client),
    ).toEqual(["claude-desktop", "cursor"]);
    expect(tools.stderr).toContain(named);
  });

  test("no backup: fix it by hand at its line and column, mcp-twin never changed it", async () => {
    const m = machine();
    writeManifest(m, time);
    writeFileSync(m.paths.claudeCodeConfig, '{\n  "numStartups": 3,\n  "mcpServers": {\n');
    const fix = `Fix it by hand at ${m.paths.claudeCodeConfig}:4:1 (closing brace expected); mcp-twin has no backup of it (it never changed this file).`;
    const sync = await m.run(["sync"]);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toContain(`ℹ ${fix} To sync`);
    expect((await doctorFix(m, "claude-code")).fix).toBe(fix);
  });
});

describe("a server whose program is missing (add time, no uv)", () => {
  const time = { servers: { time: { command: "uvx", args: ["mcp-server-time"] } } };

  test("add says where uvx is missing before it asks to write it; Ctrl-C at the question says the manifest holds it and sync finishes", async () => {
    const m = machine({ uv: false });
    // Unshared (the user's own template of time, without the catalogue's share): each client's
    // side runs its own uvx.
    writeUnsharedTemplate(m, "time");
    writeManifest(m, { servers: {} });
    const pty = runInPty(["add", "time"], m.env, m.paths.linuxHome);
    await pty.waitFor(/Write it into every client now\?/);
    const screen = pty.output();
    const question = screen.indexOf("Write it into every client now?");
    const wsl = screen.indexOf(
      "▲ `uvx` is not found in wsl:Ubuntu (not on its PATH): time will not start in Claude Code until it is installed there. Install uv in wsl:Ubuntu (it provides uvx): `curl -LsSf https://astral.sh/uv/install.sh | sh`; then start a new Claude Code session.",
    );
    const windows = screen.indexOf(
      "▲ `uvx` is not found in windows (not on its PATH): time will not start in Claude Desktop and Cursor until it is installed there.",
    );
    expect(wsl).toBeGreaterThan(-1);
    expect(windows).toBeGreaterThan(-1);
    expect(Math.max(wsl, windows)).toBeLessThan(question);
    pty.type(KEY.ctrlC);
    const { code, output } = await pty.exit;
    expect(code).toBe(130);
    expect(output).toContain(
      "✖ Interrupted. It wrote C:\\Users\\alice\\AppData\\Roaming\\mcp-twin\\mcp-twin.jsonc and C:\\Users\\alice\\AppData\\Roaming\\mcp-twin\\mcp-twin.schema.json, each whole (never half-written). Run `mcp-twin sync` to finish.",
    );
    // What it learnt about the machine is kept only by a run that ends well: not by one stopped.
    expect(existsSync(path.join(m.paths.home, "cache", "environments.json"))).toBe(false);
    expect(existsSync(m.paths.cursorConfig)).toBe(false);
  }, 60_000);

  test("sync: the entry is written, so the next step is the install and a restart (or a new session), not another sync — said once per environment", async () => {
    const m = machine({ uv: false });
    writeManifest(m, time);
    const r = await m.run(["sync"]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("run sync again");
    // Each target's line points at its environment's one line, which names the clients.
    expect(r.stdout).toContain(
      "✖ time: `uvx` is not found in windows, so it cannot start there yet (how to install it: below)\n",
    );
    expect(r.stdout).toContain(
      "✖ `uvx` is not found in wsl:Ubuntu (not on its PATH): time will not start in Claude Code until it is installed there. Install uv in wsl:Ubuntu (it provides uvx): `curl -LsSf https://astral.sh/uv/install.sh | sh`; then start a new Claude Code session.\n",
    );
    expect(r.stdout).toContain(
      '✖ `uvx` is not found in windows (not on its PATH): time will not start in Claude Desktop and Cursor until it is installed there. Install uv on Windows (it provides uvx): `powershell -ExecutionPolicy ByPass -c "irm https://astral.sh/uv/install.ps1 | iex"`; then restart Claude Desktop and Cursor.\n',
    );
    expect(r.stdout.split("install.ps1").length - 1).toBe(1);
    expect(r.stdout.split("install.sh").length - 1).toBe(1);
    // No command with a sentence's full stop run into it.
    expect(r.stdout).not.toMatch(/\| (sh|iex")\./);
  });

  test("add, then yes to writing it: each environment's install command once in all (not 3 times for windows)", async () => {
    const m = machine({ uv: false });
    // Unshared (the user's own template of time, without the catalogue's share): each client's
    // side runs its own uvx.
    writeUnsharedTemplate(m, "time");
    writeManifest(m, { servers: {} });
    const pty = runInPty(["add", "time"], m.env, m.paths.linuxHome);
    await pty.waitFor(/Write it into every client now\?/);
    pty.type("y");
    pty.type(KEY.enter);
    const { code, output } = await pty.exit;
    expect(code, output).toBe(1);
    expect(output.split("install.ps1").length - 1, output).toBe(1);
    expect(output.split("install.sh").length - 1, output).toBe(1);
    // The targets still say which entry cannot start, pointing at the lines said before the question.
    expect(output).toContain(
      "✖ time: `uvx` is not found in windows, so it cannot start there yet (how to install it: above)",
    );
    expect(output).toContain("time will not start in Claude Desktop and Cursor until it is installed there.");
  }, 60_000);

  test("shared (the catalogue's default): uvx is looked for where the bridge runs it, and only there", async () => {
    const m = machine({ uv: false });
    writeManifest(m, { servers: {} });
    const pty = runInPty(["add", "time"], m.env, m.paths.linuxHome);
    await pty.waitFor(/Write it into every client now\?/);
    const before = pty.output();
    // Said before the question, once, for the one place it runs: every client reaches it there.
    expect(before).toContain(
      "▲ `uvx` is not found in wsl:Ubuntu (not on its PATH): time will not start in Claude Code, Claude Desktop and Cursor until it is installed there.",
    );
    expect(before).toContain("then the bridge starts it on the next call.");
    pty.type("y");
    pty.type(KEY.enter);
    const { code, output } = await pty.exit;
    expect(code, output).toBe(1);
    // Windows' uvx does not matter: time never runs there.
    expect(output.split("install.ps1").length - 1, output).toBe(0);
    expect(output.split("install.sh").length - 1, output).toBe(1);
    expect(output).toContain(
      "✖ time: `uvx` is not found in wsl:Ubuntu, so it cannot start there yet (how to install it: above)",
    );
    expect(output).toContain("▲ The lists of time are not cached: it did not start (`uvx` is not found).");
    expect(output).not.toContain("ENOENT");
  }, 60_000);

  test("status: entries there that will not start — 'not installed' in the matrix, the missing program said once per environment for every server and client it stops; --json keeps the spec's 'missing'", async () => {
    const m = machine({ uv: false });
    writeManifest(m, {
      servers: {
        time: { command: "uvx", args: ["mcp-server-time"] },
        fetch: { command: "uvx", args: ["mcp-server-fetch"] },
      },
    });
    await m.run(["sync"]);
    const text = await m.run(["status"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^time +not installed +not installed +not installed/m);
    expect(text.stdout).toContain(
      '`uvx` is not found in windows (not on its PATH): time and fetch will not start in Claude Desktop and Cursor until it is installed there. Install uv on Windows (it provides uvx): `powershell -ExecutionPolicy ByPass -c "irm https://astral.sh/uv/install.ps1 | iex"`; then restart Claude Desktop and Cursor.',
    );
    expect(text.stdout).toContain(
      "`uvx` is not found in wsl:Ubuntu (not on its PATH): time and fetch will not start in Claude Code until it is installed there.",
    );
    // Two servers in three clients: each install command once, not once per entry.
    expect(text.stdout.split("install.ps1").length - 1, text.stdout).toBe(1);
    expect(text.stdout.split("install.sh").length - 1, text.stdout).toBe(1);
    const rows = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{ state: string }>;
    expect(rows.map((r) => r.state)).toEqual(Array(6).fill("missing"));
  });
});

describe("installs are said once", () => {
  test("sync: each environment's install is its live line; the report does not list the packages again", async () => {
    const m = machine();
    writeManifest(m, { servers: { fixture: { package: `${inject("fixtureName")}@1.0.0` } } });
    const r = await m.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    const spec = `${inject("fixtureName")}@1.0.0`;
    expect(r.stderr).toContain(`✔ Installed ${spec} in wsl:Ubuntu`);
    expect(r.stderr).toContain(`✔ Installed ${spec} in windows`);
    expect(r.stdout).not.toMatch(/^Packages$/m);
    expect(r.stdout).not.toContain(`${spec} in windows installed`);
    // A dry run lists what it would install: there is no live line then.
    writeManifest(m, { servers: { fixture: { package: `${inject("fixtureName")}@1.1.0` } } });
    const dry = await m.run(["sync", "--dry-run"]);
    expect(dry.stdout).toMatch(/^Packages to install\n {2}• .*@1\.1\.0 in wsl:Ubuntu \(would install\)$/m);
  });
});

describe("secrets in a home on the Windows drive", () => {
  /** init's plan (a dry run) for tavily with a key: where it says the key goes. */
  const initPlan = (m: FakeMachine) =>
    m.run([
      "init",
      "--yes",
      "--dry-run",
      "--server",
      "tavily",
      "--secret",
      "TAVILY_API_KEY=tvly-dev0a1b2c3d4e5f6a7b8c9d",
    ]);

  const privateNote = "in your Windows profile, which its ACL keeps to your Windows account";
  const secretsCheck = async (m: FakeMachine) => {
    const r = await m.run(["doctor", "--json", "--no-probe"]);
    return (JSON.parse(r.stdout).checks as Array<{ id: string; status: string; message: string }>).find(
      (c) => c.id === "secrets.file",
    )!;
  };

  test("the plan and doctor credit the profile's ACL, and doctor judges no mode bits there (DrvFs shows 0777)", async () => {
    const m = machine();
    writeManifest(m, { servers: {} });
    writeSecrets(m, { FIXTURE_TOKEN: "fx-0a1b2c3d4e5f6a7b" });
    // What DrvFs shows for every file without the `metadata` mount option.
    chmodSync(path.join(m.paths.home, "secrets.json"), 0o777);
    const check = await secretsCheck(m);
    expect(check.status).toBe("pass");
    expect(check.message).toBe(
      `C:\\Users\\alice\\AppData\\Roaming\\mcp-twin\\secrets.json holds 1 secret; it is ${privateNote} (mode bits mean nothing on the Windows drive).`,
    );
    const plan = await initPlan(m);
    expect(plan.stdout).toContain(`secrets.json (${privateNote})`);
    expect(plan.stdout).not.toContain("0600");
  });

  test("a Linux home keeps mode 0600: said in the plan, and a file others can read is a warning", async () => {
    const m = machine({ kind: "linux" });
    writeManifest(m, { servers: {} });
    writeSecrets(m, { FIXTURE_TOKEN: "fx-0a1b2c3d4e5f6a7b" });
    expect((await secretsCheck(m)).message).toMatch(/holds 1 secret and is private \(mode 600\)\.$/);
    chmodSync(path.join(m.paths.home, "secrets.json"), 0o644);
    expect((await secretsCheck(m)).status).toBe("warn");
    const plan = await initPlan(m);
    expect(plan.stdout).toContain("secrets.json (mode 0600)");
  });
});

describe("remove offers to sync, as add does", () => {
  const time = { servers: { time: { command: "uvx", args: ["mcp-server-time"] } } };
  const entries = (m: FakeMachine) =>
    Object.keys(JSON.parse(readFileSync(m.paths.cursorConfig, "utf8")).mcpServers ?? {});

  test("on a terminal it asks; yes takes it out of every client", async () => {
    const m = machine();
    writeManifest(m, time);
    expect((await m.run(["sync"])).code).toBe(0);
    expect(entries(m)).toEqual(["time"]);
    const pty = runInPty(["remove", "time"], m.env, m.paths.linuxHome);
    await pty.waitFor(/Take it out of every client now\?/);
    expect(pty.output()).toContain(
      "✔ Removed time from C:\\Users\\alice\\AppData\\Roaming\\mcp-twin\\mcp-twin.jsonc.",
    );
    pty.type(KEY.enter);
    const { code, output } = await pty.exit;
    expect(code).toBe(0);
    expect(output).toMatch(/windows cursor .* updated -time/);
    expect(entries(m)).toEqual([]);
  }, 60_000);

  test("--sync syncs without asking (--json: the sync's report too); --no-sync says what to run", async () => {
    const m = machine();
    writeManifest(m, { servers: { ...time.servers, other: { command: "uvx", args: ["other-server"] } } });
    expect((await m.run(["sync"])).code).toBe(0);
    const kept = await m.run(["remove", "other", "--no-sync"]);
    expect(kept.stdout).toContain("Run `mcp-twin sync` to take it out of every client.");
    expect(entries(m)).toEqual(["time", "other"]);
    const r = await m.run(["remove", "time", "--sync", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.removed).toBe("time");
    expect(report.sync.targets.find((t: { client: string }) => t.client === "cursor").removed.sort()).toEqual(
      ["other", "time"],
    );
    expect(entries(m)).toEqual([]);
  });
});

describe("remove of a server no client config holds", () => {
  test("says nothing else changes: no 'take it out of every client', and on a terminal no question", async () => {
    const m = machine();
    writeManifest(m, { servers: { time: { command: "uvx", args: ["mcp-server-time"] } } });
    expect((await m.run(["sync"])).code).toBe(0);
    expect((await m.run(["add", "memory", "--yes", "--no-sync"])).code).toBe(0);
    const r = await m.run(["remove", "memory"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "No client config holds an entry mcp-twin wrote for it, so nothing else changes.",
    );
    expect(r.stdout).not.toContain("take it out of every client");
    expect((await m.run(["add", "memory", "--yes", "--no-sync"])).code).toBe(0);
    const pty = runInPty(["remove", "memory"], m.env, m.paths.linuxHome);
    const { code, output } = await pty.exit;
    expect(code).toBe(0);
    expect(output).not.toContain("Take it out of every client now?");
    expect(output).toContain("nothing else changes");
    // A synced one still gets the offer's fallback line.
    const synced = await m.run(["remove", "time"]);
    expect(synced.stdout).toContain("Run `mcp-twin sync` to take it out of every client.");
  }, 60_000);
});

test("offline, add io.github.github/… points at the catalogue's github, which works offline", async () => {
  const m = machine();
  writeManifest(m, { servers: {} });
  const r = await m.run(["add", "io.github.github/github-mcp-server"]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(
    "ℹ The catalogue's github (GitHub, https://github.com/github/github-mcp-server) looks like this server: `mcp-twin add github` works offline. Another registry: --registry <url> or MCP_TWIN_REGISTRY.",
  );
  // A name the catalogue has nothing like keeps the registry's own hint.
  const other = await m.run(["add", "com.example/weather"]);
  expect(other.stderr).toContain("ℹ The catalogue (`mcp-twin add --list`) works offline.");
});

test("sync --project: a project file never gets the bridge, so the report says nothing of it", async () => {
  const m = machine();
  writeManifest(m, {
    servers: { time: { command: "uvx", args: ["mcp-server-time"] } },
    bridge: { enabled: true, port: 2 },
  });
  const project = path.join(m.paths.linuxHome, "proj");
  mkdirSync(project);
  const r = await m.run(["sync", "--project", project]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain("proj/.mcp.json  created +time");
  expect(r.stdout).not.toMatch(/bridge/i);
  expect(Object.keys(JSON.parse(readFileSync(path.join(project, ".mcp.json"), "utf8")).mcpServers)).toEqual([
    "time",
  ]);
  writeFileSync(path.join(project, ".mcp.json"), "{}\n");
  const json = JSON.parse((await m.run(["sync", "--project", project, "--json"])).stdout);
  expect(json.bridge).toBeUndefined();
});

test("sync --prune --dry-run: a package that would go says 'would uninstall', not 'would install'", async () => {
  const m = machine();
  writeManifest(m, { servers: { fixture: { package: `${inject("fixtureName")}@1.0.0` } } });
  expect((await m.run(["sync"])).code).toBe(0);
  writeManifest(m, { servers: {} });
  const dry = await m.run(["sync", "--prune", "--dry-run"]);
  expect(dry.code, dry.stderr).toBe(0);
  expect(dry.stdout).toContain("Packages to uninstall\n");
  expect(dry.stdout).toMatch(/• .*@1\.0\.0 in wsl:Ubuntu \(would uninstall\)/);
  expect(dry.stdout).not.toContain("would install");
});

describe("bridge status with nothing running and no entry written", () => {
  test("the manifest shares a server but does not enable the bridge's own tools: sync starts it, never 'enable it'", async () => {
    const m = machine();
    writeManifest(m, {
      servers: { memory: { package: "@modelcontextprotocol/server-memory", share: "machine" } },
    });
    const r = await m.run(["bridge", "status"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "– Not running, and no client config has an entry to it (the manifest shares 1 server: `mcp-twin sync` writes its entries and starts it)",
    );
    expect(r.stdout).not.toContain('"enabled": true');
  });
});

describe("bridge status: where its address comes from", () => {
  const home = "C:\\Users\\alice\\AppData\\Roaming\\mcp-twin";
  const where = (stdout: string) => stdout.split("\n").find((l) => l.trim().startsWith("where"));

  test("no port in the manifest: the free port mcp-twin chose, kept in bridge.json (not the manifest)", async () => {
    const m = machine();
    writeManifest(m, { servers: {} });
    const r = await m.run(["bridge", "status"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(where(r.stdout)).toContain(
      `127.0.0.1:${m.bridgePort} (the free port mcp-twin chose, kept in ${home}\\bridge.json)`,
    );
    expect(r.stdout).not.toContain("mcp-twin.jsonc");
  });

  test("a port the manifest pins: bridge.port in the manifest", async () => {
    const m = machine();
    writeManifest(m, { servers: {}, bridge: { port: m.bridgePort, host: "127.0.0.1" } });
    const r = await m.run(["bridge", "status"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(where(r.stdout)).toContain(
      `127.0.0.1:${m.bridgePort} (bridge.host and bridge.port in ${home}\\mcp-twin.jsonc)`,
    );
    expect(r.stdout).not.toContain("bridge.json");
  });

  test("no port chosen yet: what the first start takes", async () => {
    const m = machine({ bridgePort: false });
    writeManifest(m, { servers: {} });
    const r = await m.run(["bridge", "status", "--json"]);
    expect(JSON.parse(r.stdout).settings).toMatchObject({ pinned: false, recorded: false, inManifest: [] });
    const human = await m.run(["bridge", "status"]);
    expect(where(human.stdout)).toContain(
      ":7760 (no port chosen yet: the first start takes 7760 if it is free, else the next free one above it)",
    );
  });
});
