/**
 * Codex end to end on a fake Windows PC with WSL: sync writes `[mcp_servers.<name>]` into both
 * sides' config.toml (WSL ~/.codex, Windows %USERPROFILE%\.codex) and keeps every byte the user
 * and Codex wrote; the written entries start the server (MCP handshake); Codex's own keys in an
 * entry (tool approvals, enabled) are neither drift nor lost; a file that does not parse stops
 * everything; CODEX_HOME moves the file; a project file gets references, never values.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse as toml } from "smol-toml";
import { describe, expect, inject, test } from "vitest";
import { VERSION } from "../../src/version.js";
import type { FakeMachine } from "../helpers/fake-machine.js";
import { REPO, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { handshake } from "../helpers/mcp.js";
import { freePort } from "../helpers/net.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const SECRET = "fx-4c0de5ec7e7a11ce";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);

// A config.toml as people write them: comments, odd spacing, CRLF, Codex's own tables.
const HAND_WRITTEN = [
  "# my codex config",
  'model = "gpt-5.5"   # the default',
  "",
  "[projects.'/home/bob/src/app']",
  'trust_level = "trusted"',
  "",
  "[mcp_servers.mine]",
  'command = "uvx"',
  'args = [ "mcp-server-time" ]',
  "",
  "[mcp_servers.mine.tools.now]",
  'approval_mode = "approve"',
  "",
].join("\r\n");

function withCodex(m: FakeMachine, text?: string): { wsl: string; windows: string } {
  const wsl = path.join(m.paths.linuxHome, ".codex", "config.toml");
  const windows = path.join(m.paths.profile, ".codex", "config.toml");
  mkdirSync(path.dirname(wsl), { recursive: true });
  mkdirSync(path.dirname(windows), { recursive: true });
  if (text !== undefined) writeFileSync(wsl, text);
  return { wsl, windows };
}

const syncJson = async (m: FakeMachine, ...args: string[]) => {
  const r = await m.run(["sync", "--json", ...args]);
  return { ...r, report: r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
};
interface TargetRow {
  client: string;
  env: string;
  path: string;
  action: string;
  added: string[];
  updated: string[];
  removed: string[];
  note?: string;
}
const codexTargets = (report: { targets: TargetRow[] }): Record<string, TargetRow> =>
  Object.fromEntries(report.targets.filter((t) => t.client === "codex").map((t) => [t.env, t]));
const read = (file: string) => readFileSync(file, "utf8");
/** This mcp-twin's version as the run under test has it (the built binary's is package.json's). */
const SELF_VERSION =
  process.env.MCP_TWIN_TEST_CLI === "binary"
    ? JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).version
    : VERSION;
const PROJECT_RELAY = [
  "[mcp_servers.events]",
  'command = "npx"',
  `args = ["-y", "mcp-twin@${SELF_VERSION}", "connect", "https://mcp.example.com/sse", "--transport", "sse", "--header", "X-Api-Key:\${FIXTURE_TOKEN}"]`,
  'env_vars = ["FIXTURE_TOKEN"]',
  "",
].join("\n");
const servers = (file: string) =>
  (toml(read(file)).mcp_servers ?? {}) as Record<string, Record<string, unknown>>;
/** How Windows would start a command: C:\… is a file on the fake drive. */
const onDrive = (m: FakeMachine) => (command: string) =>
  /^[A-Za-z]:\\/.test(command) ? path.join(m.paths.drive, ...command.slice(3).split("\\")) : command;

