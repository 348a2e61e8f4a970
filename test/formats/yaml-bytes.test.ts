/**
 * The YAML engine byte for byte over files as the clients write them and as people then edit them
 * (Continue's config.yaml, Goose's config.yaml): for each file and each of its variants (CRLF, a BOM,
 * no final newline, a trailing comment block, document markers), adding an entry keeps every line
 * of the person's in order (comments at the ends of lines on their lines) and writes the new lines
 * in the file's own indentation; changing it keeps the person's comments inside it; removing it
 * gives the original bytes back.
 */
import { describe, expect, test } from "vitest";
import { isMap, isSeq, parse as oracle, parseDocument, stringify } from "yaml";
import { yamlFormat } from "../../src/core/formats/yaml/index.js";

type Edits = Parameters<typeof yamlFormat.applyEntryEdits>[2];

interface Client {
  path: string[];
  listKey?: string;
  /** An entry as the client's module writes it. */
  entry(n: number): Record<string, unknown>;
}

const CONTINUE: Client = {
  path: ["mcpServers"],
  listKey: "name",
  entry: (n) => ({ command: "node", args: [`/srv/fx${n}.js`, "--port", "80"], env: { FX_TOKEN: `t${n}` } }),
};
const GOOSE: Client = {
  path: ["extensions"],
  entry: (n) => ({
    name: `fx${n}`,
    enabled: true,
    timeout: 300,
    description: "",
    type: "stdio",
    cmd: "node",
    args: [`/srv/fx${n}.js`],
    envs: { FX_TOKEN: `t${n}` },
  }),
};

/**
 * Continue's config.yaml as Continue writes it on first run: `YAML.stringify(defaultConfig)` with
 * the `yaml` library (core/util/paths.ts getConfigYamlPath, core/config/default.ts; continuedev/continue
 * at d0a3c0b, read from its source).
 */
const continueDefault = stringify({ name: "Main Config", version: "1.0.0", schema: "v1", models: [] });

/**
 * As `cn` writes it when its onboarding is given an Anthropic key: the `yaml` library's
 * `doc.set(key, …)` then `doc.toString()` (extensions/cli/src/util/yamlConfigUpdater.ts, same commit).
 */
function cnOnboarded(): string {
  const doc = parseDocument("");
  const model = (name: string, id: string) => ({
    name,
    provider: "anthropic",
    model: id,
    apiKey: "sk-ant-test",
    roles: ["chat", "edit", "apply"],
    defaultCompletionOptions: { contextLength: 200000, maxTokens: 64000 },
    capabilities: ["tool_use", "image_input"],
  });
  const config = {
    name: "Main Config",
    version: "1.0.0",
    schema: "v1",
    models: [model("Claude Sonnet 4.6", "claude-sonnet-4-6"), model("Claude Opus 4.6", "claude-opus-4-6")],
  };
  for (const [k, v] of Object.entries(config)) doc.set(k, v);
  return doc.toString();
}

