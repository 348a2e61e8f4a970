/**
 * How a server starts where it runs (entries/target-entry.ts `launchIn`): the one rule every user-level entry and
 * `serve --share` follow. Before it, serve --share had its own copy of "an npm package runs as
 * <node> <bin script>".
 */
import { describe, expect, test } from "vitest";
import { launchIn } from "../../src/core/entries/target-entry.js";
import type { Environment } from "../../src/core/environments/types.js";
import type { InstalledPackage } from "../../src/core/packages/npm-prefix.js";

const linux = {
  id: "linux",
  kind: "linux",
  local: true,
  style: "posix",
  usable: true,
  home: "/home/bob",
  node: { path: "/usr/bin/node", version: "v20.20.2" },
  npm: { prefix: "/home/bob/.npm-global" },
} as unknown as Environment;

const memory: InstalledPackage = {
  name: "@modelcontextprotocol/server-memory",
  version: "2026.8.31",
  dir: "/home/bob/.npm-global/lib/node_modules/@modelcontextprotocol/server-memory",
  bins: {
    "mcp-server-memory":
      "/home/bob/.npm-global/lib/node_modules/@modelcontextprotocol/server-memory/dist/index.js",
  },
};
const installed = (envId: string, name: string) =>
  envId === "linux" && name === memory.name ? memory : undefined;

describe("launchIn", () => {
  test("an npm package runs as that environment's node and its bin script, args and env as given", () => {
    const r = launchIn({ package: `${memory.name}@2026.8.31` }, {}, linux, installed, ["--x"], { A: "1" });
    expect(r).toEqual({
      ok: true,
      launch: { command: "/usr/bin/node", args: [memory.bins["mcp-server-memory"], "--x"], env: { A: "1" } },
    });
  });

  test("a program runs as itself, and is named as the program to look for", () => {
    const r = launchIn({}, { command: "uvx" }, linux, installed, ["mcp-server-time"], {});
    expect(r).toEqual({
      ok: true,
      launch: { command: "uvx", args: ["mcp-server-time"], env: {} },
      program: "uvx",
    });
  });

  test("a package not installed there, or with no such bin, is said, never guessed", () => {
    expect(launchIn({ package: "tavily-mcp" }, {}, linux, installed, [], {})).toEqual({
      ok: false,
      code: "not-installed",
      reason: "tavily-mcp is not installed in linux",
      // What sync installs where, for status to say it.
      missing: { package: "tavily-mcp", env: "linux" },
    });
    const r = launchIn({ package: memory.name, bin: "nope" }, {}, linux, installed, [], {});
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain('has no bin named "nope"');
  });
});