describe("sync writes Codex on both sides of the Windows/WSL line", () => {
  test("entries in WSL's and Windows' config.toml, the user's bytes kept, each one starts the server", async () => {
    const m = setup();
    const files = withCodex(m, HAND_WRITTEN);
    const { code, report } = await syncJson(m);
    expect(code).toBe(0);
    const targets = codexTargets(report);
    expect(targets["wsl:Ubuntu"]).toMatchObject({ action: "updated", added: ["fixture"] });
    expect(targets.windows).toMatchObject({ action: "created", added: ["fixture"] });
    expect(targets.windows!.path).toBe(`C:\\Users\\${m.windowsUser}\\.codex\\config.toml`);

    // WSL: the hand-written file is a prefix of the new one, CRLF kept, ours appended as a table.
    const wsl = read(files.wsl);
    expect(wsl.startsWith(HAND_WRITTEN.replace(/\r\n$/, ""))).toBe(true);
    expect(wsl.replace(/\r\n/g, "").includes("\n")).toBe(false);
    expect(servers(files.wsl).fixture).toEqual({
      command: "/usr/bin/node",
      args: [
        path.join(m.paths.linuxPrefix, "lib", "node_modules", inject("fixtureName"), "dist", "server.js"),
      ],
      env: { FIXTURE_TOKEN: SECRET },
    });
    expect(servers(files.wsl).mine).toEqual({
      command: "uvx",
      args: ["mcp-server-time"],
      tools: { now: { approval_mode: "approve" } },
    });

    // Windows: Windows paths as literal strings (what Codex's own writer does), no npx.
    const windows = read(files.windows);
    expect(windows).toContain("command = 'C:\\PROGRA~1\\nodejs\\node.exe'");
    expect(servers(files.windows).fixture).toEqual({
      command: "C:\\PROGRA~1\\nodejs\\node.exe",
      args: [
        `C:\\Users\\${m.windowsUser}\\AppData\\Roaming\\npm\\node_modules\\${inject("fixtureName")}\\dist\\server.js`,
      ],
      env: { FIXTURE_TOKEN: SECRET },
    });

    // Each written entry really starts the server, with the secret delivered (Codex's env: a
    // small allow-list plus the entry's env).
    for (const file of [files.wsl, files.windows]) {
      const entry = servers(file).fixture as { command: string; args: string[]; env: Record<string, string> };
      const session = await handshake(entry, {
        resolveCommand: onDrive(m),
        baseEnv: { PATH: m.env.PATH ?? "" },
      });
      try {
        expect(session.tools).toContain("echo");
        expect(JSON.parse(await session.call("env", { name: "FIXTURE_TOKEN" }))).toEqual({
          set: true,
          length: SECRET.length,
        });
      } finally {
        await session.close();
      }
    }
    expect(JSON.stringify(report)).not.toContain(SECRET);

    // A second sync writes nothing and backs nothing up.
    const before = [read(files.wsl), read(files.windows)];
    const backups = readdirSync(path.join(m.paths.home, "backups"), { recursive: true }).length;
    const second = await syncJson(m);
    expect(Object.values(codexTargets(second.report)).map((t) => t.action)).toEqual([
      "unchanged",
      "unchanged",
    ]);
    expect([read(files.wsl), read(files.windows)]).toEqual(before);
    expect(readdirSync(path.join(m.paths.home, "backups"), { recursive: true }).length).toBe(backups);
    const status = await m.run(["status", "--json"]);
    const rows = JSON.parse(status.stdout).filter((r: { client: string }) => r.client === "codex");
    expect(rows.map((r: { state: string }) => r.state)).toEqual(["synced", "synced"]);
  });

  test("what Codex writes into our entry (tool approvals, enabled, a timeout) is kept, and is not drift", async () => {
    const m = setup();
    const files = withCodex(m);
    expect((await m.run(["sync"])).code).toBe(0);
    // Codex records an approval and the user turns the server off and gives it more time.
    writeFileSync(
      files.wsl,
      `${read(files.wsl).replace("[mcp_servers.fixture]\n", "[mcp_servers.fixture]\nenabled = false\nstartup_timeout_sec = 30\n")}\n[mcp_servers.fixture.tools.echo]\napproval_mode = "approve"\n`,
    );
    const status = await m.run(["status", "--json"]);
    expect(
      JSON.parse(status.stdout).find(
        (r: { client: string; env: string }) => r.client === "codex" && r.env === "wsl:Ubuntu",
      ).state,
    ).toBe("synced");
    // The manifest changes: sync updates mcp-twin's keys and keeps Codex's.
    writeManifest(m, {
      servers: {
        fixture: {
          package: `${inject("fixtureName")}@1.0.0`,
          args: ["--tools", "2"],
          share: "off",
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
        },
      },
    });
    const { report } = await syncJson(m);
    expect(codexTargets(report)["wsl:Ubuntu"]).toMatchObject({
      action: "updated",
      updated: ["fixture"],
      drift: [],
    });
    const entry = servers(files.wsl).fixture!;
    expect((entry.args as string[]).slice(1)).toEqual(["--tools", "2"]);
    expect(entry).toMatchObject({
      enabled: false,
      startup_timeout_sec: 30,
      tools: { echo: { approval_mode: "approve" } },
    });
    // Dropped from the manifest: the whole entry goes, Codex's sub-tables with it (a leftover
    // [mcp_servers.fixture.tools.echo] alone makes Codex refuse the file: "invalid transport").
    writeManifest(m, { servers: {} });
    const dropped = await syncJson(m);
    expect(codexTargets(dropped.report)["wsl:Ubuntu"]!.removed).toEqual(["fixture"]);
    expect(read(files.wsl)).not.toContain("fixture");
  });

  test("a config.toml that does not parse stops everything (exit 2, file:line:column), nothing written", async () => {
    const m = setup();
    const files = withCodex(m, '[mcp_servers.docs]\ncommand = "npx\n');
    const claude = read(m.paths.claudeCodeConfig);
    const { code, report } = await syncJson(m);
    expect(code).toBe(2);
    expect(report.errors[0]).toMatchObject({ code: "config-parse", file: files.wsl, line: 2, column: 15 });
    expect(read(files.wsl)).toBe('[mcp_servers.docs]\ncommand = "npx\n');
    expect(read(m.paths.claudeCodeConfig)).toBe(claude);
    expect(existsSync(files.windows)).toBe(false);
    const human = await m.run(["sync"]);
    expect(human.stderr).toContain(
      `${files.wsl}:2:15: unterminated string constant; the file is not valid TOML.`,
    );
  });

  test("a config.toml holding a 240,000-character string is read and kept (the built binary)", async () => {
    const m = setup({}, { plain: { command: "node", args: ["server.js"] } });
    const long = readFileSync(path.join(REPO, "test/fixtures/codex-corpus/long-strings.toml"), "utf8");
    const files = withCodex(m, long);
    const r = await m.runBinary(["sync", "--json", "--client", "codex", "--env", "wsl"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // One insertion (our table), every other byte as it was.
    const after = read(files.wsl);
    let at = 0;
    while (at < long.length && after[at] === long[at]) at++;
    expect(after.slice(0, at) + after.slice(at + after.length - long.length)).toBe(long);
    expect(servers(files.wsl).plain).toMatchObject({ command: "node", args: ["server.js"] });
  });

  test("$CODEX_HOME moves the WSL file", async () => {
    const m = setup();
    const home = path.join(m.root, "codex-home");
    mkdirSync(home);
    const { report } = await syncJson(m, "--client", "codex", "--env", "wsl");
    expect(codexTargets(report)["wsl:Ubuntu"]!.path).toBe(
      path.join(m.paths.linuxHome, ".codex", "config.toml"),
    );
    const moved = await m.run(["sync", "--json", "--client", "codex", "--env", "wsl"], {
      env: { CODEX_HOME: home },
    });
    const target = codexTargets(JSON.parse(moved.stdout))["wsl:Ubuntu"]!;
    expect(target.path).toBe(path.join(home, "config.toml"));
    expect(target.note).toBe("$CODEX_HOME");
    expect(servers(path.join(home, "config.toml")).fixture).toBeDefined();
  });

  test("a project's .codex/config.toml gets the secret's name (env_vars), never its value", async () => {
    const m = setup();
    withCodex(m);
    const project = path.join(m.root, "project");
    mkdirSync(project);
    const { code, report } = await syncJson(m, "--project", project, "--client", "codex");
    expect(code).toBe(0);
    const file = path.join(project, ".codex", "config.toml");
    expect(servers(file).fixture).toMatchObject({ env_vars: ["FIXTURE_TOKEN"] });
    expect(servers(file).fixture!.env).toBeUndefined();
    expect(read(file)).not.toContain(SECRET);
    expect(report.references).toEqual(["FIXTURE_TOKEN"]);
  });

  test("an SSE remote in a project's .codex/config.toml (Codex's url is Streamable HTTP only): the relay runs through npx, pinned, no path of this machine; a registry without that mcp-twin is said", async () => {
    const m = setup(
      {},
      {
        events: {
          url: "https://mcp.example.com/sse",
          transport: "sse",
          headers: { "X-Api-Key": "${secret:FIXTURE_TOKEN}" },
        },
      },
    );
    withCodex(m);
    const project = path.join(m.root, "project");
    mkdirSync(project);
    const { code, report } = await syncJson(m, "--project", project, "--client", "codex");
    expect(code, JSON.stringify(report.errors)).toBe(0);
    const file = path.join(project, ".codex", "config.toml");
    expect(read(file)).toBe(PROJECT_RELAY);
    for (const machinePath of [m.root, process.execPath, "node_modules", "bin/mcp-twin"])
      expect(read(file)).not.toContain(machinePath);
    expect(report.references).toEqual(["FIXTURE_TOKEN"]);
    // The registry (this test's, like npm's own today) has no mcp-twin: said on the entry written.
    const problems = report.targets.find((t: { client: string }) => t.client === "codex").problems;
    expect(problems).toEqual([expect.objectContaining({ server: "events", code: "not-published" })]);
    expect(problems[0].message).toContain(
      `this project entry runs \`npx -y mcp-twin@${SELF_VERSION}\`, and the npm registry`,
    );
    expect(problems[0].message).toContain("has no such package: it starts for nobody who opens the project");
  });

  test("a project reference Codex cannot pass on whole is refused for that server, not written half", async () => {
    const m = setup(
      {},
      {
        fixture: {
          package: `${inject("fixtureName")}@1.0.0`,
          share: "off",
          env: { FIXTURE_URL: "https://x.example/?key=${secret:FIXTURE_TOKEN}" },
        },
      },
    );
    withCodex(m);
    const project = path.join(m.root, "project");
    mkdirSync(project);
    const { report } = await syncJson(m, "--project", project, "--client", "codex");
    const target = report.targets.find((t: { client: string }) => t.client === "codex");
    expect(target.problems[0].message).toMatch(/Codex does not expand \$\{FIXTURE_TOKEN\}/);
    expect(existsSync(path.join(project, ".codex", "config.toml"))).toBe(false);
  });

  test("the bridge reaches Codex through the connect relay: no token in its file on either side", async () => {
    const m = setup();
    const files = withCodex(m);
    const port = await freePort();
    writeManifest(m, { bridge: { enabled: true, port }, servers: {} });
    const stateDir = path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge");
    try {
      const { code } = await syncJson(m);
      expect(code).toBe(0);
      const token = read(path.join(stateDir, "token")).trim();
      const wsl = servers(files.wsl)["mcp-twin"]!;
      expect(wsl.command).toBe("/usr/bin/node");
      expect((wsl.args as string[]).slice(-2)).toEqual(["connect", `http://127.0.0.1:${port}/mcp`]);
      expect(wsl.http_headers).toBeUndefined();
      const windows = servers(files.windows)["mcp-twin"]!;
      expect(windows.command).toBe("wsl.exe");
      expect((windows.args as string[]).slice(0, 3)).toEqual(["-d", "Ubuntu", "--exec"]);
      expect((windows.args as string[]).at(-2)).toBe("connect");
      for (const file of [files.wsl, files.windows]) expect(read(file)).not.toContain(token);
    } finally {
      const serve = path.join(stateDir, "serve.json");
      if (existsSync(serve)) {
        try {
          process.kill((JSON.parse(read(serve)) as { pid: number }).pid, "SIGTERM");
        } catch {
          // already gone
        }
      }
    }
  });

  test("uninstall gives the hand-written config.toml back byte for byte, and deletes the one sync created", async () => {
    const m = setup();
    const files = withCodex(m, HAND_WRITTEN);
    expect((await m.run(["sync"])).code).toBe(0);
    expect(existsSync(files.windows)).toBe(true);
    const r = await m.run(["uninstall", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(read(files.wsl)).toBe(HAND_WRITTEN);
    expect(existsSync(files.windows)).toBe(false);
  });
});