const FILES: Array<{ name: string; client: Client; text: string }> = [
  { name: "Continue's default config.yaml", client: CONTINUE, text: continueDefault },
  {
    name: "Continue's default with `mcpServers: [] # none yet` added by hand",
    client: CONTINUE,
    text: `${continueDefault}mcpServers: [] # none yet\n`,
  },
  { name: "cn's config.yaml after onboarding", client: CONTINUE, text: cnOnboarded() },
  {
    name: "a Continue file written by hand: `- item` under its key, comments on every kind of line",
    client: CONTINUE,
    text: [
      "# my Continue config",
      "name: Main Config # the name cn shows",
      "version: 1.0.0",
      "schema: v1",
      "models:",
      "- name: local # ollama",
      "  provider: ollama",
      "  model: qwen2.5-coder",
      "mcpServers:\t# servers\tI run",
      "- name: mine # my own",
      "  command: uvx",
      "  args: [mcp-server-time] # the last line of the last item",
      "  # - name: old (commented out)",
      "rules:",
      "- Be brief",
      "",
    ].join("\n"),
  },
  {
    // Removing the last item writes `[]` (a list, which Continue's schema takes; null it does not);
    // undo then takes the line as the backup has it: the person's, with nothing.
    name: "a Continue file with `mcpServers:` and only a comment",
    client: CONTINUE,
    text: "name: c\nversion: 1.0.0\nschema: v1\nmcpServers: # to do\nrules: []\n",
  },
  {
    name: "a Continue file with `mcpServers: []` and a tab before its comment",
    client: CONTINUE,
    text: `${continueDefault}mcpServers: []\t# none yet\nrules: []\n`,
  },
  {
    name: "Goose's config.yaml as Goose writes it (serde_yaml: a list's `-` under its key)",
    client: GOOSE,
    text: [
      "GOOSE_PROVIDER: anthropic",
      "extensions:",
      "  developer:",
      "    available_tools: []",
      "    bundled: true",
      "    description: ''",
      "    display_name: Developer",
      "    enabled: true",
      "    name: developer",
      "    timeout: 300",
      "    type: builtin",
      "  memory:",
      "    args:",
      "    - -y",
      "    - '@modelcontextprotocol/server-memory'",
      "    bundled: null",
      "    cmd: npx",
      "    description: ''",
      "    enabled: true",
      "    env_keys: []",
      "    envs: {}",
      "    name: memory",
      "    timeout: 300",
      "    type: stdio",
      "GOOSE_MODEL: claude-sonnet-4-5",
      "",
    ].join("\n"),
  },
  {
    name: "Goose's documented example (comments, a blank line with spaces between extensions)",
    client: GOOSE,
    text: [
      "# Model Configuration",
      'GOOSE_PROVIDER: "anthropic"',
      'GOOSE_MODEL: "claude-4.5-sonnet"',
      "",
      "# Search Path Configuration",
      "GOOSE_SEARCH_PATHS:",
      '  - "/usr/local/bin"',
      '  - "~/custom/tools"',
      "",
      "# Extensions Configuration",
      "extensions:",
      "  developer:",
      "    bundled: true",
      "    enabled: true",
      "    name: developer",
      "    timeout: 300",
      "    type: builtin",
      "  ",
      "  memory:",
      "    bundled: true",
      "    enabled: true # on",
      "    name: memory",
      "    timeout: 300",
      "    type: builtin # last line",
      "",
    ].join("\n"),
  },
  {
    name: "Goose with `extensions: {} # none yet`",
    client: GOOSE,
    text: "GOOSE_PROVIDER: openai\nextensions: {} # none yet\nGOOSE_MODE: smart_approve\n",
  },
  {
    name: "Goose with `extensions:` holding nothing, a tab before its comment",
    client: GOOSE,
    text: "GOOSE_PROVIDER: openai\nextensions:\t# none yet\nGOOSE_MODE: smart_approve\n",
  },
  {
    name: "Goose with four-space maps",
    client: GOOSE,
    text: "extensions:\n    developer:\n        enabled: true\n        args:\n            - x\nGOOSE_MODE: auto\n",
  },
];

/** Each file as people also have it. */
const VARIANTS: Array<{ name: string; of(text: string): string }> = [
  { name: "as written", of: (t) => t },
  { name: "CRLF", of: (t) => t.replace(/\n/g, "\r\n") },
  { name: "a BOM", of: (t) => `\uFEFF${t}` },
  { name: "no final newline", of: (t) => t.replace(/\n$/, "") },
  { name: "a trailing comment block", of: (t) => `${t}\n# notes\n#\tkept\t(tab)\n` },
  { name: "document markers", of: (t) => `--- # my config\n${t}...\n` },
];

const CASES = FILES.flatMap((f) => VARIANTS.map((v) => ({ ...f, variant: v.name, text: v.of(f.text) })));

function edit(c: { client: Client }, text: string, edits: Edits): string {
  return yamlFormat.applyEntryEdits(text, c.client.path, edits, "config.yaml", undefined, {
    listKey: c.client.listKey,
  });
}

/**
 * What uninstall does (src/core/undo/original-shape.ts backToModel): the entries out, then the
 * servers key too when the file had none before (the key was mcp-twin's doing), and the key's line
 * as the file before mcp-twin (its backup) had it.
 */
