/**
 * The TOML merge engine against Codex configs shaped like the ones people write
 * (test/fixtures/codex-corpus, README there says where each shape was seen) and variants derived
 * from them (CRLF, BOM, no final newline, trailing whitespace, indented keys): our entry goes in,
 * every other byte stays, a second run changes nothing, removing it gives the file back, and
 * editing or removing a server already there touches only that server. Every result is read back
 * with a second, independent TOML parser (smol-toml).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { diffChars } from "diff";
import { parse as oracle } from "smol-toml";
import { describe, expect, test } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import { tomlFormat } from "../../src/core/formats/toml/index.js";

const CORPUS = path.resolve(__dirname, "../fixtures/codex-corpus");
const files = readdirSync(CORPUS).filter((f) => f.endsWith(".toml"));
const broken = readdirSync(path.join(CORPUS, "broken")).filter((f) => f.endsWith(".toml"));
const SERVERS = ["mcp_servers"];
const OWNED = ["command", "args", "env", "env_vars", "url", "http_headers", "bearer_token_env_var"];
const ENTRY = {
  command: "C:\\PROGRA~1\\nodejs\\node.exe",
  args: ["C:\\Users\\alice\\AppData\\Roaming\\npm\\node_modules\\tavily-mcp\\build\\index.js", "--it's"],
  env: { TAVILY_API_KEY: "tvly-123", "ODD.NAME": 'say "hi"' },
};

const edit = (
  text: string,
  edits: Parameters<typeof tomlFormat.applyEntryEdits>[2],
  owned?: readonly string[],
) => tomlFormat.applyEntryEdits(text, SERVERS, edits, "config.toml", owned);
/**
 * The oracle's reading of a text, read once: a case reads the same texts (its before, its after)
 * several times, and long-strings.toml's 428 KB took most of the file's time. Never mutated.
 */
const read = new Map<string, Record<string, unknown> | Error>();
const value = (text: string): Record<string, unknown> => {
  let known = read.get(text);
  if (known === undefined) {
    try {
      known = oracle(text.replace(/^\uFEFF/, "")) as Record<string, unknown>;
    } catch (error) {
      known = error as Error;
    }
    if (read.size >= 16) read.delete(read.keys().next().value as string);
    read.set(text, known);
  }
  if (known instanceof Error) throw known;
  return known;
};
const servers = (text: string) => (value(text).mcp_servers ?? {}) as Record<string, Record<string, unknown>>;
const withoutServers = (doc: Record<string, unknown>) => {
  const { mcp_servers: _, ...rest } = doc;
  return rest;
};
/** Whether `short` is `long` with characters left out (and none changed): one pass, no diff built. */
const within = (short: string, long: string) => {
  let at = 0;
  for (let i = 0; i < long.length && at < short.length; i++) if (long[i] === short[at]) at++;
  return at === short.length;
};
// Nothing removed is exactly `before` within `after` (a diff removes nothing then): the diff, a
// character array of each text, is built only to show what was removed or added when it was.
const removedText = (before: string, after: string) =>
  within(before, after)
    ? []
    : diffChars(before, after)
        .filter((p) => p.removed)
        .map((p) => p.value);
const addedText = (before: string, after: string) =>
  within(after, before)
    ? []
    : diffChars(before, after)
        .filter((p) => p.added)
        .map((p) => p.value);

