/** The recognisers, table-driven: every shape people write for the same server on both sides. */
import { describe, expect, test } from "vitest";
import { normalizeName } from "../../src/core/import/index.js";
import { packageFromPath, recognize, splitCommandLine } from "../../src/core/import/recognize.js";
import { classifyValue, secretNameFor } from "../../src/core/import/values.js";

describe("recognize", () => {
  test.each([
    [
      { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/home/bob"] },
      {
        kind: "package",
        name: "@modelcontextprotocol/server-filesystem",
        range: "",
        args: ["/home/bob"],
        via: "npx",
      },
    ],
    [
      { command: "npx", args: ["@playwright/mcp@latest"] },
      { kind: "package", name: "@playwright/mcp", range: "", args: [] },
    ],
    [
      { command: "npx", args: ["-y", "tavily-mcp@0.2.22"] },
      { kind: "package", name: "tavily-mcp", range: "0.2.22" },
    ],
    [
      { command: "cmd", args: ["/c", "npx", "-y", "@upstash/context7-mcp"] },
      { kind: "package", name: "@upstash/context7-mcp", via: "npx" },
    ],
    [
      { command: "cmd.exe", args: ["/d", "/s", "/c", "npx -y firecrawl-mcp --x"] },
      { kind: "package", name: "firecrawl-mcp", args: ["--x"] },
    ],
    [
      { command: "C:\\Windows\\System32\\cmd.exe", args: ["/C", "npx", "tavily-mcp"] },
      { kind: "package", name: "tavily-mcp" },
    ],
    [
      { command: "wsl", args: ["npx", "-y", "task-master-ai"] },
      { kind: "package", name: "task-master-ai", wsl: "default", via: "wsl npx" },
    ],
    [
      { command: "wsl.exe", args: ["-d", "Ubuntu", "--exec", "npx", "-y", "pkg-a"] },
      { kind: "package", name: "pkg-a", wsl: "Ubuntu" },
    ],
    [
      { command: "wsl.exe", args: ["-d", "Ubuntu", "bash", "-lc", "npx -y 'pkg-b' --flag"] },
      { kind: "package", name: "pkg-b", args: ["--flag"], wsl: "Ubuntu" },
    ],
    [
      { command: "bunx", args: ["-y", "@brave/brave-search-mcp-server", "--transport", "stdio"] },
      {
        kind: "package",
        name: "@brave/brave-search-mcp-server",
        args: ["--transport", "stdio"],
        via: "bunx",
      },
    ],
    [
      { command: "pnpm", args: ["dlx", "pkg-c"] },
      { kind: "package", name: "pkg-c", via: "pnpm dlx" },
    ],
    [
      { command: "npm", args: ["exec", "--yes", "--", "pkg-d", "a"] },
      { kind: "package", name: "pkg-d", args: ["a"], via: "npm exec" },
    ],
    [{ command: "npx -y pkg-e --opt" }, { kind: "package", name: "pkg-e", args: ["--opt"] }],
    [
      {
        command: "C:\\Program Files\\nodejs\\node.exe",
        args: ["C:\\Users\\a\\AppData\\Roaming\\npm\\node_modules\\@scope\\srv\\dist\\index.js", "--v"],
      },
      { kind: "package", name: "@scope/srv", args: ["--v"], via: "installed package" },
    ],
    [
      {
        command: "/usr/bin/node",
        args: ["/home/bob/.npm-global/lib/node_modules/tavily-mcp/build/index.js"],
      },
      { kind: "package", name: "tavily-mcp" },
    ],
    [
      { command: "node", args: ["C:\\path\\to\\ahk-mcp\\dist\\index.js"] },
      { kind: "command", command: "node" },
    ],
    [
      { command: "uvx", args: ["mcp-server-fetch"] },
      { kind: "command", command: "uvx", args: ["mcp-server-fetch"] },
    ],
    [
      { command: "gh", args: ["mcp"] },
      { kind: "command", command: "gh" },
    ],
    [
      { type: "http", url: "https://mcp.context7.com/mcp" },
      { kind: "url", url: "https://mcp.context7.com/mcp" },
    ],
    [
      { serverUrl: "https://a/mcp", headers: { X: "1" } },
      { kind: "url", url: "https://a/mcp", headers: { X: "1" } },
    ],
    [{ httpUrl: "https://b/mcp" }, { kind: "url", url: "https://b/mcp" }],
    [{ name: "x", host: "http://localhost:8000" }, { kind: "unknown" }],
    [{ command: "cmd", args: ["npx", "x"] }, { kind: "unknown" }],
    [{ command: "npx", args: ["-y"] }, { kind: "unknown" }],
  ])("%j", (entry, expected) => {
    expect(recognize(entry)).toMatchObject(expected);
  });

  test("an installed package's own package.json names it and pins it", () => {
    const r = recognize(
      { command: "node", args: ["/p/lib/node_modules/odd-folder/bin/x.js"] },
      {
        packageAt: (dir) =>
          dir === "/p/lib/node_modules/odd-folder" ? { name: "real-name", version: "1.4.0" } : undefined,
      },
    );
    expect(r).toMatchObject({ kind: "package", name: "real-name", range: "1.4.0" });
  });

  test("paths and command lines", () => {
    expect(packageFromPath("C:\\npm\\node_modules\\@a\\b\\x.js")).toEqual({
      name: "@a/b",
      dir: "C:\\npm\\node_modules\\@a\\b",
    });
    expect(packageFromPath("/x/y.js")).toBeUndefined();
    expect(splitCommandLine(`npx -y "a b" 'c' d`)).toEqual(["npx", "-y", "a b", "c", "d"]);
  });
});

describe("values", () => {
  test.each([
    ["TAVILY_API_KEY", "tvly-abc123456789", "secret"],
    ["GITHUB_TOKEN", "ghp_x1234567890", "secret"],
    ["Authorization", "Bearer abc.def", "secret"],
    ["SOME_SETTING", "sk-123456789", "secret"],
    ["BRAVE_API_KEY", "${BRAVE_API_KEY}", "reference"],
    ["X", "${env:X}", "reference"],
    ["TOKEN", "$TOKEN", "reference"],
    ["API_KEY", "YOUR_API_KEY", "placeholder"],
    ["API_KEY", "your-key-here", "placeholder"],
    ["API_KEY", "<YOUR_KEY>", "placeholder"],
    ["CONTEXT7_API_KEY", "", "placeholder"],
    ["NODE_ENV", "production", "plain"],
    ["PATH_TO", "C:\\x", "plain"],
  ])("%s = %s is %s", (key, value, kind) => {
    expect(classifyValue(key, value).kind).toBe(kind);
  });

  test("bearer keeps its scheme, references keep their name", () => {
    expect(classifyValue("Authorization", "Bearer tok_123456")).toEqual({
      kind: "secret",
      prefix: "Bearer ",
      secret: "tok_123456",
    });
    expect(classifyValue("Authorization", "Bearer ${TOKEN}")).toEqual({
      kind: "reference",
      text: "Bearer ${env:TOKEN}",
    });
    expect(secretNameFor("github", "Authorization")).toBe("GITHUB_TOKEN");
    expect(secretNameFor("x", "TAVILY_API_KEY")).toBe("TAVILY_API_KEY");
  });

  test("names every client accepts", () => {
    expect(normalizeName("Educhain Server")).toBe("educhain-server");
    expect(normalizeName("servers")).toBe("servers");
    expect(normalizeName("my.server")).toBe("my-server");
    expect(normalizeName("workspace")).toBe("server-workspace");
  });
});