function uninstall(c: { client: Client; text: string }, text: string, names: string[]): string {
  let out = text;
  for (const name of names) out = edit(c, out, [{ name, remove: true }]);
  const had = yamlFormat.parse(c.text, "config.yaml").top()[c.client.path[0] ?? ""] !== undefined;
  if (!had) out = yamlFormat.removeEmptyServers?.(out, c.client.path, "config.yaml") ?? out;
  return yamlFormat.emptyLayoutLike?.(out, c.text, c.client.path) ?? out;
}

function entriesOf(c: { client: Client }, text: string): Record<string, unknown> {
  return yamlFormat.parse(text, "config.yaml", { listKey: c.client.listKey }).entries(c.client.path);
}

/** The lines of a text, each with its line ending. */
const linesOf = (text: string) => text.split(/(?<=\n)/);

/**
 * Every line of `before` is a line of `after`, in order; the key line of an empty `[]`/`{}` (opened
 * into a block) may lose that token and nothing else. The lines of `after` matched by none are
 * returned: what the edit wrote, and they are one block.
 */
function keptInOrder(before: string, after: string): string[] {
  const was = linesOf(before.replace(/^\uFEFF/, ""));
  const now = linesOf(after.replace(/^\uFEFF/, ""));
  const used = new Set<number>();
  let at = 0;
  for (const [i, line] of was.entries()) {
    // The last line of a text without a final newline may now have one (what follows is new).
    const last = i === was.length - 1 && !line.endsWith("\n");
    const opened = line.replace(/[ \t](\[\]|\{\})(?=[ \t]*(#.*)?(\r?\n)?$)/, "");
    const same = (l: string) =>
      l === line ||
      l === opened ||
      (last && (l.replace(/\r?\n$/, "") === line || l.replace(/\r?\n$/, "") === opened));
    while (at < now.length && !same(now[at] ?? "")) at++;
    expect(at, `line ${i + 1} ${JSON.stringify(line)} kept in\n${after}`).toBeLessThan(now.length);
    used.add(at++);
  }
  const fresh = now.flatMap((_, i) => (used.has(i) ? [] : [i]));
  expect(fresh.length === 0 || (fresh.at(-1) ?? 0) - (fresh[0] ?? 0) === fresh.length - 1, after).toBe(true);
  return fresh.map((i) => now[i] ?? "");
}

/** The steps of indentation a text shows: nested maps, and where a list's `-` is under its key. */
function stepsOf(text: string): { map: Set<number>; seq: Set<number> } {
  const doc = parseDocument(text.replace(/^\uFEFF/, ""));
  const src = text.replace(/^\uFEFF/, "");
  const col = (at: number) => at - (src.lastIndexOf("\n", at - 1) + 1);
  const out = { map: new Set<number>(), seq: new Set<number>() };
  const visit = (node: unknown): void => {
    if (!isMap(node) && !isSeq(node)) return;
    for (const item of node.items as unknown[]) {
      if (!(item && typeof item === "object" && "key" in item)) {
        visit(item);
        continue;
      }
      const { key, value } = item as { key: { range?: number[] }; value: unknown };
      if (
        (isMap(value) || isSeq(value)) &&
        !value.flow &&
        value.items.length > 0 &&
        key.range &&
        value.range
      ) {
        const step = col(value.range[0]) - col(key.range[0] ?? 0);
        (isMap(value) ? out.map : out.seq).add(step);
      }
      visit(value);
    }
  };
  visit(doc.contents);
  return out;
}

describe.each(CASES)("$name, $variant", (c) => {
  const one = c.client.entry(1);
  const two = c.client.entry(2);

  test("added: every line of the person's kept in order, the new ones one block in the file's own indentation; two removed in either order: the same bytes; changed: a comment the person put in the entry stays", () => {
    const added = edit(c, c.text, [{ name: "fx1", value: one }]);
    const written = keptInOrder(c.text, added);
    expect(entriesOf(c, added).fx1).toEqual(one);
    const mine = entriesOf(c, c.text);
    expect({ ...entriesOf(c, added), fx1: undefined }).toEqual({ ...mine, fx1: undefined });
    // The new lines end as the file's lines end.
    const eol = c.text.includes("\r\n") ? "\r\n" : "\n";
    for (const line of written.slice(0, -1)) expect(line.endsWith(eol), JSON.stringify(line)).toBe(true);
    // Its steps of indentation are the file's own wherever the file shows one.
    const file = stepsOf(c.text);
    const now = stepsOf(added);
    if (file.map.size > 0) expect(now.map).toEqual(file.map);
    if (file.seq.size > 0) expect(now.seq).toEqual(file.seq);
    expect(uninstall(c, added, ["fx1"])).toBe(c.text);

    const both = edit(c, c.text, [
      { name: "fx1", value: one },
      { name: "fx2", value: two },
    ]);
    keptInOrder(c.text, both);
    expect(entriesOf(c, both)).toMatchObject({ fx1: one, fx2: two });
    expect(uninstall(c, both, ["fx1", "fx2"])).toBe(c.text);
    expect(uninstall(c, both, ["fx2", "fx1"])).toBe(c.text);

    const noted = added.replace(/(FX_TOKEN: t1)/, "$1 # my token, rotated monthly");
    expect(noted).not.toBe(added);
    expect(edit(c, noted, [{ name: "fx1", value: structuredClone(one) }])).toBe(noted);
    const moved = { ...one, args: ["/srv/moved.js"] };
    const changed = edit(c, noted, [{ name: "fx1", value: moved }]);
    expect(changed).toContain("FX_TOKEN: t1 # my token, rotated monthly");
    expect(entriesOf(c, changed).fx1).toEqual(moved);
    keptInOrder(c.text, changed);
  });
});

describe("the lines as a person reads them", () => {
  const list = (text: string, edits: Edits) =>
    yamlFormat.applyEntryEdits(text, ["mcpServers"], edits, "c.yaml", undefined, { listKey: "name" });
  const FX = { command: "node", args: ["/a.js"] };

  test("`mcpServers: [] # none yet`: the comment stays on the key's line, the item under it", () => {
    // The files above are what Continue's own calls write.
    expect(continueDefault).toBe("name: Main Config\nversion: 1.0.0\nschema: v1\nmodels: []\n");
    expect(cnOnboarded()).toContain("models:\n  - name: Claude Sonnet 4.6\n    provider: anthropic\n");
    expect(oracle(cnOnboarded()).models[1].defaultCompletionOptions.maxTokens).toBe(64000);
    const text = `${continueDefault}mcpServers: [] # none yet\n`;
    expect(list(text, [{ name: "fx", value: FX }])).toBe(
      `${continueDefault}mcpServers: # none yet\n  - name: fx\n    command: node\n    args:\n      - /a.js\n`,
    );
  });

  test("`mcpServers:\\t[]\\t# c` and `mcpServers: # c` come back as they were", () => {
    for (const text of ["mcpServers:\t[]\t# c\n", "mcpServers: []  # c\n", "mcpServers: [] # c"]) {
      const added = list(text, [{ name: "fx", value: FX }]);
      expect(added.split("\n")[0]).toBe(text.split("\n")[0]?.replace(/[ \t]\[\]/, ""));
      expect(list(added, [{ name: "fx", remove: true }])).toBe(text);
    }
    // Where the line opened cannot say what it held (the blank before `[]` other than the one
    // after it; nothing, `~`): the edit alone writes `[]` back (Continue's schema refuses a null
    // list), and undo takes the line from the file before mcp-twin, as uninstall and restore do.
    const undo = (text: string) => {
      const removed = list(list(text, [{ name: "fx", value: FX }]), [{ name: "fx", remove: true }]);
      return { removed, undone: yamlFormat.emptyLayoutLike?.(removed, text, ["mcpServers"]) };
    };
    expect(undo("mcpServers: []\t# c\n")).toEqual({
      removed: "mcpServers:\t[]\t# c\n",
      undone: "mcpServers: []\t# c\n",
    });
    expect(undo("a: 1\nmcpServers: # c\nb: []\n")).toEqual({
      removed: "a: 1\nmcpServers: [] # c\nb: []\n",
      undone: "a: 1\nmcpServers: # c\nb: []\n",
    });
    for (const text of [
      "mcpServers:\t# c\r\n",
      "mcpServers: ~ # c",
      "mcpServers:\n",
      "\uFEFFmcpServers:  [ ]\t \t# c\n",
    ])
      expect(undo(text).undone).toBe(text);
  });

  test("undo takes the servers key's line from the file before only when nothing else differs", () => {
    const like = (text: string, model: string) => yamlFormat.emptyLayoutLike?.(text, model, ["mcpServers"]);
    expect(like("a: 1\nmcpServers: [] # c\n", "a: 1\nmcpServers: # c\n")).toBe("a: 1\nmcpServers: # c\n");
    // Another line changed since (a person's edit, a client's rewrite): the text stays as it is.
    expect(like("a: 2\nmcpServers: [] # c\n", "a: 1\nmcpServers: # c\n")).toBe("a: 2\nmcpServers: [] # c\n");
    expect(like("mcpServers: [] # c\n", "mcpServers: # c\nb: 1\n")).toBe("mcpServers: [] # c\n");
    // The key's comment changed, the backup's key held a server, or another key's line differs.
    expect(like("mcpServers: [] # d\n", "mcpServers: # c\n")).toBe("mcpServers: [] # d\n");
    expect(like("mcpServers: []\n", "mcpServers: [{name: a}]\n")).toBe("mcpServers: []\n");
    expect(like("models: []\nmcpServers: []\n", "models:\nmcpServers: []\n")).toBe(
      "models: []\nmcpServers: []\n",
    );
    // The text's BOM stays; the line endings must already agree.
    expect(like("\uFEFFmcpServers: []\r\n", "mcpServers:\r\n")).toBe("\uFEFFmcpServers:\r\n");
    expect(like("mcpServers: []\r\n", "mcpServers:\n")).toBe("mcpServers: []\r\n");
  });

  test("a note indented under the last item stays with it; the new item goes after it", () => {
    const text = "mcpServers:\n  - name: a\n    command: x\n    # x takes a while\nrules: []\n";
    expect(list(text, [{ name: "fx", value: { command: "y" } }])).toBe(
      "mcpServers:\n  - name: a\n    command: x\n    # x takes a while\n  - name: fx\n    command: y\nrules: []\n",
    );
  });

  test("a changed value on its key's line is the only thing written again: the comment after it, its flow style and the item's key order stay", () => {
    const text = "mcpServers:\n  - command: node # node 22\n    name: fx\n    args: [/a.js] # the script\n";
    expect(list(text, [{ name: "fx", value: { command: "/usr/bin/node", args: ["/b.js"] } }])).toBe(
      'mcpServers:\n  - command: /usr/bin/node # node 22\n    name: fx\n    args: ["/b.js"] # the script\n',
    );
  });

  test("a changed list is changed item by item: the comments on its key's line and on the items that stay, stay", () => {
    const text =
      "mcpServers:\n  - name: fx\n    command: node\n    args: # the script, then its flags\n      - /a.js # v1\n      - --verbose # loud\n";
    expect(
      list(text, [{ name: "fx", value: { command: "node", args: ["/b.js", "--verbose", "--port=1"] } }]),
    ).toBe(
      "mcpServers:\n  - name: fx\n    command: node\n    args: # the script, then its flags\n      - /b.js # v1\n      - --verbose # loud\n      - --port=1\n",
    );
    expect(list(text, [{ name: "fx", value: { command: "node", args: ["/a.js"] } }])).toBe(
      "mcpServers:\n  - name: fx\n    command: node\n    args: # the script, then its flags\n      - /a.js # v1\n",
    );
  });

  test("a flow list of items: the item added, changed and removed as flow; the comment after it stays", () => {
    const text = "name: c\nmcpServers: [{name: mine, command: uvx}] # flow\n";
    const added = list(text, [{ name: "fx", value: FX }]);
    expect(added).toBe(
      'name: c\nmcpServers: [{name: mine, command: uvx}, {"name":"fx","command":"node","args":["/a.js"]}] # flow\n',
    );
    expect(list(added, [{ name: "fx", remove: true }])).toBe(text);
  });

  test("a list's `-` under its key (Goose's and many hand-written files) is written that way", () => {
    const text = "models:\n- name: m\n  roles:\n  - chat\nmcpServers:\n- name: a\n  command: x\n";
    expect(list(text, [{ name: "fx", value: FX }])).toBe(
      `${text}- name: fx\n  command: node\n  args:\n  - /a.js\n`,
    );
  });
});
