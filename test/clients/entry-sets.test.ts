/**
 * A client config's entry sets (src/core/clients/entry-sets.ts), the one reading doctor and import
 * share: its own scope's object, Claude Code's local scope for a project, the classic file a Store
 * Claude Desktop ignores; what does not parse or is not an object of entries comes back, located.
 */
import { describe, expect, test } from "vitest";
import { readEntrySets, readIgnoredSets } from "../../src/core/clients/entry-sets.js";
import { clientById } from "../../src/core/clients/index.js";
import type { Target } from "../../src/core/clients/types.js";

/** ~/.claude.json as a target: the fields the reading looks at (a local POSIX environment). */
function claudeJson(): Target {
  const client = clientById("claude-code");
  if (!client) throw new Error("claude-code is a client");
  return {
    key: "linux:claude-code:user",
    env: { id: "linux", kind: "linux", style: "posix", local: true },
    client,
    scope: "user",
    path: "/home/u/.claude.json",
    file: "/home/u/.claude.json",
    serversPath: ["mcpServers"],
    present: true,
  } as unknown as Target;
}

const text = (value: unknown) => JSON.stringify(value, null, 2);

describe("a client config's entry sets", () => {
  test("the file's own scope, and Claude Code's local scope of the project asked for", () => {
    const file = text({
      mcpServers: { a: { command: "a" } },
      projects: { "/work/p": { mcpServers: { b: { command: "b" } } }, "/work/q": { mcpServers: {} } },
    });
    const read = readEntrySets(claudeJson(), file, "~/.claude.json", "/work/p");
    expect(read).toEqual({
      top: JSON.parse(file),
      sets: [
        { scope: "user", serversPath: ["mcpServers"], entries: { a: { command: "a" } }, duplicates: [] },
        {
          scope: "local",
          serversPath: ["projects", "/work/p", "mcpServers"],
          entries: { b: { command: "b" } },
          duplicates: [],
        },
      ],
      shapeErrors: [],
    });
    // No project asked for, or one the file does not know: its own scope only.
    for (const project of [undefined, "/elsewhere"]) {
      const own = readEntrySets(claudeJson(), file, "~/.claude.json", project);
      expect("sets" in own && own.sets.map((s) => s.scope)).toEqual(["user"]);
    }
  });

  test("an absent key reads as an empty set; duplicate names are named", () => {
    const empty = readEntrySets(claudeJson(), "{}", "~/.claude.json", undefined);
    expect("sets" in empty && empty.sets).toEqual([
      { scope: "user", serversPath: ["mcpServers"], entries: {}, duplicates: [] },
    ]);
    const twice = readEntrySets(
      claudeJson(),
      '{ "mcpServers": { "a": { "command": "x" }, "a": { "command": "y" } } }',
      "~/.claude.json",
      undefined,
    );
    expect("sets" in twice && twice.sets[0]?.duplicates).toEqual(["a"]);
  });

  test("a set that is not an object of entries is left out, its error located; the others stay", () => {
    const file = text({
      mcpServers: { a: { command: "a" } },
      projects: { "/work/p": { mcpServers: ["b"] } },
    });
    const read = readEntrySets(claudeJson(), file, "~/.claude.json", "/work/p");
    if (!("sets" in read)) throw new Error(`parses: ${read.parseError.message}`);
    expect(read.sets.map((s) => s.scope)).toEqual(["user"]);
    expect(read.shapeErrors.map((e) => [e.code, e.location.line])).toEqual([["config-shape", 9]]);
    expect(read.shapeErrors[0]?.message).toMatch(/^~\/\.claude\.json:9:\d+: /);
  });

  test("text that does not parse: only why, at file:line:column", () => {
    const read = readEntrySets(
      claudeJson(),
      '{\n  "mcpServers": {\n    "a": \n',
      "~/.claude.json",
      "/work/p",
    );
    if (!("parseError" in read)) throw new Error("does not parse");
    expect(read.parseError.code).toBe("config-parse");
    expect(read.parseError.message).toMatch(/^~\/\.claude\.json:\d+:\d+: /);
    expect(read.parseError.location.line).toBeGreaterThan(1);
  });

  test("the classic file a Store Claude Desktop ignores is one user set, marked as that file", () => {
    const read = readIgnoredSets(
      claudeJson(),
      text({ mcpServers: { c: { command: "c" } } }),
      "%APPDATA%\\Claude\\claude_desktop_config.json",
    );
    expect("sets" in read && read.sets).toEqual([
      {
        scope: "user",
        serversPath: ["mcpServers"],
        ignoredFile: "%APPDATA%\\Claude\\claude_desktop_config.json",
        entries: { c: { command: "c" } },
        duplicates: [],
      },
    ]);
  });
});
