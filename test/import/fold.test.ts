/**
 * Folding: the same server found in several places → one manifest entry, with overrides where
 * environments differ, and adoption only for the entries the manifest entry describes exactly.
 */
import { describe, expect, test } from "vitest";
import { type EnvInfo, translateArgs } from "../../src/core/environments/path-translation.js";
import { fold, normalizeServerName, type Occurrence } from "../../src/core/import/fold.js";
import { extractSecrets } from "../../src/core/import/inline-keys.js";
import { type Recognized, recognizeEntry } from "../../src/core/import/recognize.js";
import type { ClientId } from "../../src/core/manifest/schema.js";

const ENVS: EnvInfo[] = [
  { id: "wsl:Ubuntu", kind: "wsl", distro: "Ubuntu", mountRoot: "/mnt/" },
  { id: "windows", kind: "windows" },
];

const FILES: Record<string, { env: string; client: ClientId; path: string }> = {
  desktop: {
    env: "windows",
    client: "claude-desktop",
    path: "C:\\Users\\a\\AppData\\Roaming\\Claude\\claude_desktop_config.json",
  },
  cursor: { env: "windows", client: "cursor", path: "C:\\Users\\a\\.cursor\\mcp.json" },
  code: { env: "wsl:Ubuntu", client: "claude-code", path: "/home/bob/.claude.json" },
};

function occ(file: keyof typeof FILES, entry: string, value: unknown): Occurrence {
  const f = FILES[file]!;
  const r = recognizeEntry(value, { client: f.client, envKind: f.env === "windows" ? "windows" : "wsl" });
  if (r.kind === "unknown") throw new Error(r.reason);
  const name = normalizeServerName(entry);
  const e = extractSecrets(r as Recognized, name, f.client);
  if ("problem" in e) throw new Error(e.problem);
  const runsIn = r.kind !== "url" && r.runsIn.where === "wsl" ? `wsl:${r.runsIn.distro ?? "Ubuntu"}` : f.env;
  return {
    source: {
      env: f.env,
      client: f.client,
      scope: "user",
      path: f.path,
      targetKey: `${f.env}|${f.client}|user|${f.path}`,
    },
    entry,
    name,
    runsIn,
    via: r.via,
    form: e.form,
    extraKeys: r.extraKeys,
    placeholders: e.secrets.filter((s) => s.value === undefined).length,
    notes: e.notes,
  };
}

const adoption = (r: ReturnType<typeof fold>, name: string) =>
  r.servers.find((s) => s.name === name)!.found.map((p) => [p.occurrence.source.client, p.adopt]);

