/**
 * The YAML engine case by case, on files as people write them (Goose's config.yaml): comments, CRLF,
 * a BOM, flow and block maps, other settings and extensions keep every byte; an entry added and
 * removed again gives the file back; a file that does not parse is an error with its line:column.
 */

import { describe, expect, test } from "vitest";
import { parse as oracle } from "yaml";
import type { UsageError } from "../../src/core/errors.js";
import { yamlFormat } from "../../src/core/formats/yaml/index.js";

type Edits = Parameters<typeof yamlFormat.applyEntryEdits>[2];
const edit = (text: string, edits: Edits, path: readonly string[] = ["extensions"]) =>
  yamlFormat.applyEntryEdits(text, path, edits, "config.yaml");
const ENTRY = { name: "fx", type: "stdio", cmd: "node", args: ["/srv/fx.js"], enabled: true, timeout: 300 };

const GOOSE = [
  "# my goose",
  'GOOSE_PROVIDER: "anthropic"   # keep this spacing',
  "GOOSE_MODEL: 'claude-4.5-sonnet'",
  "extensions:",
  "  developer:",
  "    bundled: true",
  "    enabled: true # on",
  "    name: developer",
  "    timeout: 300",
  "    type: builtin",
  "",
  "  # memory is mine",
  "  memory: {bundled: true, enabled: false, name: memory, type: builtin}",
  "GOOSE_SEARCH_PATHS:",
  '  - "/usr/local/bin"',
  "",
].join("\n");

describe("the person's bytes stay", () => {
  test("an entry added after the last extension, in the file's indentation, then removed: the same bytes", () => {
    const added = edit(GOOSE, [{ name: "fx", value: ENTRY }]);
    expect(added.startsWith(GOOSE.slice(0, GOOSE.indexOf("GOOSE_SEARCH_PATHS")))).toBe(true);
    expect(added).toContain(
      "  fx:\n    name: fx\n    type: stdio\n    cmd: node\n    args:\n      - /srv/fx.js\n",
    );
    expect(oracle(added).extensions.fx).toEqual(ENTRY);
    expect(oracle(added).extensions.developer.enabled).toBe(true);
    expect(edit(added, [{ name: "fx", remove: true }])).toBe(GOOSE);
  });

  test("CRLF and a BOM are kept, and what is inserted uses CRLF", () => {
    const text = `\uFEFF${GOOSE.replace(/\n/g, "\r\n")}`;
    const added = edit(text, [{ name: "fx", value: ENTRY }]);
    expect(added.startsWith("\uFEFF# my goose\r\n")).toBe(true);
    expect(added.replace(/\r\n/g, "")).not.toContain("\n");
    expect(edit(added, [{ name: "fx", remove: true }])).toBe(text);
  });

  test("a changed entry is replaced in place; the others and their comments stay", () => {
    const added = edit(GOOSE, [{ name: "fx", value: ENTRY }]);
    const changed = edit(added, [{ name: "fx", value: { ...ENTRY, args: ["/srv/fx2.js"] } }]);
    expect(changed).toBe(added.replace("/srv/fx.js", "/srv/fx2.js"));
  });

  test("the same value again writes nothing (the text is returned as it was)", () => {
    const added = edit(GOOSE, [{ name: "fx", value: ENTRY }]);
    expect(edit(added, [{ name: "fx", value: structuredClone(ENTRY) }])).toBe(added);
  });

  test("an entry written on one line is replaced at its place (as block); the comment above it stays", () => {
    const out = edit(GOOSE, [{ name: "memory", value: { name: "memory", type: "builtin", enabled: true } }]);
    expect(out).toBe(
      GOOSE.replace(
        / {2}memory: .*\n/,
        "  memory:\n    name: memory\n    type: builtin\n    enabled: true\n",
      ),
    );
  });

  test("inside a flow map, entries are set and removed as flow", () => {
    const text = "extensions: {a: {cmd: y}}  # mine\n";
    const added = edit(text, [{ name: "fx", value: { cmd: "x" } }]);
    expect(added).toBe('extensions: {a: {cmd: y}, "fx": {"cmd":"x"}}  # mine\n');
    expect(edit(added, [{ name: "fx", remove: true }])).toBe(text);
  });

  test("`extensions: {}` becomes a block map, and gives `{}` back when its last entry goes", () => {
    const text = "GOOSE_MODEL: x\nextensions: {}\nother: 1\n";
    const added = edit(text, [{ name: "fx", value: ENTRY }]);
    expect(added).toMatch(/^GOOSE_MODEL: x\nextensions:\n {2}fx:\n {4}name: fx\n/);
    expect(added.endsWith("other: 1\n")).toBe(true);
    expect(edit(added, [{ name: "fx", remove: true }])).toBe(text);
  });

  test("no extensions key: it is added at the end (no final newline is kept as none), and removed by uninstall to the same bytes", () => {
    const text = "# settings\nGOOSE_MODEL: x";
    const added = edit(text, [{ name: "fx", value: ENTRY }]);
    expect(added.startsWith("# settings\nGOOSE_MODEL: x\nextensions:\n  fx:\n")).toBe(true);
    const removed = edit(added, [{ name: "fx", remove: true }]);
    expect(yamlFormat.removeEmptyServers?.(removed, ["extensions"], "config.yaml")).toBe(text);
  });

  test("an empty or comment-only file gets the key; four-space files get four spaces", () => {
    expect(edit("", [{ name: "fx", value: { cmd: "x" } }])).toBe("extensions:\n  fx:\n    cmd: x\n");
    expect(edit("# only\n", [{ name: "fx", value: { cmd: "x" } }])).toBe(
      "# only\nextensions:\n  fx:\n    cmd: x\n",
    );
    const four = "extensions:\n    a:\n        cmd: y\n";
    expect(edit(four, [{ name: "fx", value: { cmd: "x" } }])).toBe(`${four}    fx:\n        cmd: x\n`);
  });

  test("strings YAML would read as something else are quoted; a key with a dot is one key", () => {
    const out = edit(
      "",
      [{ name: "a.b", value: { args: ["true", "1", "- x", "#c", ""], envs: { K: "null" } } }],
      ["x.y"],
    );
    expect(oracle(out)).toEqual({
      "x.y": { "a.b": { args: ["true", "1", "- x", "#c", ""], envs: { K: "null" } } },
    });
  });
});

