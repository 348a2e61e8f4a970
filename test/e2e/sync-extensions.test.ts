/**
 * Editors where they really run: Cline, Roo Code and Zoo Code written in each editor that has them
 * on Windows and in the WSL remote (`~/.vscode-server`), and VS Code connected to WSL given the
 * servers that start in WSL in its remote user file — never twice for one window.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { doctor, pick } from "../doctor/helpers.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { handshake } from "../helpers/mcp.js";

runInProcessByDefault();

const SECRET = "fx-3c11e7a9b0d4e6f2";
const REMOTE_KEY = "rk-7a51e0c2d9f34b18";
const REMOTE = "http://127.0.0.1:9/mcp";

// What people's files hold before mcp-twin: CRLF, their own servers and the apps' own keys.
const WIN_CLINE = [
  "{",
  '  "mcpServers": {',
  '    "mine": {',
  '      "command": "node",',
  '      "args": ["mine.js"],',
  '      "disabled": true,',
  '      "autoApprove": ["read"]',
  "    }",
  "  },",
  '  "telemetry": false',
  "}",
  "",
].join("\r\n");
const WIN_ROO = `{\r\n\t"mcpServers": {\r\n\t\t"theirs": { "type": "streamable-http", "url": "https://example.com/mcp", "alwaysAllow": ["*"] }\r\n\t}\r\n}\r\n`;

let m: FakeMachine;
let first: { code: number; stdout: string; stderr: string };
const f = {
  winRoo: "",
  winZoo: "",
  winCline: "",
  winVscode: "",
  wslCline: "",
  wslRoo: "",
  wslZoo: "",
  wslVscode: "",
  wslKilo: "",
};

function storage(base: string, id: string, ...rest: string[]): string {
  return path.join(base, "User", "globalStorage", id, ...rest);
}

beforeAll(async () => {
  m = createFakeMachine({ registryUrl: inject("registryUrl") });
  const home = m.paths.linuxHome;
  // Windows: VS Code with Roo Code and Cline, Cursor with Zoo Code; Cline's own folder.
  const code = path.join(m.paths.appdata, "Code");
  const cursor = path.join(m.paths.appdata, "Cursor");
  f.winRoo = storage(code, "rooveterinaryinc.roo-cline", "settings", "mcp_settings.json");
  f.winZoo = storage(cursor, "zoocodeorganization.zoo-code", "settings", "mcp_settings.json");
  f.winCline = path.join(m.paths.profile, ".cline", "data", "settings", "cline_mcp_settings.json");
  f.winVscode = path.join(code, "User", "mcp.json");
  mkdirSync(path.dirname(f.winRoo), { recursive: true });
  writeFileSync(f.winRoo, WIN_ROO);
  mkdirSync(storage(cursor, "zoocodeorganization.zoo-code"), { recursive: true });
  mkdirSync(path.dirname(f.winCline), { recursive: true });
  writeFileSync(f.winCline, WIN_CLINE);
  // WSL: VS Code's server (a window connected to WSL ran here), with Cline and Roo Code installed
  // in it; Cursor's server with Zoo Code's extension folder only.
  const server = path.join(home, ".vscode-server");
  mkdirSync(path.join(server, "extensions", "saoudrizwan.claude-dev-4.1.13"), { recursive: true });
  mkdirSync(path.join(server, "data", "User", "globalStorage", "rooveterinaryinc.roo-cline"), {
    recursive: true,
  });
  mkdirSync(path.join(home, ".cursor-server", "extensions", "zoocodeorganization.zoo-code-3.82.0"), {
    recursive: true,
  });
  mkdirSync(path.join(home, ".cursor-server", "data", "User"), { recursive: true });
  // Kilo Code's extension in VS Code's WSL server only: it runs the kilo CLI bundled in it there.
  mkdirSync(path.join(server, "extensions", "kilocode.kilo-code-7.2.1-linux-x64"), { recursive: true });
  f.wslKilo = path.join(home, ".config", "kilo", "kilo.jsonc");
  f.wslCline = path.join(home, ".cline", "data", "settings", "cline_mcp_settings.json");
  f.wslRoo = path.join(
    server,
    "data",
    "User",
    "globalStorage",
    "rooveterinaryinc.roo-cline",
    "settings",
    "mcp_settings.json",
  );
  f.wslZoo = path.join(
    home,
    ".cursor-server",
    "data",
    "User",
    "globalStorage",
    "zoocodeorganization.zoo-code",
    "settings",
    "mcp_settings.json",
  );
  f.wslVscode = path.join(server, "data", "User", "mcp.json");
  const pkg = inject("fixtureName");
  writeManifest(m, {
    servers: {
      fixture: { package: pkg, share: "off", env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" } },
      linuxonly: { package: pkg, environments: ["wsl"] },
      winonly: { package: pkg, environments: ["windows"] },
      // Its entry in each client (these tests read its shapes), not the gateway's.
      remote: { url: REMOTE, headers: { Authorization: "Bearer ${secret:REMOTE_KEY}" }, share: "off" },
    },
  });
  writeSecrets(m, { FIXTURE_TOKEN: SECRET, REMOTE_KEY });
  first = await m.run(["sync"]);
}, 240_000);

afterAll(() => m?.cleanup());

const json = (file: string) => JSON.parse(readFileSync(file, "utf8").replace(/^\uFEFF/, ""));
const onDrive = (command: string) =>
  /^[A-Za-z]:\\/.test(command) ? path.join(m.paths.drive, ...command.slice(3).split("\\")) : command;
const linuxScript = () =>
  path.join(m.paths.linuxPrefix, "lib", "node_modules", inject("fixtureName"), "dist", "server.js");

describe("extension clients, where their editors run them", () => {
  test("sync succeeds and writes every file of every editor that has the extension", () => {
    expect(first.code, first.stdout + first.stderr).toBe(0);
    for (const file of [f.winRoo, f.winZoo, f.winCline, f.wslCline, f.wslRoo, f.wslZoo])
      expect(Object.keys(json(file).mcpServers)).toEqual(expect.arrayContaining(["fixture", "remote"]));
    expect(first.stdout).toContain("Zoo Code in Cursor");
    expect(first.stdout).toContain("Roo Code in VS Code (remote)");
  });

  test("Cline in WSL: its shared file, Linux paths, Streamable HTTP as `streamableHttp`", () => {
    const entries = json(f.wslCline).mcpServers;
    expect(entries.fixture).toEqual({
      command: "/usr/bin/node",
      args: [linuxScript()],
      env: { FIXTURE_TOKEN: SECRET },
    });
    expect(entries.remote).toEqual({
      type: "streamableHttp",
      url: REMOTE,
      headers: { Authorization: `Bearer ${REMOTE_KEY}` },
    });
    // A WSL-side Cline starts a WSL-only server in WSL, a Windows-only one through interop.
    expect(entries.linuxonly.command).toBe("/usr/bin/node");
    expect(entries.winonly.command).toMatch(/node\.exe$/);
  });

  test("Roo Code and Zoo Code: `streamable-http`, the people's servers, CRLF and own keys kept, strict JSON", () => {
    const text = readFileSync(f.winRoo, "utf8");
    expect(text).toContain(
      '"theirs": { "type": "streamable-http", "url": "https://example.com/mcp", "alwaysAllow": ["*"] }',
    );
    expect(
      text
        .split("\n")
        .slice(0, -1)
        .every((l) => l.endsWith("\r")),
    ).toBe(true);
    const roo = JSON.parse(text).mcpServers;
    expect(roo.remote).toEqual({
      type: "streamable-http",
      url: REMOTE,
      headers: { Authorization: `Bearer ${REMOTE_KEY}` },
    });
    expect(roo.fixture.command).toBe("C:\\PROGRA~1\\nodejs\\node.exe");
    expect(roo.linuxonly.command).toBe("wsl.exe");
    expect(json(f.wslRoo).mcpServers.fixture.args).toEqual([linuxScript()]);
    const cline = readFileSync(f.winCline, "utf8");
    expect(cline.startsWith(WIN_CLINE.slice(0, WIN_CLINE.indexOf("    }\r\n")))).toBe(true);
    expect(JSON.parse(cline).telemetry).toBe(false);
  });

  test("Kilo Code's extension in WSL's VS Code server: WSL's kilo file gets its servers, Windows none", () => {
    const kilo = json(f.wslKilo).mcp;
    expect(kilo.fixture).toEqual({
      type: "local",
      command: ["/usr/bin/node", linuxScript()],
      environment: { FIXTURE_TOKEN: SECRET },
    });
    expect(existsSync(path.join(m.paths.profile, ".config", "kilo", "kilo.jsonc"))).toBe(false);
  });

  test("each written entry starts the server as its editor would (real MCP handshakes)", async () => {
    const starts: Array<[string, string]> = [
      [f.wslCline, "fixture"],
      [f.wslRoo, "linuxonly"],
      [f.winRoo, "fixture"],
      [f.winZoo, "fixture"],
    ];
    for (const [file, name] of starts) {
      const session = await handshake(json(file).mcpServers[name], {
        resolveCommand: onDrive,
        baseEnv: { PATH: m.env.PATH ?? "" },
      });
      try {
        expect(session.tools).toContain("echo");
      } finally {
        await session.close();
      }
    }
  });
});

describe("VS Code connected to WSL", () => {
  test("the remote user file holds the servers that start in WSL, the Windows file the rest", () => {
    const remote = json(f.wslVscode).servers;
    expect(Object.keys(remote).sort()).toEqual(["fixture", "linuxonly"]);
    expect(remote.fixture).toEqual({
      type: "stdio",
      command: "/usr/bin/node",
      args: [linuxScript()],
      env: { FIXTURE_TOKEN: SECRET },
    });
    const windows = json(f.winVscode).servers;
    expect(Object.keys(windows).sort()).toEqual(["fixture", "linuxonly", "remote", "winonly"]);
    // A Windows window starts the WSL-only server through wsl.exe; a WSL window, the remote entry.
    expect(windows.linuxonly.command).toBe("wsl.exe");
    expect(windows.linuxonly.args.slice(0, 3)).toEqual(["-d", "Ubuntu", "--exec"]);
  });

  test("status shows the remote file with the servers it holds, each in sync", async () => {
    const r = await m.run(["status", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{
      env: string;
      client: string;
      server: string;
      state: string;
    }>;
    const remote = rows.filter((x) => x.env === "wsl:Ubuntu" && x.client === "vscode");
    expect(remote.map((x) => [x.server, x.state]).sort()).toEqual([
      ["fixture", "synced"],
      ["linuxonly", "synced"],
    ]);
  });

  test("sync's report says which side each server runs on in such a window", () => {
    expect(first.stdout).toMatch(
      /a window connected to wsl:Ubuntu: fixture and linuxonly start in wsl:Ubuntu from this file; remote and winonly as windows's .*Code\\User\\mcp\.json says/,
    );
  });
});

describe("doctor reads them as their apps do", () => {
  test("a byte-order mark in Cline's file is a failure (Cline's JSON.parse refuses it)", async () => {
    const file = path.join(m.paths.profile, ".cline", "data", "settings", "cline_mcp_settings.json");
    const text = readFileSync(file, "utf8");
    writeFileSync(file, `\uFEFF${text}`);
    const run = await doctor(m, ["--no-probe"]);
    writeFileSync(file, text);
    const found = pick(run, "config.strict-json", { client: "cline" });
    expect(found.map((c) => [c.env, c.status])).toEqual([["windows", "fail"]]);
    expect(found[0]?.message).toContain("byte-order mark");
  }, 120_000);
});

describe("import reads them as their apps do", () => {
  test("Cline's nested form and url shapes, Roo Code's `streamable-http`: imported as servers, own keys left out", async () => {
    const cline = json(f.wslCline);
    cline.mcpServers.nested = {
      transport: { type: "stdio", command: "/usr/bin/node", args: ["/srv/nested.js"] },
      autoApprove: ["x"],
      timeout: 30,
    };
    cline.mcpServers.legacy = { url: "https://legacy.example.com/sse" };
    writeFileSync(f.wslCline, JSON.stringify(cline, null, 2));
    const roo = json(f.winRoo);
    const r = await m.run(["import", "--dry-run", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const servers = JSON.parse(r.stdout).servers as Array<{ name: string; server: Record<string, unknown> }>;
    const by = (n: string) => servers.find((s) => s.name === n)?.server;
    expect(by("nested")).toEqual({
      command: "/usr/bin/node",
      args: ["/srv/nested.js"],
      environments: ["wsl:Ubuntu"],
    });
    expect(by("legacy")).toEqual({ url: "https://legacy.example.com/sse", transport: "sse" });
    expect(by("theirs")).toEqual({ url: "https://example.com/mcp" });
    expect(json(f.winRoo)).toEqual(roo);
    delete cline.mcpServers.nested;
    delete cline.mcpServers.legacy;
    writeFileSync(f.wslCline, JSON.stringify(cline, null, 2));
  }, 120_000);
});

describe("last: the apps' own edits, then uninstall", () => {
  test("the apps' own edits are theirs: no drift, nothing rewritten, and uninstall gives the bytes back", async () => {
    // Roo Code rewrites its file when a tool is allowed: 2-space JSON, keys added to our entry.
    const roo = json(f.wslRoo);
    roo.mcpServers.fixture.alwaysAllow = ["echo"];
    roo.mcpServers.fixture.disabled = true;
    writeFileSync(f.wslRoo, JSON.stringify(roo, null, 2));
    const rewritten = readFileSync(f.wslRoo, "utf8");
    const again = await m.run(["sync", "--json"]);
    expect(again.code, again.stderr).toBe(0);
    const targets = JSON.parse(again.stdout).targets as Array<{
      path: string;
      action: string;
      drift: string[];
    }>;
    const rooTarget = targets.find((t) =>
      t.path.endsWith("rooveterinaryinc.roo-cline/settings/mcp_settings.json"),
    );
    expect(rooTarget).toMatchObject({ action: "unchanged", drift: [] });
    expect(readFileSync(f.wslRoo, "utf8")).toBe(rewritten);

    const gone = await m.run(["uninstall", "--yes"]);
    expect(gone.code, gone.stdout + gone.stderr).toBe(0);
    expect(readFileSync(f.winCline, "utf8")).toBe(WIN_CLINE);
    expect(readFileSync(f.winRoo, "utf8")).toBe(WIN_ROO);
    // Files mcp-twin made hold nothing of the person's: they go (the app's keys went with our entry).
    expect(existsSync(f.wslRoo)).toBe(false);
    expect(existsSync(f.wslVscode)).toBe(false);
    expect(existsSync(f.wslKilo)).toBe(false);
  }, 120_000);

  test("restore --original gives each extension's files back as they were before mcp-twin", async () => {
    const again = await m.run(["sync"]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(json(f.winRoo).mcpServers.fixture).toBeDefined();
    expect(json(f.wslCline).mcpServers.fixture).toBeDefined();
    for (const client of ["cline", "roo-code", "kilo-code"]) {
      const back = await m.run(["restore", client, "--original"]);
      expect(back.code, back.stdout + back.stderr).toBe(0);
    }
    expect(readFileSync(f.winCline, "utf8")).toBe(WIN_CLINE);
    expect(readFileSync(f.winRoo, "utf8")).toBe(WIN_ROO);
    // Files that were not there before mcp-twin are not there again.
    for (const file of [f.wslRoo, f.wslZoo, f.wslCline, f.wslKilo])
      expect(existsSync(file), file).toBe(false);
  }, 120_000);
});