describe("fold", () => {
  test("npx on one side and cmd /c npx on the other: one package entry, args per environment", () => {
    const r = fold(
      [
        occ("desktop", "filesystem", {
          command: "cmd",
          args: ["/c", "npx", "-y", "@modelcontextprotocol/server-filesystem", "C:\\Users\\a\\docs"],
        }),
        occ("code", "filesystem", {
          command: "npx",
          args: ["-y", "@modelcontextprotocol/server-filesystem", "/home/bob/docs"],
        }),
        occ("cursor", "filesystem", {
          command: "npx",
          args: ["@modelcontextprotocol/server-filesystem@latest", "C:\\Users\\a\\docs"],
        }),
      ],
      ENVS,
    );
    expect(r.skipped).toEqual([]);
    expect(r.servers).toHaveLength(1);
    expect(r.servers[0]!.server).toEqual({
      package: "@modelcontextprotocol/server-filesystem",
      args: ["C:\\Users\\a\\docs"],
      overrides: { "wsl:Ubuntu": { args: ["/home/bob/docs"] } },
    });
    expect(adoption(r, "filesystem")).toEqual([
      ["claude-desktop", true],
      ["cursor", true],
      ["claude-code", true],
    ]);
  });

  test("found on one side only: folder arguments are translated for the other", () => {
    const r = fold(
      [
        occ("desktop", "filesystem", {
          command: "npx",
          args: ["-y", "@modelcontextprotocol/server-filesystem", "C:/Users/ansar/Desktop", "--ro"],
        }),
      ],
      ENVS,
    );
    expect(r.servers[0]!.server.overrides).toEqual({
      "wsl:Ubuntu": { args: ["/mnt/c/Users/ansar/Desktop", "--ro"] },
    });
    const fromWsl = fold(
      [occ("code", "fs", { command: "npx", args: ["-y", "pkg", "/home/bob/docs", "/mnt/d/data"] })],
      ENVS,
    );
    expect(fromWsl.servers[0]!.server.overrides).toEqual({
      windows: { args: ["\\\\wsl.localhost\\Ubuntu\\home\\bob\\docs", "D:\\data"] },
    });
  });

  test("two different launches in one environment: the most complete one wins, the other is not adopted", () => {
    const r = fold(
      [
        occ("desktop", "github", {
          command: "npx",
          args: ["-y", "@acme/github-mcp"],
          env: { GITHUB_TOKEN: "YOUR_GITHUB_TOKEN" },
        }),
        occ("cursor", "github", {
          command: "npx",
          args: ["-y", "@acme/github-mcp"],
          env: { GITHUB_TOKEN: "ghp_1234567890abcdefABCDEF12" },
        }),
      ],
      ENVS,
    );
    // Both refer to ${secret:GITHUB_TOKEN}: one launch, both adopted (the placeholder side gets the real key).
    expect(r.servers[0]!.server).toEqual({
      package: "@acme/github-mcp",
      env: { GITHUB_TOKEN: "${secret:GITHUB_TOKEN}" },
    });
    expect(adoption(r, "github")).toEqual([
      ["claude-desktop", true],
      ["cursor", true],
    ]);
    const differ = fold(
      [
        occ("desktop", "memory", { command: "npx", args: ["-y", "@modelcontextprotocol/server-memory"] }),
        occ("cursor", "memory", {
          command: "npx",
          args: ["-y", "@modelcontextprotocol/server-memory"],
          env: { MEMORY_FILE_PATH: "C:\\m.json" },
        }),
      ],
      ENVS,
    );
    expect(differ.servers[0]!.server.env).toEqual({ MEMORY_FILE_PATH: "C:\\m.json" });
    const desktop = differ.servers[0]!.found.find((p) => p.occurrence.source.client === "claude-desktop")!;
    expect(desktop.adopt).toBe(false);
    expect(desktop.why).toContain(
      "differs from the entry in C:\\Users\\a\\.cursor\\mcp.json (env.MEMORY_FILE_PATH)",
    );
  });

  test("same name, different servers: the one found most keeps the name, the others are reported", () => {
    const r = fold(
      [
        occ("code", "context7", { type: "http", url: "https://mcp.context7.com/mcp" }),
        occ("desktop", "context7", { command: "cmd", args: ["/c", "npx", "-y", "@upstash/context7-mcp"] }),
        occ("cursor", "context7", { command: "npx", args: ["-y", "@upstash/context7-mcp"] }),
      ],
      ENVS,
    );
    expect(r.servers.map((s) => [s.name, s.server])).toEqual([
      ["context7", { package: "@upstash/context7-mcp" }],
    ]);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]!.occurrence.source.client).toBe("claude-code");
    expect(r.skipped[0]!.reason).toContain(
      'another server is imported as "context7" (npm package @upstash/context7-mcp)',
    );
  });

  test("different names, identical entries: one server under the name found most", () => {
    const r = fold(
      [
        occ("desktop", "seq", {
          command: "npx",
          args: ["-y", "@modelcontextprotocol/server-sequential-thinking"],
        }),
        occ("cursor", "sequentialthinking", {
          command: "npx",
          args: ["-y", "@modelcontextprotocol/server-sequential-thinking"],
        }),
        occ("code", "sequentialthinking", {
          command: "npx",
          args: ["-y", "@modelcontextprotocol/server-sequential-thinking"],
        }),
      ],
      ENVS,
    );
    expect(r.servers.map((s) => s.name)).toEqual(["sequentialthinking"]);
    expect(adoption(r, "sequentialthinking")).toEqual([
      ["cursor", true],
      ["claude-code", true],
      ["claude-desktop", false],
    ]);
  });

  test("a name clients reject is normalised; the old entry is not adopted", () => {
    const r = fold([occ("desktop", "Educhain Server", { command: "uvx", args: ["educhain-mcp"] })], ENVS);
    expect(r.servers[0]!.name).toBe("educhain-server");
    expect(r.servers[0]!.found[0]!.adopt).toBe(false);
    expect(r.servers[0]!.found[0]!.why).toContain('named "Educhain Server" there');
  });

  test("programs that are not packages run only where they were found, with per-environment differences", () => {
    const r = fold(
      [
        occ("desktop", "time", { command: "C:\\Users\\a\\.local\\bin\\uvx.exe", args: ["mcp-server-time"] }),
        occ("code", "time", { command: "uvx", args: ["mcp-server-time", "--local-timezone", "UTC"] }),
        occ("cursor", "fetch", { command: "wsl", args: ["-d", "Ubuntu", "uvx", "mcp-server-fetch"] }),
      ],
      ENVS,
    );
    expect(r.servers.find((s) => s.name === "time")!.server).toEqual({
      command: "C:\\Users\\a\\.local\\bin\\uvx.exe",
      args: ["mcp-server-time"],
      environments: ["windows", "wsl:Ubuntu"],
      overrides: { "wsl:Ubuntu": { command: "uvx", args: ["mcp-server-time", "--local-timezone", "UTC"] } },
    });
    expect(r.servers.find((s) => s.name === "fetch")!.server).toEqual({
      command: "uvx",
      args: ["mcp-server-fetch"],
      environments: ["wsl:Ubuntu"],
    });
  });

  test("versions: the highest pin wins, and the difference is noted", () => {
    const r = fold(
      [
        occ("desktop", "t", { command: "npx", args: ["-y", "tavily-mcp@0.2.1"] }),
        occ("cursor", "t", { command: "npx", args: ["-y", "tavily-mcp@0.10.0"] }),
        occ("code", "t", { command: "npx", args: ["-y", "tavily-mcp"] }),
      ],
      ENVS,
    );
    expect(r.servers[0]!.server.package).toBe("tavily-mcp@0.10.0");
    expect(r.servers[0]!.notes.join()).toContain("versions differ (0.2.1, 0.10.0, unpinned): kept 0.10.0");
    expect(adoption(r, "t").every(([, adopt]) => adopt)).toBe(true);
  });

  test("entries with client preferences sync would drop are imported but not adopted", () => {
    const r = fold(
      [occ("cursor", "fs", { command: "npx", args: ["-y", "pkg"], alwaysAllow: ["read_file"] })],
      ENVS,
    );
    expect(r.servers[0]!.found[0]).toMatchObject({ adopt: false });
    expect(r.servers[0]!.found[0]!.why).toContain('"alwaysAllow"');
  });

  test("remote entries fold by URL; headers that differ per environment go in overrides", () => {
    const r = fold(
      [
        occ("cursor", "docs", { url: "https://docs.example/mcp/", headers: { "X-Team": "a" } }),
        occ("code", "docs", { type: "http", url: "https://docs.example/mcp", headers: { "X-Team": "b" } }),
      ],
      ENVS,
    );
    expect(r.servers[0]!.server).toEqual({
      url: "https://docs.example/mcp/",
      headers: { "X-Team": "a" },
      overrides: { "wsl:Ubuntu": { headers: { "X-Team": "b" } } },
    });
  });
});

