/**
 * import on a fake Windows PC with WSL whose clients hold real-world configs (test/fixtures/corpus),
 * and the whole loop: a `cmd /c npx` entry with an inline key → import → sync rewrites it into the
 * installed form, adopted (not foreign), and a real handshake through it works.
 */
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import { createFakeMachine, type FakeMachine } from "../helpers/fake-machine.js";
import { handshake } from "../helpers/mcp.js";

const CORPUS = path.resolve(__dirname, "../fixtures/corpus");
const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});
const machine = () => {
  const m = createFakeMachine({ registryUrl: inject("registryUrl") });
  machines.push(m);
  return m;
};
const place = (corpusFile: string, target: string) => {
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(path.join(CORPUS, corpusFile), target);
};

describe("import from real-world configs", () => {
  test("folds, normalises, moves keys, reports placeholders and broken files, never edits a client config", async () => {
    const m = machine();
    place("claude-desktop--Abdullah-47-Educhain_mcp-server--1.json", m.paths.claudeDesktopConfig);
    place("cursor--raphaelchristi-claude-mcp-config--1.json", m.paths.cursorConfig);
    place("claude-code--kkkaoru-mcp-configs--1.json", m.paths.claudeCodeConfig);
    place("claude-desktop--AllenOnAzure-MCP-Server--1.json", path.join(m.paths.profile, ".claude.json"));
    const before = [m.paths.claudeDesktopConfig, m.paths.cursorConfig, m.paths.claudeCodeConfig].map((f) =>
      readFileSync(f, "utf8"),
    );

    const r = await m.run(["import", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      servers: Array<{
        name: string;
        server: Record<string, unknown>;
        from: Array<{ client: string }>;
        notes: string[];
      }>;
      skipped: Array<{ file: string; server?: string; reason: string; line?: number; column?: number }>;
      adopted: unknown[];
    };
    const byName = Object.fromEntries(out.servers.map((s) => [s.name, s]));
    // the same package in two configs (npx in Desktop, npx in Cursor) is one entry
    expect(byName.context7?.server).toEqual({ url: "https://mcp.context7.com/mcp" });
    expect(byName["context7-2"]?.server).toEqual({ package: "@upstash/context7-mcp" });
    expect(byName.filesystem?.server).toEqual({
      package: "@modelcontextprotocol/server-filesystem",
      args: ["C:/Users/ansar/Desktop", "C:/Users/ansar/Downloads"],
    });
    expect(byName["taskmaster-ai"]?.server).toEqual({ package: "task-master-ai" });
    expect(byName.supabase?.server).toMatchObject({ package: "@supabase/mcp-server-supabase" });
    expect(byName["brave-search"]?.server).toEqual({
      package: "@brave/brave-search-mcp-server",
      args: ["--transport", "stdio"],
      env: { BRAVE_API_KEY: "${env:BRAVE_API_KEY}", BRAVE_MCP_TRANSPORT: "stdio" },
    });
    expect(byName.playwright?.server).toEqual({ package: "@playwright/mcp" });
    expect(byName["educhain-server"]?.server).toMatchObject({
      command: "C:\\Users\\ansar\\.local\\bin\\uv.EXE",
      environments: ["windows"],
    });
    expect(byName["educhain-server"]?.notes.join(" ")).toContain(
      '"Educhain Server" is named educhain-server',
    );
    expect(byName.motherduck?.server).toEqual({
      command: "uvx",
      args: ["mcp-server-motherduck", "--db-path", ":memory:"],
      environments: ["wsl:Ubuntu"],
    });
    // placeholders are reported, not stored; the broken file is reported with its position
    expect(out.skipped.filter((s) => /placeholder/.test(s.reason)).map((s) => s.server)).toEqual(
      expect.arrayContaining(["taskmaster-ai", "supabase"]),
    );
    expect(out.skipped.find((s) => s.file.endsWith(".claude.json") && s.line === 1)).toMatchObject({
      column: 1,
    });
    // the client configs are exactly as they were
    expect(
      [m.paths.claudeDesktopConfig, m.paths.cursorConfig, m.paths.claudeCodeConfig].map((f) =>
        readFileSync(f, "utf8"),
      ),
    ).toEqual(before);
    const manifest = readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8");
    expect(manifest).toContain('"$schema": "./mcp-twin.schema.json"');
    expect(manifest).not.toContain("YOUR_");
  });

  test('a server literally named "servers" and 19 of them in one file', async () => {
    const m = machine();
    place("claude-desktop--captainplanet9000-Cival-Dashboard-v8--1.json", m.paths.claudeDesktopConfig);
    const r = await m.run(["import", "--json", "--dry-run"]);
    const out = JSON.parse(r.stdout) as { servers: Array<{ name: string }>; secrets: string[] };
    expect(out.servers.map((s) => s.name)).toContain("servers");
    expect(out.servers.length).toBeGreaterThanOrEqual(10);
    // 19 copies of one Smithery key passed as --key: moved out once per server, never printed
    expect(r.stdout).not.toMatch(/"--key",\s*"[0-9a-f-]{20,}"/);
  });
});

describe("the whole loop", () => {
  test("cmd /c npx with an inline key → import → sync writes the installed form, adopted, and it handshakes", async () => {
    const m = machine();
    const KEY = "fx-live-7f3a9c2e51d0";
    mkdirSync(path.dirname(m.paths.claudeDesktopConfig), { recursive: true });
    writeFileSync(
      m.paths.claudeDesktopConfig,
      JSON.stringify(
        {
          mcpServers: {
            fixture: {
              command: "cmd",
              args: ["/c", "npx", "-y", inject("fixtureName")],
              env: { FIXTURE_API_KEY: KEY },
            },
          },
        },
        null,
        2,
      ),
    );
    const imported = await m.run(["import", "--yes"]);
    expect(imported.code).toBe(0);
    const manifest = readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8");
    expect(JSON.parse(manifest.replace(/^\/\/.*$/gm, "")).servers.fixture).toEqual({
      package: inject("fixtureName"),
      env: { FIXTURE_API_KEY: "${secret:FIXTURE_API_KEY}" },
    });
    const secrets = path.join(m.paths.home, "secrets.json");
    expect(JSON.parse(readFileSync(secrets, "utf8")).secrets.FIXTURE_API_KEY).toBe(KEY);
    expect(statSync(secrets).mode & 0o777).toBe(0o600);

    const synced = await m.run(["sync", "--json"]);
    expect(synced.code).toBe(0);
    const desktop = JSON.parse(synced.stdout).targets.find(
      (t: { client: string }) => t.client === "claude-desktop",
    );
    expect(desktop).toMatchObject({ action: "updated", updated: ["fixture"], drift: [] });
    expect(desktop.foreign).toBeUndefined();
    const entry = JSON.parse(readFileSync(m.paths.claudeDesktopConfig, "utf8")).mcpServers.fixture;
    expect(entry.command).toBe("C:\\PROGRA~1\\nodejs\\node.exe");
    expect(entry.env).toEqual({ FIXTURE_API_KEY: KEY });
    const session = await handshake(entry, {
      resolveCommand: (c) => path.join(m.paths.drive, ...c.slice(3).split("\\")),
      baseEnv: { PATH: m.env.PATH ?? "" },
    });
    expect(JSON.parse(await session.call("env", { name: "FIXTURE_API_KEY" }))).toEqual({
      set: true,
      length: KEY.length,
    });
    await session.close();
    for (const out of [imported, synced]) expect(out.stdout + out.stderr).not.toContain(KEY);
  });
});
