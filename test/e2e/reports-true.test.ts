/**
 * Reports that are true (issue 11): a server whose program is missing is a problem on each target
 * it lands in, with the install command of that environment; status does not say `synced` when an
 * entry's script is gone; an entry that runs on the other side of the line says so; project files
 * get portable entries; bad input says why, where, and how to go on.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, test } from "vitest";
import {
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";

runInProcessByDefault();

const SECRET = "fx-5b2e9d1c7a3f4e60";
const setup = fixtureMachines(SECRET, () => `${inject("fixtureName")}@1.0.0`);

const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const syncJson = async (m: FakeMachine, ...args: string[]) => {
  const r = await m.run(["sync", "--json", ...args]);
  return { ...r, report: r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
};
type Target = {
  env: string;
  client: string;
  action: string;
  added: string[];
  problems?: Array<{ server: string; code: string; message: string }>;
  across?: Array<{ server: string; runsIn: string; command?: string }>;
};

/** An executable stand-in for a program, on this fake machine's Linux PATH. */
function linuxProgram(m: FakeMachine, name: string): void {
  const file = path.join(m.root, "linux-bin", name);
  writeFileSync(file, "#!/bin/sh\nexit 0\n");
  chmodSync(file, 0o755);
}

describe("a server whose program is missing", () => {
  test("sync writes it but reports it per target, with the install command of that environment, and exits 1", async () => {
    const m = setup({ uv: false }, { time: { command: "uvx", args: ["mcp-server-time"] } });
    const { code, report } = await syncJson(m);
    expect(code).toBe(1);
    const targets = report.targets as Target[];
    expect(targets.map((t) => `${t.env} ${t.client}`).sort()).toEqual([
      "windows claude-desktop",
      "windows cursor",
      "wsl:Ubuntu claude-code",
    ]);
    for (const t of targets) {
      expect(t.added).toEqual(["time"]);
      expect(t.problems).toHaveLength(1);
      expect(t.problems![0]).toMatchObject({ server: "time", code: "program-missing" });
      expect(t.problems![0]!.message).toContain(`\`uvx\` is not found in ${t.env}`);
    }
    const windows = targets.find((t) => t.client === "cursor")!.problems![0]!.message;
    expect(windows).toContain("irm https://astral.sh/uv/install.ps1 | iex");
    const wsl = targets.find((t) => t.client === "claude-code")!.problems![0]!.message;
    expect(wsl).toContain("curl -LsSf https://astral.sh/uv/install.sh | sh");
    expect(report.errors.filter((e: { code: string }) => e.code === "program-missing")).toHaveLength(3);

    // The text report: no ✔ on a target whose entry cannot start, the fix on its line.
    const text = await m.run(["sync"]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/▲ wsl:Ubuntu claude-code .*unchanged/);
    expect(text.stdout).toContain("✖ time: `uvx` is not found in wsl:Ubuntu, so it cannot start there yet");
    expect(text.stdout).toMatch(/✖ `uvx` is not found in wsl:Ubuntu .*install\.sh \| sh/);

    // Installed on both sides: the same sync is clean.
    linuxProgram(m, "uvx");
    writeFileSync(path.join(m.paths.drive, "Windows", "System32", "uvx.exe"), "MZ");
    const again = await syncJson(m);
    expect(again.code).toBe(0);
    expect((again.report.targets as Target[]).every((t) => !t.problems)).toBe(true);
    expect(again.report.errors).toEqual([]);
  });
});

describe("what loads the change", () => {
  test("three command-line clients are one list, said as the missing-program line says its lists", async () => {
    const m = setup({ kind: "linux" });
    for (const [file, text] of [
      [".gemini/settings.json", "{}\n"],
      [".codex/config.toml", "# mine\n"],
    ] as const) {
      mkdirSync(path.dirname(path.join(m.paths.linuxHome, file)), { recursive: true });
      writeFileSync(path.join(m.paths.linuxHome, file), text);
    }
    const r = await m.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Start new Claude Code, Gemini CLI and Codex sessions to load the changes.");
  });
});