describe("names and paths", () => {
  test.each([
    ["Educhain Server", "educhain-server"],
    ["filesystem", "filesystem"],
    ["DeepResearchMCP", "DeepResearchMCP"],
    ["hak_gal_hexagonal", "hak_gal_hexagonal"],
    ["claude.ai Gmail", "claude-ai-gmail"],
    ["Café Tools!", "cafe-tools"],
    ["--weird--", "weird"],
    ["日本語", "server"],
    ["workspace", "workspace-server"],
    ["servers", "servers"],
    ["a".repeat(80), "a".repeat(64)],
  ])("%j → %j", (raw, name) => expect(normalizeServerName(raw)).toBe(name));

  test.each([
    [["C:\\Users\\a\\docs", "--x"], ENVS[1]!, ENVS[0]!, ["/mnt/c/Users/a/docs", "--x"]],
    [["\\\\wsl.localhost\\Ubuntu\\home\\bob"], ENVS[1]!, ENVS[0]!, ["/home/bob"]],
    [["/home/bob/docs"], ENVS[0]!, ENVS[1]!, ["\\\\wsl.localhost\\Ubuntu\\home\\bob\\docs"]],
    [["relative", "--port", "3"], ENVS[1]!, ENVS[0]!, ["relative", "--port", "3"]],
  ])("%j from %o to %o → %j", (args, from, to, expected) =>
    expect(translateArgs(args, from, to)).toEqual(expected),
  );

  test("a path of another distro cannot be translated", () =>
    expect(translateArgs(["\\\\wsl.localhost\\Debian\\x"], ENVS[1]!, ENVS[0]!)).toBeUndefined());
});

describe("references", () => {
  test("an inline key on one side and ${VAR} on the other both read the stored secret", () => {
    const r = fold(
      [
        occ("desktop", "tavily", {
          command: "npx",
          args: ["-y", "tavily-mcp"],
          env: { TAVILY_API_KEY: "tvly-dev-8b2kq9x1m4" },
        }),
        occ("code", "tavily", {
          command: "npx",
          args: ["-y", "tavily-mcp"],
          env: { TAVILY_API_KEY: "${TAVILY_API_KEY}" },
        }),
      ],
      ENVS,
    );
    expect(r.servers[0]!.server).toEqual({
      package: "tavily-mcp",
      env: { TAVILY_API_KEY: "${secret:TAVILY_API_KEY}" },
    });
    expect(adoption(r, "tavily")).toEqual([
      ["claude-desktop", true],
      ["claude-code", true],
    ]);
    expect(r.servers[0]!.notes.join()).toContain("/home/bob/.claude.json now read the stored secret");
  });

  test("references alone stay ${env:…}", () => {
    const r = fold(
      [
        occ("code", "deepl", {
          command: "bunx",
          args: ["deepl-mcp-server"],
          env: { DEEPL_API_KEY: "${DEEPL_API_KEY}" },
        }),
      ],
      ENVS,
    );
    expect(r.servers[0]!.server.env).toEqual({ DEEPL_API_KEY: "${env:DEEPL_API_KEY}" });
  });
});