describe("what the engine reads", () => {
  test("entries are the map under the key; an empty or null key is no entries", () => {
    expect(yamlFormat.parse(GOOSE, "c.yaml").entries(["extensions"])).toMatchObject({
      developer: { name: "developer" },
      memory: { enabled: false },
    });
    expect(yamlFormat.parse("extensions:\n", "c.yaml").entries(["extensions"])).toEqual({});
    expect(yamlFormat.parse("", "c.yaml").entries(["extensions"])).toEqual({});
  });

  test("a file that does not parse, a duplicate key or a list where servers go: file:line:column", () => {
    const bad = (text: string) => {
      try {
        yamlFormat.parse(text, "c.yaml").entries(["extensions"]);
      } catch (error) {
        return error as UsageError;
      }
      throw new Error("no error");
    };
    expect(bad("a: 1\nb: [1\nc: 2\n").message).toMatch(/^c\.yaml:\d+:\d+: .*not valid YAML/);
    expect(bad("a: 1\na: 2\n").message).toMatch(/^c\.yaml:2:1: /);
    const shape = bad("x: 1\nextensions:\n  - a\n");
    expect(shape.code).toBe("config-shape");
    expect(shape.message).toMatch(/^c\.yaml:3:3: "extensions" is a list/);
    expect(bad("- a\n").code).toBe("config-shape");
  });
});

describe("servers kept as a list of named items (Continue's mcpServers)", () => {
  const list = (text: string, edits: Edits) =>
    yamlFormat.applyEntryEdits(text, ["mcpServers"], edits, "config.yaml", undefined, { listKey: "name" });
  const CONTINUE = [
    "name: My Config # mine",
    "version: 0.0.1",
    "schema: v1",
    "models:",
    "  - name: local",
    "    provider: openai",
    "mcpServers:",
    "  - name: mine # my own",
    "    command: uvx",
    "    args: [mcp-server-time]",
    "rules: []",
    "",
  ].join("\r\n");

  test("an entry is one item, named by its `name`: read, added after the last item, changed, removed", () => {
    const doc = yamlFormat.parse(CONTINUE, "c.yaml", { listKey: "name" });
    expect(doc.entries(["mcpServers"])).toEqual({ mine: { command: "uvx", args: ["mcp-server-time"] } });
    const added = list(CONTINUE, [{ name: "fx", value: { command: "node", args: ["/a.js"] } }]);
    expect(added).toBe(
      CONTINUE.replace(
        "rules: []",
        "  - name: fx\r\n    command: node\r\n    args:\r\n      - /a.js\r\nrules: []",
      ),
    );
    const changed = list(added, [{ name: "fx", value: { command: "node", args: ["/b.js"] } }]);
    expect(changed).toBe(added.replace("/a.js", "/b.js"));
    expect(list(changed, [{ name: "fx", remove: true }])).toBe(CONTINUE);
    expect(list(CONTINUE, [{ name: "mine", value: { command: "uvx", args: ["mcp-server-time"] } }])).toBe(
      CONTINUE,
    );
  });

  test("no list yet, or `[]`: a block list; a name twice is reported; a map where the list goes is refused", () => {
    const none = "name: c\nversion: 1\n";
    const added = list(none, [{ name: "fx", value: { command: "x" } }]);
    expect(added).toBe("name: c\nversion: 1\nmcpServers:\n  - name: fx\n    command: x\n");
    expect(
      yamlFormat.removeEmptyServers?.(list(added, [{ name: "fx", remove: true }]), ["mcpServers"], "c"),
    ).toBe(none);
    expect(list("mcpServers: []\n", [{ name: "fx", value: { command: "x" } }])).toBe(
      "mcpServers:\n  - name: fx\n    command: x\n",
    );
    const twice = "mcpServers:\n- name: a\n  command: x\n- name: a\n  command: y\n";
    expect(yamlFormat.parse(twice, "c", { listKey: "name" }).duplicates(["mcpServers"])).toEqual(["a"]);
    expect(() =>
      yamlFormat.parse("mcpServers:\n  a: {}\n", "c", { listKey: "name" }).entries(["mcpServers"]),
    ).toThrow(/c:2:3: "mcpServers" is a map, not a list of servers/);
    // Items at the key's own indentation stay there.
    expect(list(twice, [{ name: "b", value: { command: "z" } }])).toBe(`${twice}- name: b\n  command: z\n`);
  });
});
