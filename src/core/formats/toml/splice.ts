/**
 * The TOML merge engine: set or remove `<serversPath>.<name>` entries by splicing text at the exact
 * ranges of the parsed tree; every byte that is not part of an edited entry stays.
 */
import type { AST } from "toml-eslint-parser";
import { UsageError } from "../../errors.js";
import { canonicalJson } from "../../text/canonical-json.js";
import type { EntryEdit } from "../json/merge.js";
import {
  type Definitions,
  definitionsOf,
  describeValue,
  type KeyPath,
  kvPath,
  parseTomlDocument,
  position,
  type TomlDocument,
} from "./document.js";
import { tomlKey, tomlKeyPath, tomlTableBlock, tomlValue } from "./serialize.js";

type Table = Record<string, unknown>;
type TOMLArray = AST.TOMLArray;
type TOMLContentNode = AST.TOMLContentNode;
type TOMLKeyValue = AST.TOMLKeyValue;
type TOMLTable = AST.TOMLTable;

/**
 * Kept: comments, key order, quoting styles, inline or sub-tables, blank lines, CRLF, a BOM,
 * trailing whitespace.
 *
 * Codex's own `[mcp_servers.<name>.tools.<tool>]`) that may sit anywhere in the file. Edits are
 * made key by key inside that table, in the style found there. An entry written another way (an
 * inline table, dotted keys) is rewritten in place or as a table; one inside an inline
 * `mcp_servers = { … }` cannot get a sibling table, and is refused.
 *
 * Every edit is checked by parsing the result: it must mean exactly the old document with these
 * entries changed, or nothing is returned (and nothing written).
 */
export function applyTomlEntryEdits(
  raw: string,
  serversPath: readonly string[],
  edits: readonly EntryEdit[],
  file: string,
  owned?: readonly string[],
): string {
  const first = parseTomlDocument(raw, file);
  let expected = first.value;
  let doc = first;
  for (const edit of edits) {
    const path = [...serversPath, edit.name];
    const current = valueAt(doc.value, path);
    if ("remove" in edit) {
      if (current === undefined) continue;
      doc = reparse(removeEntry(doc, path, file), file, first.bom);
      expected = withValue(expected, path, undefined);
      continue;
    }
    const wanted = owned && isTable(current) ? mergeOwned(current, edit.value as Table, owned) : edit.value;
    if (!isTable(wanted)) throw new Error(`servers.${edit.name}: an entry must be a table`);
    if (canonicalJson(current) === canonicalJson(wanted)) continue;
    // An entry's tables as a backup held them (restore): spliced back byte for byte when all else
    // means what it meant (the entry is then what they say, the client's own keys with it).
    const asWritten = "text" in edit && edit.text !== undefined ? withBlock(doc, path, edit.text) : undefined;
    const exact = asWritten === undefined ? undefined : besideAsBefore(asWritten, file, doc, path);
    if (exact) {
      doc = exact;
      expected = withValue(expected, path, valueAt(exact.value, path));
      continue;
    }
    const text =
      current === undefined
        ? addEntry(doc, path, wanted, file)
        : setEntry(doc, path, current as Table, wanted, file);
    doc = reparse(text, file, first.bom);
    expected = withValue(expected, path, wanted);
  }
  if (doc === first) return raw;
  verify(doc, expected, serversPath, file);
  return (first.bom ? "\uFEFF" : "") + doc.text;
}

/**
 * The text of `<serversPath>.<name>`'s tables as written in `raw` (a backup's, for restore to put
 * back byte for byte): undefined unless the entry is tables alone, one after the other.
 */
