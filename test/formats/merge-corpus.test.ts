/**
 * The merge engine against real configs people wrote (../shared/corpus/configs) and variants
 * derived from them (CRLF, BOM, tabs, comments, trailing commas, empty files): our entry goes in,
 * every other byte stays, a second run changes nothing, and removing our entry gives the file back.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { diffChars } from "diff";
import { parse } from "jsonc-parser";
import { describe, expect, test } from "vitest";
import { UsageError } from "../../src/core/errors.js";
import { applyEntryEdits, parseConfig, readEntries } from "../../src/core/formats/json/merge.js";

// A copy of ../shared/corpus/configs (real configs people wrote, secrets redacted), byte for byte.
const CORPUS = path.resolve(__dirname, "../fixtures/corpus");
const files = readdirSync(CORPUS).filter((f) => f.endsWith(".json"));
const ENTRY = {
  command: "/usr/bin/node",
  args: ["/home/bob/.npm-global/lib/node_modules/tavily-mcp/build/index.js"],
  env: { TAVILY_API_KEY: "tvly-123" },
};
const serversPath = (file: string) => (file.startsWith("vscode--") ? ["servers"] : ["mcpServers"]);
const jsonc = (text: string) => parse(text.replace(/^\uFEFF/, ""), [], { allowTrailingComma: true });

interface Variant {
  name: string;
  make: (text: string) => string;
}

const variants: Variant[] = [
  { name: "as written", make: (t) => t },
  { name: "CRLF", make: (t) => t.replace(/\r?\n/g, "\r\n") },
  { name: "BOM", make: (t) => `\uFEFF${t}` },
  {
    name: "tabs",
    make: (t) => t.replace(/^( +)/gm, (s) => "\t".repeat(Math.max(1, Math.round(s.length / 2)))),
  },
  {
    name: "comments",
    make: (t) => t.replace(/\{(\r?\n)/, "{ // keep me$1").replace(/(\r?\n)\}(\s*)$/, "$1  /* and me */$1}$2"),
  },
  {
    name: "trailing commas",
    make: (t) => t.replace(/("[^"\n]*"|\d|true|false|null|\]|\})(\s*\r?\n\s*[}\]])/g, "$1,$2"),
  },
  { name: "no final newline", make: (t) => t.replace(/\s+$/, "") },
];

const parsable = files.filter((f) => {
  try {
    parseConfig(readFileSync(path.join(CORPUS, f), "utf8"), f);
    return true;
  } catch {
    return false;
  }
});

test("the corpus is all here (15 files, one of them not JSON)", () => {
  expect(files.length).toBeGreaterThanOrEqual(15);
  expect(files.length - parsable.length).toBe(1);
});

describe.each(parsable)("%s", (file) => {
  const original = readFileSync(path.join(CORPUS, file), "utf8");
  const sp = serversPath(file);

  test.each(variants)("$name: adds our entry and changes nothing else", ({ make }) => {
    const before = make(original);
    const after = applyEntryEdits(before, sp, [{ name: "mcp-twin-test", value: ENTRY }], file);

    // Only insertions: not one character of the user's text is removed or changed.
    const removed = diffChars(before, after).filter((part) => part.removed);
    expect(removed).toEqual([]);

    // All original values kept; ours added.
    const was = jsonc(before) as Record<string, unknown>;
    const now = jsonc(after) as Record<string, unknown>;
    for (const key of Object.keys(was)) if (key !== sp[0]) expect(now[key]).toEqual(was[key]);
    expect((now[sp[0]!] as Record<string, unknown>)["mcp-twin-test"]).toEqual(ENTRY);
    const oldServers = (was[sp[0]!] ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(oldServers))
      expect((now[sp[0]!] as Record<string, unknown>)[name]).toEqual(value);

    // Format kept: BOM, line endings, final newline.
    expect(after.startsWith("\uFEFF")).toBe(before.startsWith("\uFEFF"));
    if (before.includes("\r\n")) expect(after.replace(/\r\n/g, "").includes("\n")).toBe(false);
    else expect(after.includes("\r")).toBe(before.includes("\r"));
    expect(/\n\s*$/.test(after.slice(-3))).toBe(/\n\s*$/.test(before.slice(-3)));

    // Idempotent: the same edit again changes nothing.
    expect(applyEntryEdits(after, sp, [{ name: "mcp-twin-test", value: ENTRY }], file)).toBe(after);

    // Removing our entry gives back the same parsed document (plus the servers object when the
    // file had none), and exactly the same bytes whenever the servers object already had entries.
    const back = applyEntryEdits(after, sp, [{ name: "mcp-twin-test", remove: true }], file);
    expect(jsonc(back)).toEqual(sp[0]! in was ? was : { ...was, [sp[0]!]: {} });
    if (Object.keys(oldServers).length > 0) expect(back).toBe(before);
  });

  test("updating our entry rewrites only its value", () => {
    const first = applyEntryEdits(original, sp, [{ name: "mcp-twin-test", value: ENTRY }], file);
    const second = applyEntryEdits(
      first,
      sp,
      [{ name: "mcp-twin-test", value: { ...ENTRY, args: ["/other.js"] } }],
      file,
    );
    expect(readEntries(parseConfig(second, file), sp, file)["mcp-twin-test"]).toEqual({
      ...ENTRY,
      args: ["/other.js"],
    });
    const start = first.indexOf('"mcp-twin-test"');
    expect(second.slice(0, start)).toBe(first.slice(0, start));
  });
});

test("the file that is not JSON is refused with its path, line and column, and left as it was", () => {
  const file = files.find((f) => !parsable.includes(f))!;
  const text = readFileSync(path.join(CORPUS, file), "utf8");
  let error: unknown;
  try {
    applyEntryEdits(text, ["mcpServers"], [{ name: "x", value: ENTRY }], file);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).location).toEqual({ file, line: 1, column: 1 });
  expect((error as UsageError).message).toMatch(new RegExp(`^${file.replace(/[.]/g, "\\.")}:1:1: `));
  expect(readFileSync(path.join(CORPUS, file), "utf8")).toBe(text);
});

test('a server literally named "servers" does not fool the engine', () => {
  const file = files.find((f) => f.includes("Cival-Dashboard"))!;
  const text = readFileSync(path.join(CORPUS, file), "utf8");
  const entries = readEntries(parseConfig(text, file), ["mcpServers"], file);
  expect(Object.keys(entries)).toContain("servers");
  expect(Object.keys(entries)).toHaveLength(19);
});
