/**
 * Applying an import on a fake machine: keys move to the secrets file (0600) without ever being
 * printed, two different keys under one name both survive, --dry-run writes nothing, names the
 * manifest already holds are left alone unless --force, and --project / --client / --env filter.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { targetKey } from "../../src/core/clients/targets.js";
import { entryHash } from "../../src/core/ledger/state.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { importJson, manifestOf, placeJson, places, stateOf } from "./helpers.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const KEYS = {
  tavilyDesktop: "tvly-desk-4f9a8b7c6d5e",
  tavilyWsl: "tvly-wsl-0a1b2c3d4e5f",
  github: "ghp_9Z8Y7X6W5V4U3T2S1R0Q",
  githubStored: "ghp_stored0123456789abc",
};

describe("secrets", () => {
  let m: FakeMachine;
  beforeAll(() => {
    m = createFakeMachine();
    const p = places(m);
    placeJson(p.desktop, {
      mcpServers: {
        tavily: { command: "npx", args: ["-y", "tavily-mcp"], env: { TAVILY_API_KEY: KEYS.tavilyDesktop } },
        github: {
          command: "cmd",
          args: ["/c", "npx", "-y", "@modelcontextprotocol/server-github"],
          env: { GITHUB_PERSONAL_ACCESS_TOKEN: KEYS.github },
        },
      },
    });
    placeJson(p.wslCode, {
      numStartups: 3,
      mcpServers: {
        tavily: {
          type: "stdio",
          command: "npx",
          args: ["-y", "tavily-mcp"],
          env: { TAVILY_API_KEY: KEYS.tavilyWsl },
        },
        github: {
          command: "npx",
          args: ["-y", "@modelcontextprotocol/server-github"],
          env: { GITHUB_PERSONAL_ACCESS_TOKEN: KEYS.github },
        },
      },
    });
    writeSecrets(m, { GITHUB_PERSONAL_ACCESS_TOKEN: KEYS.githubStored });
  });
  afterAll(() => m?.cleanup());

  const never = (text: string) => {
    for (const v of Object.values(KEYS)) expect(text).not.toContain(v);
  };

  test("--dry-run shows the manifest diff with references only and writes nothing", async () => {
    const dry = await m.run(["import", "--dry-run", "--keep-both"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("+++ ");
    expect(dry.stdout).toContain('"TAVILY_API_KEY": "${secret:TAVILY_API_KEY}"');
    expect(dry.stdout).toContain("Dry run: nothing was written.");
    // Planned, not done: each server and the secrets to store carry the bullet, never ✔.
    expect(dry.stdout).toMatch(/^ {2}• tavily {2}npm tavily-mcp {2}would be added$/m);
    expect(dry.stdout).toMatch(/^• Secrets to store in /m);
    expect(dry.stdout).not.toContain("✔");
    never(dry.stdout + dry.stderr);
    expect(existsSync(path.join(m.paths.home, "mcp-twin.jsonc"))).toBe(false);
    expect(existsSync(path.join(m.paths.home, "state.json"))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(m.paths.home, "secrets.json"), "utf8")).secrets).toEqual({
      GITHUB_PERSONAL_ACCESS_TOKEN: KEYS.githubStored,
    });
    const dryJson = await importJson(m, ["--dry-run", "--keep-both"]);
    expect(dryJson.json.dryRun).toBe(true);
    never(dryJson.stdout + dryJson.stderr);
  });

  test("two different keys under one name both survive (--keep-both); a stored key is never overwritten", async () => {
    const run = await importJson(m, ["--yes", "--keep-both"]);
    expect(run.code, run.stderr).toBe(0);
    never(run.stdout + run.stderr);
    // Cursor never had tavily: it gets neither key (only the clients that had it get the server).
    expect(run.server("tavily")!.server).toEqual({
      package: "tavily-mcp",
      env: { TAVILY_API_KEY: "${secret:TAVILY_API_KEY}" },
      overrides: { windows: { env: { TAVILY_API_KEY: "${secret:TAVILY_API_KEY_2}" } } },
      clients: ["claude-desktop", "claude-code"],
    });
    expect(run.server("github")!.server).toEqual({
      package: "@modelcontextprotocol/server-github",
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: "${secret:GITHUB_PERSONAL_ACCESS_TOKEN_2}" },
    });
    expect(run.json.secrets).toEqual([
      "GITHUB_PERSONAL_ACCESS_TOKEN_2",
      "TAVILY_API_KEY",
      "TAVILY_API_KEY_2",
    ]);
    // The stored key differs from the one found: no question (one server, one value), both kept.
    expect(run.json.secretClashes.find((c) => c.name === "GITHUB_PERSONAL_ACCESS_TOKEN")).toMatchObject({
      needsChoice: false,
      resolution: { kind: "keep-both", by: "separate" },
      values: [
        {
          label: "A",
          // A fingerprint (8 hex digits of its SHA-256), never any part of the key.
          fingerprint: createHash("sha256").update(KEYS.github).digest("hex").slice(0, 8),
          storedAs: "GITHUB_PERSONAL_ACCESS_TOKEN_2",
        },
        { label: "B", stored: true, storedAs: "GITHUB_PERSONAL_ACCESS_TOKEN", found: [] },
      ],
    });
    const file = path.join(m.paths.home, "secrets.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8")).secrets).toEqual({
      GITHUB_PERSONAL_ACCESS_TOKEN: KEYS.githubStored,
      GITHUB_PERSONAL_ACCESS_TOKEN_2: KEYS.github,
      TAVILY_API_KEY: KEYS.tavilyWsl,
      TAVILY_API_KEY_2: KEYS.tavilyDesktop,
    });
    // Every entry is adopted: each side's own key is its own secret.
    expect(run.json.adopted).toHaveLength(4);
    never(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8"));
    never(readFileSync(path.join(m.paths.home, "state.json"), "utf8"));
  });

  test("the human report names the secrets, never their values", async () => {
    writeFileSync(path.join(m.paths.home, "state.json"), "{}"); // forget the adoption: scan again
    const human = await m.run(["import", "--keep-both"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("tavily");
    never(human.stdout + human.stderr);
  });
});

describe("names the manifest already holds", () => {
  let m: FakeMachine;
  let manifestFile: string;
  const original = [
    "// my manifest",
    "{",
    '  "servers": {',
    '    "context7": { "url": "https://mcp.context7.com/mcp" },',
    '    "mem": { "package": "@modelcontextprotocol/server-memory" },',
    '    "tavily": { "package": "tavily-mcp@0.2.22", "env": { "TAVILY_API_KEY": "${secret:TAVILY_API_KEY}" } }',
    "  }",
    "}",
    "",
  ].join("\n");
  beforeAll(() => {
    m = createFakeMachine();
    placeJson(places(m).cursor, {
      mcpServers: {
        context7: { command: "npx", args: ["-y", "@upstash/context7-mcp"] },
        memory: { command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"] },
        time: { command: "uvx", args: ["mcp-server-time"] },
        tavily: { command: "npx", args: ["-y", "tavily-mcp"], env: { TAVILY_API_KEY: KEYS.tavilyDesktop } },
      },
    });
    manifestFile = writeManifest(m, original);
    writeSecrets(m, { TAVILY_API_KEY: KEYS.tavilyDesktop });
  });
  afterAll(() => m?.cleanup());

  test("a different definition is reported and left alone; a duplicate under another name too", async () => {
    const run = await importJson(m);
    expect(run.code).toBe(0);
    // tavily: the same launch (and the same stored key) as the manifest's pinned entry.
    expect(run.json.servers.map((s) => [s.name, s.action])).toEqual([
      ["time", "added"],
      ["tavily", "unchanged"],
    ]);
    expect(run.server("tavily")!.server).toEqual({
      package: "tavily-mcp@0.2.22",
      env: { TAVILY_API_KEY: "${secret:TAVILY_API_KEY}" },
    });
    expect(run.json.secrets).toEqual([]);
    expect(run.json.skipped.map((s) => [s.server, s.reason])).toEqual([
      [
        "context7",
        'the manifest already has "context7" with another definition: left alone (use --force to replace it)',
      ],
      ["memory", 'already in the manifest as "mem"'],
    ]);
    expect(run.json.adopted.map((a) => a.server)).toEqual(["time", "tavily"]);
    const text = readFileSync(manifestFile, "utf8");
    expect(text.startsWith("// my manifest\n{\n")).toBe(true);
    expect(text).toContain('"context7": { "url": "https://mcp.context7.com/mcp" },');
    expect(text).toContain('"tavily": { "package": "tavily-mcp@0.2.22",');
  });

  test("--force replaces it and adopts the entry", async () => {
    const run = await importJson(m, ["--force"]);
    expect(run.json.servers.map((s) => [s.name, s.action])).toEqual([["context7", "replaced"]]);
    expect(manifestOf(m).servers.context7).toEqual({ package: "@upstash/context7-mcp" });
    expect(readFileSync(manifestFile, "utf8").startsWith("// my manifest\n")).toBe(true);
    expect(run.json.adopted.map((a) => a.server)).toEqual(["context7"]);
  });
});

describe("filters and project files", () => {
  let m: FakeMachine;
  let project: string;
  beforeAll(() => {
    m = createFakeMachine();
    const p = places(m);
    placeJson(p.cursor, { mcpServers: { a: { command: "npx", args: ["-y", "pkg-a"] } } });
    project = path.join(m.paths.linuxHome, "proj");
    mkdirSync(project, { recursive: true });
    placeJson(p.wslCode, {
      mcpServers: { b: { command: "npx", args: ["-y", "pkg-b"] } },
      projects: { [project]: { mcpServers: { local: { command: "npx", args: ["-y", "pkg-local"] } } } },
    });
    writeFileSync(
      path.join(project, ".mcp.json"),
      JSON.stringify({
        mcpServers: {
          shared: { command: "npx", args: ["-y", "pkg-shared"], env: { TOKEN: "${TEAM_TOKEN}" } },
        },
      }),
    );
  });
  afterAll(() => m?.cleanup());

  test("--client and --env only read those configs; bad values are usage errors", async () => {
    const cursor = await importJson(m, ["--client", "cursor", "--dry-run"]);
    expect(cursor.json.servers.map((s) => s.name)).toEqual(["a"]);
    const wsl = await importJson(m, ["--env", "wsl", "--dry-run"]);
    expect(wsl.json.servers.map((s) => s.name)).toEqual(["b"]);
    const bad = await m.run(["import", "--env", "mars", "--json"]);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).errors[0].code).toBe("bad-env");
    expect((await m.run(["import", "--client", "notepad"])).code).toBe(2);
  });

  test("--project adds .mcp.json (adopted under the project target) and Claude Code's local scope (not adopted)", async () => {
    const run = await importJson(m, ["--project", project]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.server("shared")!.server).toEqual({
      package: "pkg-shared",
      env: { TOKEN: "${env:TEAM_TOKEN}" },
    });
    expect(run.server("shared")!.found[0]).toMatchObject({ scope: "project", adopted: true });
    expect(run.server("local")!.found[0]).toMatchObject({ scope: "local", adopted: false });
    const key = targetKey("wsl:Ubuntu", "claude-code", "project", path.join(project, ".mcp.json"));
    expect(stateOf(m).targets[key]!.entries.shared!.hash).toBe(
      entryHash({ command: "npx", args: ["-y", "pkg-shared"], env: { TOKEN: "${TEAM_TOKEN}" } }),
    );
    expect(run.json.servers.map((s) => s.name).sort()).toEqual(["a", "b", "local", "shared"]);
  });
});

describe("mcp-twin on Windows itself", () => {
  let m: FakeMachine;
  afterAll(() => m?.cleanup());

  test("reads the WSL distro's configs too, and folds across the line", async () => {
    m = createFakeMachine({ kind: "windows" });
    const p = places(m);
    placeJson(p.desktop, {
      mcpServers: {
        fs: {
          command: "cmd",
          args: ["/c", "npx", "-y", "@modelcontextprotocol/server-filesystem", "C:\\Users\\alice\\docs"],
        },
      },
    });
    placeJson(p.wslCode, {
      mcpServers: {
        fs: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/home/bob/docs"] },
        time: { command: "uvx", args: ["mcp-server-time"] },
      },
    });
    const run = await importJson(m);
    expect(run.code, run.stderr).toBe(0);
    expect(run.server("fs")!.server).toEqual({
      package: "@modelcontextprotocol/server-filesystem",
      args: ["C:\\Users\\alice\\docs"],
      overrides: { "wsl:Ubuntu": { args: ["/home/bob/docs"] } },
    });
    expect(run.server("time")!.server).toEqual({
      command: "uvx",
      args: ["mcp-server-time"],
      environments: ["wsl:Ubuntu"],
    });
    expect(run.json.adopted.map((a) => `${a.env} ${a.client} ${a.server}`)).toEqual([
      "windows claude-desktop fs",
      "wsl:Ubuntu claude-code fs",
      "wsl:Ubuntu claude-code time",
    ]);
  });
});