export function tomlEntryText(raw: string, serversPath: readonly string[], name: string, file: string) {
  try {
    const doc = parseTomlDocument(raw, file);
    const span = entrySpan(doc, [...serversPath, name]);
    return span ? doc.text.slice(span[0], span[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Where an entry's tables stand when they are all it is and nothing else stands between them. */
function entrySpan(doc: TomlDocument, path: KeyPath): [number, number] | undefined {
  const defs = definitionsOf(doc, path);
  const own = new Set(defs.tables);
  if (defs.enclosing || defs.tables.length === 0 || defs.pairs.some((kv) => !own.has(kv.parent as TOMLTable)))
    return undefined;
  const sorted = [...defs.tables].sort((a, b) => a.range[0] - b.range[0]);
  const start = lineStart(doc.text, sorted[0]?.range[0] ?? 0);
  const end = lineEnd(doc.text, sorted.at(-1)?.range[1] ?? 0);
  const between = doc.ast.body[0].body.some(
    (item) => item.range[0] >= start && item.range[0] < end && (item.type !== "TOMLTable" || !own.has(item)),
  );
  return between ? undefined : [start, end];
}

/** The entry's tables replaced by `block` (or, absent, added after the servers' last table). */
function withBlock(doc: TomlDocument, path: string[], block: string): string | undefined {
  const span = entrySpan(doc, path);
  if (span) return splice(doc.text, span[0], span[1] - span[0], block.replace(/\r?\n/g, doc.eol));
  if (valueAt(doc.value, path) !== undefined) return undefined;
  const defs = definitionsOf(doc, path.slice(0, -1));
  if (defs.enclosing || defs.pairs.some((kv) => kvPath(kv).length === path.length - 1)) return undefined;
  return insertBlock(doc, defs.tables.at(-1), block.replace(/\r?\n/g, doc.eol));
}

/** The document `text` is, when it holds the entry as a table and all else means what `was` meant. */
function besideAsBefore(
  text: string,
  file: string,
  was: TomlDocument,
  path: string[],
): TomlDocument | undefined {
  try {
    const doc = { ...parseTomlDocument(text, file), bom: was.bom };
    const rest = (d: TomlDocument) => canonicalJson(withValue(d.value, path, undefined));
    return isTable(valueAt(doc.value, path)) && rest(doc) === rest(was) ? doc : undefined;
  } catch {
    return undefined; // not this way: key by key
  }
}

function reparse(text: string, file: string, bom: boolean): TomlDocument {
  try {
    return { ...parseTomlDocument(text, file), bom };
  } catch (error) {
    throw refusal(file, `the edited text would not parse (${(error as Error).message})`);
  }
}

/** The result must mean the old document with exactly these entries changed. */
function verify(doc: TomlDocument, expected: Table, serversPath: readonly string[], file: string): void {
  // Removing the last `[servers.x]` table also removes the servers table it implied.
  const servers = valueAt(expected, serversPath);
  if (valueAt(doc.value, serversPath) === undefined && isTable(servers) && Object.keys(servers).length === 0)
    expected = withValue(expected, [...serversPath], undefined);
  if (canonicalJson(doc.value) !== canonicalJson(expected))
    throw refusal(file, "the edited text would not mean what was intended");
}

function refusal(file: string, why: string): UsageError {
  return new UsageError(
    "config-edit",
    `${file}: mcp-twin could not edit this file safely: ${why}; nothing was written.`,
    {
      location: { file },
      hint: "This is a bug in mcp-twin: please report it with the shape of the file (no secrets). Meanwhile edit the entry by hand.",
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Whole entries

/** A new entry: a `[path]` table after the last table of the servers, or at the end of the file. */
function addEntry(doc: TomlDocument, path: string[], value: Table, file: string): string {
  const servers = path.slice(0, -1);
  const defs = definitionsOf(doc, servers);
  const kv = defs.enclosing ?? defs.pairs.find((p) => kvPath(p).length === servers.length);
  if (kv) {
    const { line, column } = position(doc, kv.range[0]);
    throw new UsageError(
      "config-shape",
      `${file}:${line}:${column}: "${servers.join(".")}" is written as an inline table, which TOML does not let mcp-twin add a [${tomlKeyPath(path)}] table to.`,
      {
        location: { file, line, column },
        hint: `Write each server as its own [${tomlKeyPath([...servers, "<name>"])}] table; mcp-twin will not reformat your servers.`,
      },
    );
  }
  const indent = tableIndent(doc, defs.tables.at(-1));
  return insertBlock(doc, defs.tables.at(-1), tomlTableBlock(path, value, doc.eol, indent));
}

/** Insert a table block after `after` (the end of its last line), or at the end of the file. */
function insertBlock(doc: TomlDocument, after: TOMLTable | undefined, block: string): string {
  const { text, eol } = doc;
  const at = after ? lineEnd(text, after.range[1]) : lastContentEnd(text);
  if (at === undefined) return `${block}${eol}${text}`;
  return splice(text, at, 0, `${eol}${eol}${block}`);
}

/** Remove every definition of the entry: its tables, sub-tables and dotted keys. */
function removeEntry(doc: TomlDocument, path: string[], file: string): string {
  const defs = definitionsOf(doc, path);
  if (defs.enclosing) throw insideInline(doc, defs.enclosing, path, file);
  return withoutDefinitions(doc.text, defs);
}

/** The text without every definition in `defs`: its tables (header, body) and dotted keys outside them. */
function withoutDefinitions(text: string, defs: Definitions): string {
  return removeRanges(text, [
    ...defs.tables.map((t) => blockRange(text, t)),
    ...defs.pairs
      .filter((kv) => kv.parent.type !== "TOMLTable" || !defs.tables.includes(kv.parent))
      .map((kv) => pairRange(text, kv)),
  ]);
}

function insideInline(doc: TomlDocument, kv: TOMLKeyValue, path: string[], file: string): UsageError {
  const { line, column } = position(doc, kv.range[0]);
  return new UsageError(
    "config-shape",
    `${file}:${line}:${column}: "${path.join(".")}" sits inside the inline table "${kvPath(kv).join(".")}", which mcp-twin does not rewrite.`,
    {
      location: { file, line, column },
      hint: `Write the servers as [${tomlKeyPath([...path.slice(0, -1), "<name>"])}] tables, or edit this entry by hand.`,
    },
  );
}

/**
 * Change an existing entry to `wanted`. Its own `[path]` table is edited key by key; an entry
 * written as `name = { … }` keeps that shape; anything else is rewritten as a table.
 */
function setEntry(doc: TomlDocument, path: string[], current: Table, wanted: Table, file: string): string {
  const defs = definitionsOf(doc, path);
  if (defs.enclosing) throw insideInline(doc, defs.enclosing, path, file);
  const main = defs.tables.find((t) => t.kind === "standard" && t.resolvedKey.length === path.length);
  const outside = defs.pairs.filter(
    (kv) => kv.parent.type !== "TOMLTable" || !defs.tables.includes(kv.parent),
  );
  if (main && outside.length === 0 && defs.tables.every((t) => t === main || t.kind === "standard"))
    return editTableKeys(doc, path, main, current, wanted, file);
  const inline = outside.length === 1 && defs.tables.length === 0 ? outside[0] : undefined;
  if (inline && inline.value.type === "TOMLInlineTable" && kvPath(inline).length === path.length)
    return splice(
      doc.text,
      inline.value.range[0],
      inline.value.range[1] - inline.value.range[0],
      tomlValue(wanted),
    );
  // Dotted keys, or a table mixed with them: the entry becomes one table where the servers are.
  const removed = reparse(removeEntry(doc, path, file), file, doc.bom);
  return addEntry(removed, path, wanted, file);
}

/** One key at a time inside `[path]`: each change is parsed again before the next one. */
function editTableKeys(
  doc: TomlDocument,
  path: string[],
  table: TOMLTable,
  current: Table,
  wanted: Table,
  file: string,
): string {
  let d = doc;
  let main = table;
  const redo = (text: string) => {
    d = reparse(text, file, d.bom);
    const again = definitionsOf(d, path).tables.find(
      (t) => t.kind === "standard" && t.resolvedKey.length === path.length,
    );
    // The table edited keeps its header: only keys inside it change.
    if (!again) throw new Error(`[${tomlKeyPath(path)}] is gone after an edit of its keys`);
    main = again;
  };
  const keys = [...new Set([...Object.keys(current), ...Object.keys(wanted)])];
  const added: string[] = [];
  for (const key of keys) {
    const now = current[key];
    const next = wanted[key];
    if (canonicalJson(now) === canonicalJson(next)) continue;
    const defs = definitionsOf(d, [...path, key]);
    if (next === undefined) {
      redo(withoutDefinitions(d.text, defs));
      continue;
    }
    const [pair] = defs.pairs;
    const single =
      pair && defs.tables.length === 0 && defs.pairs.length === 1 && kvPath(pair).length === path.length + 1
        ? pair
        : undefined;
    if (single) {
      redo(
        splice(
          d.text,
          single.value.range[0],
          single.value.range[1] - single.value.range[0],
          valueLike(d, single.value, next),
        ),
      );
      continue;
    }
    const [onlyTable] = defs.tables;
    const sub =
      onlyTable &&
      defs.tables.length === 1 &&
      onlyTable.kind === "standard" &&
      onlyTable.resolvedKey.length === path.length + 1 &&
      defs.pairs.every((kv) => kv.parent === onlyTable)
        ? onlyTable
        : undefined;
    if (sub && isTable(next) && Object.values(next).every((v) => !isTable(v))) {
      redo(rewriteTableBody(d, sub, next));
      continue;
    }
    if (now !== undefined) redo(withoutDefinitions(d.text, defs));
    added.push(key);
  }
  if (added.length > 0) {
    const indent = tableIndent(d, main);
    const last = main.body.at(-1);
    const at = lineEnd(d.text, last ? last.range[1] : main.key.range[1]);
    const lines = added.map((k) => `${d.eol}${indent}${tomlKey(k)} = ${tomlValue(wanted[k])}`).join("");
    redo(splice(d.text, at, 0, lines));
  }
  return d.text;
}

/** `[path.env]` and its lines: the lines replaced, the header kept. */
function rewriteTableBody(doc: TomlDocument, table: TOMLTable, value: Table): string {
  const indent = tableIndent(doc, table);
  const start = lineEnd(doc.text, table.key.range[1]);
  const last = table.body.at(-1);
  const end = last ? lineEnd(doc.text, last.range[1]) : start;
  const lines = Object.entries(value).map(([k, v]) => `${doc.eol}${indent}${tomlKey(k)} = ${tomlValue(v)}`);
  return splice(doc.text, start, end - start, lines.join(""));
}

/** A new value written the way the old one was: a multi-line array stays multi-line. */
function valueLike(doc: TomlDocument, old: TOMLContentNode, value: unknown): string {
  if (old.type === "TOMLArray" && Array.isArray(value) && spansLines(doc.text, old)) {
    const first = old.elements[0];
    const indent = first ? lineIndent(doc.text, first.range[0]) : `${lineIndent(doc.text, old.range[0])}  `;
    return tomlValue(value, {
      multiline: {
        indent,
        close: lineIndent(doc.text, old.range[1] - 1),
        eol: doc.eol,
        trailingComma: hasTrailingComma(doc.text, old),
      },
    });
  }
  return tomlValue(value);
}

function spansLines(text: string, node: TOMLArray): boolean {
  return text.slice(node.range[0], node.range[1]).includes("\n");
}

function hasTrailingComma(text: string, node: TOMLArray): boolean {
  const last = node.elements.at(-1);
  if (!last) return false;
  return /^\s*,/.test(stripComments(text.slice(last.range[1], node.range[1] - 1)));
}

function stripComments(s: string): string {
  return s.replace(/#[^\n]*/g, "");
}

// ---------------------------------------------------------------------------------------------
// Values

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function valueAt(root: Table, path: KeyPath): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (!isTable(v) || !Object.hasOwn(v, k)) return undefined;
    v = v[k as string];
  }
  return v;
}

function withValue(root: Table, path: string[], value: unknown): Table {
  const [head, ...rest] = path as [string, ...string[]];
  const copy = { ...root };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  copy[head] = withValue(isTable(root[head]) ? (root[head] as Table) : {}, rest, value);
  return copy;
}

/** The owned keys from `wanted`, every other key of the entry as it is. */
function mergeOwned(current: Table, wanted: Table, owned: readonly string[]): Table {
  const out: Table = {};
  for (const [k, v] of Object.entries(current)) if (!owned.includes(k)) out[k] = v;
  for (const [k, v] of Object.entries(wanted)) out[k] = v;
  return out;
}

/** Why the servers path holds no table, or undefined when it does (or is absent). */
export function shapeProblem(
  doc: TomlDocument,
  serversPath: readonly string[],
): { message: string; offset: number } | undefined {
  const value = valueAt(doc.value, serversPath);
  if (value === undefined || isTable(value)) return undefined;
  const defs = definitionsOf(doc, serversPath);
  const offset = defs.tables[0]?.range[0] ?? defs.pairs[0]?.range[0] ?? defs.enclosing?.range[0] ?? 0;
  return { message: `"${serversPath.join(".")}" is ${describeValue(value)}, not a table of servers`, offset };
}

// ---------------------------------------------------------------------------------------------
// Text

function splice(text: string, at: number, remove: number, insert: string): string {
  return text.slice(0, at) + insert + text.slice(at + remove);
}

/** Remove ranges (any order, no overlaps). */
function removeRanges(text: string, ranges: Array<[number, number]>): string {
  let out = text;
  for (const [a, b] of [...ranges].sort((x, y) => y[0] - x[0])) out = out.slice(0, a) + out.slice(b);
  return out;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** The end of the line holding `offset`, before its line ending. */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  if (nl === -1) return text.length;
  return text[nl - 1] === "\r" ? nl - 1 : nl;
}

/** The offset just after the line ending of the line holding `offset` (or the end of the text). */
function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl === -1 ? text.length : nl + 1;
}

function lineIndent(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))?.[0] ?? "";
}

function isBlankLine(text: string, start: number): boolean {
  return text.slice(start, lineEnd(text, start)).trim() === "";
}

/** The end of the last line with something on it; undefined for a blank file. */
function lastContentEnd(text: string): number | undefined {
  const trimmed = text.replace(/\s+$/, "");
  return trimmed.length === 0 ? undefined : lineEnd(text, trimmed.length - 1);
}

/** The indent of a table's keys (that of its first key, else of its header). */
function tableIndent(doc: TomlDocument, table: TOMLTable | undefined): string {
  if (!table) return "";
  const first = table.body[0];
  return lineIndent(doc.text, first ? first.range[0] : table.range[0]);
}

/**
 * The range a table takes (its header to the end of its last key's line), with the line break and
 * blank line that set it apart, so that removing what insertBlock added gives back the same bytes.
 */
function blockRange(text: string, table: TOMLTable): [number, number] {
  const start = lineStart(text, table.range[0]);
  const end = lineEnd(text, table.range[1]);
  if (start === 0) {
    // First in the file: take its lines and one blank line after.
    let after = nextLineStart(text, end);
    if (after < text.length && isBlankLine(text, after)) after = nextLineStart(text, after);
    return [0, after];
  }
  // From the end of the previous line (over one blank line) to the end of the last line.
  let from = start - (text[start - 2] === "\r" ? 2 : 1);
  const prevStart = lineStart(text, from);
  if (prevStart > 0 && isBlankLine(text, prevStart))
    from = prevStart - (text[prevStart - 2] === "\r" ? 2 : 1);
  return [from, end];
}

/** A key/value pair's lines (it may span several: arrays, multi-line strings). */
function pairRange(text: string, kv: TOMLKeyValue): [number, number] {
  const start = lineStart(text, kv.range[0]);
  const end = lineEnd(text, kv.range[1]);
  if (end === text.length && start > 0) return [start - (text[start - 2] === "\r" ? 2 : 1), end];
  return [start, nextLineStart(text, end)];
}
