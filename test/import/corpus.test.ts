/**
 * import on a fake Windows + WSL machine whose clients hold real-world configs from the corpus:
 * the same server written differently on each side folds into one entry, odd files are reported
 * (never edited), and the entries folded under their own names are adopted in state.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { targetKey } from "../../src/core/clients/targets.js";
import { entryHash } from "../../src/core/ledger/state.js";
import { createFakeMachine, type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { importJson, manifestOf, type Place, placeCorpus, placeJson, places, stateOf } from "./helpers.js";

runInProcessByDefault();

function snapshot(list: Place[]): Map<string, string> {
  return new Map(list.map((p) => [p.file, readFileSync(p.file, "utf8")]));
}

describe("the same servers on both sides (Educhain, yukiko, raphaelchristi, kkkaoru configs)", () => {
  let m: FakeMachine;
  let run: Awaited<ReturnType<typeof importJson>>;
  let before: Map<string, string>;
  let p: ReturnType<typeof places>;

  beforeAll(async () => {
    m = createFakeMachine();
    p = places(m);
    placeCorpus(p.desktop, "claude-desktop--Abdullah-47-Educhain_mcp-server--1.json");
    placeCorpus(p.winCode, "claude-code--yukiko10140422-star-mcp-config--1.json");
    placeCorpus(p.cursor, "cursor--raphaelchristi-claude-mcp-config--1.json");
    placeCorpus(p.wslCode, "claude-code--kkkaoru-mcp-configs--1.json");
    before = snapshot([p.desktop, p.winCode, p.cursor, p.wslCode]);
    run = await importJson(m, ["--yes"]);
  }, 120_000);
  afterAll(() => m?.cleanup());

  test("succeeds and never touches a client config", () => {
    expect(run.code, run.stderr).toBe(0);
    for (const [file, bytes] of before) expect(readFileSync(file, "utf8")).toBe(bytes);
  });

  test("`cmd /c npx` (Windows Claude Code) and `npx` (Cursor) fold into one package entry, both adopted", () => {
    const c = run.server("context7")!;
    expect(c.server).toEqual({ package: "@upstash/context7-mcp" });
    expect(c.found.map((f) => [f.env, f.client, f.via, f.adopted])).toEqual([
      ["windows", "claude-code", "cmd /c npx", true],
      ["windows", "cursor", "npx", true],
    ]);
    // The http context7 in WSL is another server under the same name: reported, left alone.
    const other = run.json.skipped.find((s) => s.server === "context7")!;
    expect(other.file).toBe(p.wslCode.native);
    expect(other.reason).toContain('another server is imported as "context7"');
  });

  test("`bunx` in WSL and `cmd /c npx …@latest` on Windows are the same unpinned package", () => {
    const pw = run.server("playwright")!;
    expect(pw.server).toEqual({ package: "@playwright/mcp" });
    expect(pw.found.map((f) => [f.env, f.via, f.adopted])).toEqual([
      ["wsl:Ubuntu", "bunx", true],
      ["windows", "cmd /c npx", true],
    ]);
  });

  test("folder arguments found on Windows get a WSL override with the same folders", () => {
    const mount = path.join(m.root, "mnt");
    expect(run.server("filesystem")!.server).toEqual({
      package: "@modelcontextprotocol/server-filesystem",
      args: ["C:/Users/ansar/Desktop", "C:/Users/ansar/Downloads"],
      overrides: {
        "wsl:Ubuntu": { args: [`${mount}/c/Users/ansar/Desktop`, `${mount}/c/Users/ansar/Downloads`] },
      },
    });
  });

  test('"Educhain Server" becomes educhain-server, a Windows-only command, not adopted', () => {
    const e = run.server("educhain-server")!;
    expect(e.server).toMatchObject({
      command: "C:\\Users\\ansar\\.local\\bin\\uv.EXE",
      environments: ["windows"],
    });
    expect(e.found[0]).toMatchObject({ entry: "Educhain Server", adopted: false });
    expect(e.found[0]!.why).toContain('imported as "educhain-server"');
  });

  test("`wsl npx` in Windows Cursor runs in WSL; here its name is taken by the http supabase", () => {
    const s = run.json.skipped.find((x) => x.server === "supabase")!;
    expect(s.file).toBe(p.cursor.native);
    expect(s.reason).toContain("npm package @supabase/mcp-server-supabase");
    expect(run.server("supabase")!.server).toEqual({ url: "https://mcp.supabase.com/mcp" });
  });

  test("YOUR_*_API_KEY placeholders are reported, referenced, and never stored", () => {
    expect(run.server("taskmaster-ai")!.server).toEqual({
      package: "task-master-ai",
      env: {
        PERPLEXITY_API_KEY: "${secret:PERPLEXITY_API_KEY}",
        GOOGLE_API_KEY: "${secret:GOOGLE_API_KEY}",
        OPENAI_API_KEY: "${secret:OPENAI_API_KEY}",
      },
    });
    expect(run.json.missingSecrets.map((x) => [x.name, x.placeholder])).toEqual([
      ["PERPLEXITY_API_KEY", "YOUR_PERPLEXITY_API_KEY"],
      ["GOOGLE_API_KEY", "YOUR_GOOGLE_API_KEY"],
      ["OPENAI_API_KEY", "YOUR_OPENAI_API_KEY"],
    ]);
    expect(run.json.secrets).toEqual([]);
    expect(() => readFileSync(path.join(m.paths.home, "secrets.json"))).toThrow();
  });

  test("${VAR} references become ${env:VAR}; uvx/uv/gh become commands limited to where they were found", () => {
    expect(run.server("brave-search")!.server).toEqual({
      package: "@brave/brave-search-mcp-server",
      args: ["--transport", "stdio"],
      env: { BRAVE_API_KEY: "${env:BRAVE_API_KEY}", BRAVE_MCP_TRANSPORT: "stdio" },
    });
    expect(run.server("motherduck")!.server).toEqual({
      command: "uvx",
      args: ["mcp-server-motherduck", "--db-path", ":memory:"],
      environments: ["wsl:Ubuntu"],
    });
    expect(run.server("github")!.server).toEqual({ command: "gh", args: ["mcp"], environments: ["windows"] });
    expect(run.server("serena")!.server).toMatchObject({ command: "uv", environments: ["wsl:Ubuntu"] });
  });

  test("the manifest holds exactly what was reported, and validates", () => {
    const manifest = manifestOf(m);
    expect(Object.keys(manifest.servers).sort()).toEqual(run.json.servers.map((s) => s.name).sort());
    for (const s of run.json.servers) expect(manifest.servers[s.name]).toEqual(s.server);
    expect(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8")).toContain(
      '"$schema": "./mcp-twin.schema.json"',
    );
  });

  test("adopted entries are recorded in state with the hash of the entry as it is in the file", () => {
    const state = stateOf(m);
    expect(run.json.adopted.length).toBeGreaterThan(10);
    for (const a of run.json.adopted) {
      const place = Object.values(p).find((x) => x.native === a.path)!;
      const file = JSON.parse(readFileSync(place.file, "utf8"));
      const key = targetKey(a.env, a.client, a.scope, a.path);
      expect(state.targets[key]!.entries[a.server]!.hash).toBe(entryHash(file.mcpServers[a.server]));
    }
    // Not adopted: renamed, or another server under that name.
    const desktopKey = targetKey("windows", "claude-desktop", "user", p.desktop.native);
    expect(Object.keys(state.targets[desktopKey]!.entries)).toEqual(["filesystem"]);
    const cursorKey = targetKey("windows", "cursor", "user", p.cursor.native);
    expect(Object.keys(state.targets[cursorKey]!.entries).sort()).toEqual(["context7", "taskmaster-ai"]);
  });

  test("a second import finds the adopted entries already managed and changes nothing", async () => {
    const manifest = readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8");
    const state = readFileSync(path.join(m.paths.home, "state.json"), "utf8");
    const again = await importJson(m);
    expect(again.code).toBe(0);
    expect(again.json.servers.filter((s) => s.action !== "unchanged").map((s) => s.name)).toEqual([]);
    expect(
      again.json.adopted.every((a) =>
        run.json.adopted.some((b) => b.path === a.path && b.server === a.server),
      ),
    ).toBe(true);
    expect(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8")).toBe(manifest);
    expect(readFileSync(path.join(m.paths.home, "state.json"), "utf8")).toBe(state);
  });
});

describe("odd files: invalid JSON, 19 Smithery servers one of them named servers, Roo, VS Code, Windsurf, Gemini", () => {
  let m: FakeMachine;
  let run: Awaited<ReturnType<typeof importJson>>;
  let p: ReturnType<typeof places>;
  let before: Map<string, string>;

  beforeAll(async () => {
    m = createFakeMachine();
    p = places(m);
    placeCorpus(p.desktop, "claude-desktop--AllenOnAzure-MCP-Server--1.json");
    placeCorpus(p.wslCode, "claude-desktop--captainplanet9000-Cival-Dashboard-v8--1.json");
    placeCorpus(p.cursor, "other--AIRix315-AiMatrix--1.json");
    placeCorpus(p.winCode, "claude-code--012090120901209-ahk-mcp--1.json");
    placeCorpus(p.vscode, "vscode--1HarjinderSingh-mcp-spring-server-samples--1.json");
    placeJson(p.windsurf, {
      mcpServers: {
        "remote-docs": {
          serverUrl: "https://docs.example/mcp",
          headers: { Authorization: "Bearer wind-secret-123456" },
        },
      },
    });
    placeJson(p.gemini, {
      theme: "dark",
      mcpServers: {
        streamable: { httpUrl: "https://g.example/mcp" },
        legacy: { url: "https://g.example/sse" },
      },
    });
    before = snapshot(Object.values(p));
    run = await importJson(m);
  }, 120_000);
  afterAll(() => m?.cleanup());

  test("the #-comment file is reported with line:column and skipped; nothing is edited", () => {
    expect(run.code, run.stderr).toBe(0);
    const bad = run.json.skipped.find((s) => s.file === p.desktop.native)!;
    expect(bad).toMatchObject({ line: 1, column: 1 });
    expect(bad.reason).toContain(`${p.desktop.native}:1:1`);
    expect(bad.server).toBeUndefined();
    for (const [file, bytes] of before) expect(readFileSync(file, "utf8")).toBe(bytes);
  });

  test('19 Smithery servers become 19 entries of @smithery/cli, one of them literally named "servers"', () => {
    const manifest = manifestOf(m);
    expect(manifest.servers.servers).toEqual({
      package: "@smithery/cli",
      args: ["run", "@jlia0/servers", "--key", "${secret:SMITHERY_API_KEY}"],
    });
    const smithery = run.json.servers.filter((s) => s.server.package === "@smithery/cli");
    // "filesystem" is taken by the @modelcontextprotocol one found twice on Windows.
    expect(smithery).toHaveLength(18);
    expect(
      run.json.skipped.find((s) => s.server === "filesystem" && s.file === p.wslCode.native)!.reason,
    ).toContain("@modelcontextprotocol/server-filesystem");
    // The redacted keys (x…) are placeholders: one secret to set, nothing stored.
    expect([...new Set(run.json.missingSecrets.map((x) => x.name))]).toEqual(["SMITHERY_API_KEY"]);
    expect(run.json.secrets).not.toContain("SMITHERY_API_KEY");
  });

  test("node.exe with a script outside any package stays a Windows command with its env", () => {
    expect(run.server("ahk")!.server).toEqual({
      command: "C:\\Program Files\\nodejs\\node.exe",
      args: ["C:\\path\\to\\ahk-mcp\\dist\\index.js"],
      env: { NODE_ENV: "production", AHK_MCP_DATA_MODE: "full", AHK_MCP_LIGHT: "0" },
      environments: ["windows"],
    });
    expect(run.server("ahk")!.found[0]!.adopted).toBe(true);
  });

  test("Roo's alwaysAllow lists keep its entries out of adoption", () => {
    const time = run.server("time")!;
    expect(time.server).toEqual({ command: "uvx", args: ["mcp-server-time"], environments: ["windows"] });
    expect(time.found[0]).toMatchObject({ adopted: false });
    expect(time.found[0]!.why).toContain('"alwaysAllow"');
  });

  test("VS Code: SSE is an SSE url server, Java is a command, the trailing comma is fine", () => {
    expect(run.server("RemoteWorkflowManagerServer")!.server).toEqual({
      url: "http://localhost:8081/sse",
      transport: "sse",
    });
    expect(run.server("LocalWorkflowManagerServer")!.server).toMatchObject({
      command: "Java",
      environments: ["windows"],
    });
  });

  test("Windsurf's serverUrl and Gemini's httpUrl are url servers, Gemini's url an SSE one; the Authorization token moved out", () => {
    expect(run.server("remote-docs")!.server).toEqual({
      url: "https://docs.example/mcp",
      headers: { Authorization: "Bearer ${secret:REMOTE_DOCS_TOKEN}" },
    });
    expect(run.json.secrets).toEqual(["REMOTE_DOCS_TOKEN"]);
    expect(run.stdout + run.stderr).not.toContain("wind-secret-123456");
    expect(run.server("streamable")!.server).toEqual({ url: "https://g.example/mcp" });
    // Gemini's `url` is its SSE transport.
    expect(run.server("legacy")!.server).toEqual({ url: "https://g.example/sse", transport: "sse" });
  });
});

describe("the `wsl` + `npx` Cursor file on its own (raphaelchristi)", () => {
  let m: FakeMachine;
  afterAll(() => m?.cleanup());

  test("the supabase server runs in WSL; its placeholder token becomes a secret to set", async () => {
    m = createFakeMachine();
    placeCorpus(places(m).cursor, "cursor--raphaelchristi-claude-mcp-config--1.json");
    const run = await importJson(m);
    expect(run.code, run.stderr).toBe(0);
    const s = run.server("supabase")!;
    expect(s.server).toEqual({
      package: "@supabase/mcp-server-supabase",
      args: ["--access-token", "${secret:SUPABASE_ACCESS_TOKEN}"],
    });
    expect(s.found).toEqual([
      expect.objectContaining({
        env: "windows",
        client: "cursor",
        runsIn: "wsl:Ubuntu",
        via: "wsl npx",
        adopted: true,
      }),
    ]);
    expect(run.json.missingSecrets.map((x) => [x.server, x.name, x.placeholder])).toEqual([
      ["taskmaster-ai", "PERPLEXITY_API_KEY", "YOUR_PERPLEXITY_API_KEY"],
      ["taskmaster-ai", "GOOGLE_API_KEY", "YOUR_GOOGLE_API_KEY"],
      ["taskmaster-ai", "OPENAI_API_KEY", "YOUR_OPENAI_API_KEY"],
      ["supabase", "SUPABASE_ACCESS_TOKEN", "YOUR_SUPABASE_ACCESS_TOKEN"],
    ]);
  });
});