const variants: Array<{ name: string; make: (t: string) => string }> = [
  { name: "as written", make: (t) => t },
  { name: "CRLF", make: (t) => t.replace(/\r?\n/g, "\r\n") },
  { name: "BOM", make: (t) => `\uFEFF${t}` },
  { name: "no final newline", make: (t) => t.replace(/\s+$/, "") },
  { name: "trailing whitespace", make: (t) => t.replace(/(\S)(\r?\n)/g, "$1  \t$2") },
  {
    name: "indented keys",
    make: (t) => t.replace(/^([A-Za-z"'][^=\n]*=)/gm, "    $1"),
  },
];

test("the corpus is all here: 20 shapes, 4 files that are not TOML", () => {
  expect(files.length).toBeGreaterThanOrEqual(20);
  expect(broken).toHaveLength(4);
  for (const f of files) expect(() => value(readFileSync(path.join(CORPUS, f), "utf8")), f).not.toThrow();
  for (const f of broken)
    expect(() => value(readFileSync(path.join(CORPUS, "broken", f), "utf8")), f).toThrow();
});

describe.each(files)("%s", (file) => {
  const original = readFileSync(path.join(CORPUS, file), "utf8");

  test.each(variants)("$name: adds our entry and changes nothing else", ({ make }) => {
    const before = make(original);
    if (!tryParse(before)) return; // an indented multi-line string is no longer the same file
    const after = edit(before, [{ name: "mcp-twin-test", value: ENTRY }]);

    // Only insertions: not one character of the user's text is removed or changed.
    expect(removedText(before, after)).toEqual([]);

    // Read back by another parser: ours as written, everything else as it was.
    const was = value(before);
    const now = value(after);
    expect(servers(after)["mcp-twin-test"]).toEqual(ENTRY);
    expect(withoutServers(now)).toEqual(withoutServers(was));
    for (const [name, v] of Object.entries(servers(before))) expect(servers(after)[name]).toEqual(v);

    // Format kept: BOM, line endings, final newline.
    expect(after.startsWith("\uFEFF")).toBe(before.startsWith("\uFEFF"));
    if (before.includes("\r\n")) expect(after.replace(/\r\n/g, "").includes("\n")).toBe(false);
    else expect(after.includes("\r")).toBe(before.includes("\r"));
    expect(/\n$/.test(after)).toBe(/\n$/.test(before) || before.trim() === "");

    // Idempotent: the same edit again changes nothing.
    expect(edit(after, [{ name: "mcp-twin-test", value: ENTRY }])).toBe(after);

    // Removing it gives back the same document, and the same bytes when it had servers already.
    const back = edit(after, [{ name: "mcp-twin-test", remove: true }]);
    expect(value(back)).toEqual(was);
    if (Object.keys(servers(before)).length > 0 && tableServers(before)) expect(back).toBe(before);
  });

  const names = Object.keys(servers(original));
  if (names.length === 0) return;

  test.each(names)("updating %s (mcp-twin's keys only) keeps its other keys and every other byte", (name) => {
    const before = original;
    const old = servers(before)[name]!;
    const wanted = { command: "/usr/bin/node", args: ["/srv/new.js"], env: { KEY: "v" } };
    let after: string;
    try {
      after = edit(before, [{ name, value: wanted }], OWNED);
    } catch (error) {
      // Only an entry inside an inline `mcp_servers = { … }` may be refused, with its position.
      expect(error).toBeInstanceOf(UsageError);
      throw error;
    }
    const kept = Object.fromEntries(Object.entries(old).filter(([k]) => !OWNED.includes(k)));
    expect(servers(after)[name]).toEqual({ ...kept, ...wanted });
    expect(withoutServers(value(after))).toEqual(withoutServers(value(before)));
    for (const [other, v] of Object.entries(servers(before)))
      if (other !== name) expect(servers(after)[other]).toEqual(v);
    // Nothing before the entry's first line changed.
    const first = firstDefinition(before, name);
    expect(after.slice(0, first)).toBe(before.slice(0, first));
    // The same edit again changes nothing.
    expect(edit(after, [{ name, value: wanted }], OWNED)).toBe(after);
  });

  test.each(names)("removing %s removes only its lines", (name) => {
    const after = edit(original, [{ name, remove: true }]);
    expect(addedText(original, after)).toEqual([]);
    const rest = { ...servers(original) };
    delete rest[name];
    expect(servers(after)).toEqual(rest);
    expect(withoutServers(value(after))).toEqual(withoutServers(value(original)));
  });
});

describe("files that are not TOML are refused with file:line:column, as Codex reports them", () => {
  // Positions as `codex mcp list` (0.169.0) reports them for the same files, but for the unclosed
  // header: Codex points at the end of its line (1:18), the parser at the start of the next (2:1).
  test.each([
    ["duplicate-table.toml", 6, 14],
    ["unterminated-string.toml", 2, 15],
    ["unclosed-header.toml", 2, 1],
    ["inline-table-extended.toml", 3, 2],
  ])("%s at %i:%i", (file, line, column) => {
    const text = readFileSync(path.join(CORPUS, "broken", file), "utf8");
    let error: unknown;
    try {
      edit(text, [{ name: "x", value: ENTRY }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe("config-parse");
    expect((error as UsageError).location).toEqual({ file: "config.toml", line, column });
    expect((error as UsageError).message).toMatch(
      new RegExp(`^config\\.toml:${line}:${column}: .*not valid TOML`),
    );
  });
});

describe("tokens of any length: a file Codex reads is never called invalid", () => {
  const long = (n: number, unit: string) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
  const N = 300_000; // the unpatched parser overflowed its stack from about 125,000 characters
  test.each([
    ["a multi-line basic string", `x = """\n${long(N, "line of text\n")}"""\n`],
    ["a multi-line literal string", `x = '''\n${long(N, "C:\\path 'q'\n")}'''\n`],
    ["a literal string", `x = '${long(N, "abc")}'\n`],
    ["a basic string of escapes", `x = "${long(4 * N, "\\u00e9\\n")}"\n`],
    ["a quoted key", `[mcp_servers."${long(N, "k")}"]\ncommand = "a"\n`],
    ["a float's digits", `x = 0.${long(N, "1")}\n`],
  ])("%s", (_, text) => {
    const after = edit(text, [{ name: "mcp-twin-test", value: ENTRY }]);
    expect(after.startsWith(text)).toBe(true);
    expect(servers(after)["mcp-twin-test"]).toEqual(ENTRY);
    expect(value(after)).toMatchObject(withoutServers(value(text)));
  });

  test("80 levels of arrays and inline tables are read, as Codex reads them; the 81st is refused where it opens", () => {
    const nest = (n: number) => `${"[{a = ".repeat(n / 2)}1${" }]".repeat(n / 2)}`;
    const ok = `x = ${nest(80)}\n`;
    expect(edit(ok, [{ name: "mcp-twin-test", value: ENTRY }]).startsWith(ok)).toBe(true);
    expect(() => edit(`# deep\nx = ${nest(82)}\n`, [{ name: "x", value: ENTRY }])).toThrow(
      /^config\.toml:2:245: arrays or inline tables nested more than 80 levels deep; Codex refuses this file too/,
    );
  });

  test("nesting thousands of levels deep (Codex stops near a hundred) is refused for what it is", () => {
    const text = `x = ${"[".repeat(20_000)}${"]".repeat(20_000)}\n`;
    expect(() => edit(text, [{ name: "x", value: ENTRY }])).toThrow(
      /^config\.toml: arrays or inline tables nested thousands of levels deep, more than mcp-twin can read/,
    );
  });
});

function tryParse(text: string): boolean {
  try {
    value(text);
    return true;
  } catch {
    return false;
  }
}

/** The servers are `[mcp_servers.<name>]` tables (not inline, not dotted): removal is byte-exact. */
function tableServers(text: string): boolean {
  return Object.keys(servers(text)).every((n) => new RegExp(`^\\s*\\[mcp_servers\\.${n}\\]`, "m").test(text));
}

function firstDefinition(text: string, name: string): number {
  const candidates = [
    new RegExp(`^\\s*\\[mcp_servers\\.["']?${name}["']?[\\].]`, "m"),
    new RegExp(`^\\s*["']?${name}["']?\\s*[.=]`, "m"),
    new RegExp(`^\\s*mcp_servers\\.${name}\\.`, "m"),
  ];
  const hits = candidates.map((r) => r.exec(text)?.index ?? Number.POSITIVE_INFINITY);
  return Math.min(...hits);
}