describe("status", () => {
  test("an entry whose installed script was deleted is missing, not synced", async () => {
    const m = await setup.synced();
    const before = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{ state: string }>;
    expect(before.map((r) => r.state)).toEqual(["synced", "synced", "synced"]);
    rmSync(path.join(m.paths.linuxPrefix, "lib", "node_modules", inject("fixtureName")), {
      recursive: true,
    });
    const r = await m.run(["status", "--json"]);
    const rows = JSON.parse(r.stdout) as Array<{ client: string; state: string; detail?: string }>;
    const code = rows.find((x) => x.client === "claude-code")!;
    expect(code.state).toBe("missing");
    expect(code.detail).toMatch(
      /its script .*server\.js is not found in wsl:Ubuntu: `mcp-twin sync` installs it again/,
    );
    // The Windows copy is still there.
    expect(rows.find((x) => x.client === "cursor")!.state).toBe("synced");
  });

  test("an entry whose program is not installed is missing, with its install command", async () => {
    const m = setup({ uv: false }, { time: { command: "uvx", args: ["mcp-server-time"] } });
    await m.run(["sync"]);
    const rows = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{
      client: string;
      state: string;
      detail?: string;
    }>;
    const code = rows.find((x) => x.client === "claude-code")!;
    expect(code.state).toBe("missing");
    expect(code.detail).toContain("curl -LsSf https://astral.sh/uv/install.sh | sh");
  });

  test("while a key is not set, it does not promise that sync writes the entries: it says what stops sync", async () => {
    const m = setup();
    writeSecrets(m, {});
    const sync = await m.run(["sync", "--dry-run"]);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toContain("servers.fixture: secret FIXTURE_TOKEN is not set.");
    const r = await m.run(["status"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      `\`mcp-twin sync\` writes them, after installing ${inject("fixtureName")} in wsl:Ubuntu and windows, once this is fixed (until then sync stops and writes nothing):\n  ✖ servers.fixture: secret FIXTURE_TOKEN is not set. Run \`mcp-twin secret set FIXTURE_TOKEN\` (or export FIXTURE_TOKEN).\n`,
    );
    const rows = JSON.parse((await m.run(["status", "--json"])).stdout) as Array<{ detail?: string }>;
    for (const row of rows)
      expect(row.detail).toMatch(
        /writes it once this is fixed: servers\.fixture: secret FIXTURE_TOKEN is not set\./,
      );
    // Set, the promise is plain again.
    writeSecrets(m, { FIXTURE_TOKEN: SECRET });
    const after = await m.run(["status"]);
    expect(after.stdout).toContain(
      `\`mcp-twin sync\` writes them, after installing ${inject("fixtureName")} in wsl:Ubuntu and windows.\n`,
    );
    expect(after.stdout).not.toContain("once this is fixed");
  });

  test("each column is as wide as its widest cell: `not installed` under a short header shifts no other column", async () => {
    const m = setup({ kind: "linux", uv: false }, { time: { command: "uvx", args: ["mcp-server-time"] } });
    // Two more clients whose headers ("linux cursor": 12) are narrower than "not installed" (13).
    for (const file of [".cursor/mcp.json", ".gemini/settings.json"]) {
      mkdirSync(path.dirname(path.join(m.paths.linuxHome, file)), { recursive: true });
      writeFileSync(path.join(m.paths.linuxHome, file), "{}\n");
    }
    await m.run(["sync"]);
    const r = await m.run(["status"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    const header = lines.find((l) => l.startsWith("server"))!;
    const row = lines.find((l) => l.startsWith("time"))!;
    const columns = ["linux claude-code", "linux cursor", "linux gemini-cli"];
    for (const t of columns) expect(header).toContain(t);
    // Every cell starts exactly where its header starts.
    for (const t of columns) expect(row.slice(header.indexOf(t)).startsWith("not installed "), t).toBe(true);
  });

  test("names the manifest on /mnt/c as Windows does, like sync's report", async () => {
    const m = await setup.synced();
    const r = await m.run(["status"]);
    expect(r.stdout).toContain(
      `Manifest: C:\\Users\\${m.windowsUser}\\AppData\\Roaming\\mcp-twin\\mcp-twin.jsonc`,
    );
    expect(r.stdout).not.toContain("/mnt/");
  });
});

describe("doctor: one cause, one line, one mark", () => {
  test("the bridge's entry in Claude Desktop and Cursor: each config's pointer has the mark of what it points at", async () => {
    const { freePort } = await import("../helpers/net.js");
    const m = setup();
    const manifest = path.join(m.paths.home, "mcp-twin.jsonc");
    writeFileSync(
      manifest,
      JSON.stringify({ ...json(manifest), bridge: { enabled: true, port: await freePort() } }),
    );
    expect((await m.run(["sync"])).code).toBe(0);
    const r = await m.run(["doctor"]);
    const lines = r.stdout.split("\n");
    const shared = lines.slice(
      lines.findIndex((l) => l.startsWith("  Claude Desktop and Cursor  what they share")),
    );
    const pointers = lines.filter((l) => l.endsWith('see "Claude Desktop and Cursor" below'));
    expect(pointers.length, r.stdout).toBe(4); // fixture and mcp-twin, in each of the two configs
    for (const pointer of pointers) {
      const [, mark, server] = /^ {4}(\S) (\S+)/.exec(pointer)!;
      const target = shared.find((l) => new RegExp(`^ {4}\\S ${server}(\\s|$)`).test(l));
      expect(target, r.stdout).toMatch(new RegExp(`^ {4}${mark} ${server}(\\s|$)`));
    }
    // One start answered for both: said once.
    expect(r.stdout.match(/one start for Claude Desktop and Cursor, the same launch/g)).toHaveLength(1);
  });
});

describe("across the line", () => {
  test("no Linux npm: Claude Code's line says its server runs with Windows' node.exe through interop, and why", async () => {
    const m = setup({ linuxNpm: false });
    const { code, report } = await syncJson(m);
    expect(code).toBe(0);
    const target = (report.targets as Target[]).find((t) => t.client === "claude-code")!;
    expect(target.across).toEqual([
      {
        server: "fixture",
        runsIn: "windows",
        command: path.join(m.paths.drive, "Program Files", "nodejs", "node.exe"),
      },
    ]);
    // Windows clients run their own node: nothing to say there.
    expect((report.targets as Target[]).find((t) => t.client === "cursor")!.across).toBeUndefined();
    m.clearInteropLog();
    const text = await m.run(["sync", "--client", "claude-code"]);
    // The target's line says what runs where, and points at the environment's line for why.
    expect(text.stdout).toMatch(
      /wsl:Ubuntu claude-code[^\n]*\n {6}fixture runs in windows through WSL interop \(C:\\Program Files\\nodejs\\node\.exe\), as wsl:Ubuntu is not usable \(see Environments\)\n/,
    );
  });

  test("no Linux npm (node is Linux's own): the reason names npm, the fix is said once, and doctor gives the same fix", async () => {
    const m = setup({ linuxNpm: false });
    const fix =
      "Install npm inside WSL: install nvm (github.com/nvm-sh/nvm), then `nvm install --lts` (npm comes with its Node.js); keep appendWindowsPath on.";
    const sync = await m.run(["sync"]);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain(
      `  ▲ wsl:Ubuntu     not usable: no Linux npm: PATH finds Windows' npm (C:\\Program Files\\nodejs\\npm), which does not run inside WSL\n      → ${fix}\n`,
    );
    expect(sync.stdout.split(fix)).toHaveLength(2);
    expect(sync.stdout).not.toContain("install Node.js");
    const json = JSON.parse((await m.run(["sync", "--json"])).stdout);
    expect(json.environments.find((e: { id: string }) => e.id === "wsl:Ubuntu")).toMatchObject({
      usable: false,
      reason: expect.stringMatching(/^no Linux npm: /),
      fix,
    });
    // init: the clients apart from the advice, and the fix once in all it prints.
    const init = await m.run(["init", "--yes", "--dry-run"]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(
      /\n {2}▲ wsl:Ubuntu +not usable {2}Claude Code\n {6}no Linux npm: PATH finds Windows' npm \(C:\\Program Files\\nodejs\\npm\), which does not run inside WSL\n {6}→ Install npm inside WSL: /,
    );
    expect(init.stdout.split(fix)).toHaveLength(2);
    expect(init.stdout).toContain("mcp-twin.jsonc (1 server already)");
    // doctor's npm.foreign: the same fix.
    const doctor = JSON.parse((await m.run(["doctor", "--json", "--no-probe", "--env", "wsl"])).stdout);
    const foreign = doctor.checks.find((c: { id: string }) => c.id === "npm.foreign");
    expect(foreign.fix).toBe(fix);
  });
});

describe("project scope", () => {
  test("project entries are portable: npx with the pinned version, no path of this machine", async () => {
    const m = setup(
      {},
      { fixture: { package: inject("fixtureName"), env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" } } },
    );
    const project = path.join(m.paths.linuxHome, "app");
    mkdirSync(project, { recursive: true });
    const r = await m.run(["sync", "--project", project]);
    expect(r.code).toBe(0);
    const text = readFileSync(path.join(project, ".mcp.json"), "utf8");
    expect(JSON.parse(text).mcpServers.fixture).toEqual({
      type: "stdio",
      command: "npx",
      args: ["-y", `${inject("fixtureName")}@1.1.0`],
      env: { FIXTURE_TOKEN: "${FIXTURE_TOKEN}" },
    });
    for (const machinePath of [m.root, "/usr/bin/node", ".npm-global", "node_modules"])
      expect(text).not.toContain(machinePath);
    // status agrees with what sync wrote, and checks npx is there to start it.
    const status = async () => JSON.parse((await m.run(["status", "--json", "--project", project])).stdout);
    expect((await status()).map((x: { state: string }) => x.state)).toEqual(["synced"]);
    rmSync(path.join(m.root, "linux-bin", "npx"));
    expect(await status()).toMatchObject([
      { state: "missing", detail: expect.stringContaining("`npx` is not found in wsl:Ubuntu") },
    ]);
  });
});

describe("bad input says why, where, and how to go on", () => {
  test("a manifest syntax error gives the reason and file:line:column", async () => {
    const m = setup();
    const file = writeManifest(
      m,
      '{\n  "servers": {\n    "a": { "command": "x" }\n    "b": { "command": "y" }\n  }\n}\n',
    );
    const r = await m.run(["sync"]);
    expect(r.code).toBe(2);
    // The file as Windows names it (it is on C:), with line and column.
    expect(file.startsWith(m.paths.appdata)).toBe(true);
    expect(r.stderr).toContain(
      `C:\\Users\\${m.windowsUser}\\AppData\\Roaming\\mcp-twin\\mcp-twin.jsonc:4:5: comma expected; the manifest is not valid JSON (JSONC).`,
    );
  });

  test("a secret with a line break filled into a header: exit 2 naming the secret and the field, nothing written, the value never shown", async () => {
    const value = "tok3n-abc\r\nX-Injected: yes";
    const m = setup(
      {},
      {
        api: {
          url: "https://api.example.com/mcp",
          auth: "client",
          headers: { Authorization: "Bearer ${secret:API_TOKEN}" },
        },
      },
    );
    writeSecrets(m, { API_TOKEN: value });
    const files = [m.paths.cursorConfig, m.paths.claudeCodeConfig, m.paths.claudeDesktopConfig];
    const contents = () => files.map((f) => (existsSync(f) ? readFileSync(f, "utf8") : null));
    const before = contents();
    const r = await m.run(["sync"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "servers.api: secret API_TOKEN holds a line break or another control character, and headers.Authorization must be one line of text.",
    );
    expect(r.stderr).toContain("mcp-twin secret set API_TOKEN");
    expect(contents()).toEqual(before);
    const doctor = await m.run(["doctor"]);
    expect(doctor.stdout).toContain(
      "secret API_TOKEN (headers.Authorization) holds a line break: a url or header value is one line, so sync will not write it.",
    );
    for (const out of [r.stdout, r.stderr, doctor.stdout, doctor.stderr]) {
      expect(out).not.toContain("tok3n-abc");
      expect(out).not.toContain("X-Injected");
    }
  });

  test("an unknown manifest field gets a did-you-mean and the allowed fields", async () => {
    const m = setup({}, { a: { command: "x", enviroment: ["wsl"] } });
    const r = await m.run(["sync", "--json"]);
    expect(r.code).toBe(2);
    const error = JSON.parse(r.stdout).errors[0];
    expect(error.code).toBe("manifest-invalid");
    expect(error.message).toMatch(/servers\.a: unknown field "enviroment" \(did you mean "environments"\?\)/);
    const text = await m.run(["sync"]);
    expect(text.stderr).toMatch(/Fields allowed here: .*environments/);
  });

  test("a config that does not parse stops the run and names the --env / --client that leave it out", async () => {
    const m = setup();
    writeFileSync(m.paths.cursorConfig, '{ "mcpServers": { ');
    const said =
      /C:\\Users\\alice\\\.cursor\\mcp\.json:1:\d+: closing brace expected; the file is not valid JSON/;
    const r = await m.run(["sync"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(said);
    expect(r.stderr).toContain(
      "To sync the other targets meanwhile, leave this one out: --env wsl:Ubuntu (skips everything in windows), or --client claude-code --client claude-desktop (skips cursor everywhere",
    );
    // Stopped by a file it cannot read: nothing written, not even what it learnt about the machine.
    expect(existsSync(path.join(m.paths.home, "cache", "environments.json"))).toBe(false);
    // status names it too, and shows the others (a partial result, exit 1): no run to leave it out of.
    const status = await m.run(["status"]);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(said);
    expect(status.stderr).not.toContain("To sync the other targets meanwhile");
    expect(status.stdout).toContain("wsl:Ubuntu claude-code");
    // The way out it names works: the other targets sync, the broken file is untouched.
    const other = await m.run(["sync", "--env", "wsl:Ubuntu"]);
    expect(other.code).toBe(0);
    expect(json(m.paths.claudeCodeConfig).mcpServers.fixture).toBeDefined();
    expect(readFileSync(m.paths.cursorConfig, "utf8")).toBe('{ "mcpServers": { ');
    expect(existsSync(path.join(m.paths.home, "cache", "environments.json"))).toBe(true);
  });
});
