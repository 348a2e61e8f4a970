/**
 * A TOML file parsed by toml-eslint-parser: a syntax tree in which every table, key and value carries
 * its exact character range, so edits can splice text and leave every other byte alone.
 */
import { type AST, getStaticTOMLValue, parseTOML } from "toml-eslint-parser";
import { lineColumnAt, UsageError } from "../../errors.js";
import { lineEnding } from "../../text/line-ending.js";

type TOMLKey = AST.TOMLKey;
type TOMLKeyValue = AST.TOMLKeyValue;
type TOMLProgram = AST.TOMLProgram;
type TOMLTable = AST.TOMLTable;

export type KeyPath = readonly (string | number)[];

export interface TomlDocument {
  /** The text without a BOM; every offset refers to it. */
  text: string;
  bom: boolean;
  /** The file's own line ending (its first one; "\n" when it has none). */
  eol: "\n" | "\r\n";
  ast: TOMLProgram;
  /** The document's value, with TOML-only types made plain (big integers and dates as text). */
  value: Record<string, unknown>;
}

/**
 * Parse a file's text; a UsageError naming file:line:column when it is not TOML.
 *
 * The role jsonc-parser plays for JSON. The parser is strict (TOML 1.1, what Codex reads): a
 * duplicate key, a table defined twice or an unterminated string is an error with its line and
 * column, as Codex itself reports it. Tokens of any length are read (the build makes the parser's
 * per-character `String.fromCodePoint(...)` calls stack-safe: scripts/toml-parser-patch.mjs).
 */
export function parseTomlDocument(raw: string, file: string): TomlDocument {
  const bom = raw.charCodeAt(0) === 0xfeff;
  const text = bom ? raw.slice(1) : raw;
  let ast: TOMLProgram;
  try {
    ast = parseTOML(text);
  } catch (error) {
    // The parser descends once per level of nesting: thousands of levels exhaust the stack.
    // Codex refuses such a file too (its parser stops at a depth of about a hundred).
    if (error instanceof RangeError)
      throw new UsageError(
        "config-parse",
        `${file}: arrays or inline tables nested thousands of levels deep, more than mcp-twin can read; Codex refuses such nesting too.`,
        { location: { file }, hint: "Fix the file by hand; mcp-twin never edits a file it cannot read." },
      );
    const e = error as { message?: string; index?: number };
    const { line, column } = lineColumnAt(text, typeof e.index === "number" ? e.index : 0);
    const why = String(e.message ?? error).replace(/^./, (c) => c.toLowerCase());
    throw new UsageError("config-parse", `${file}:${line}:${column}: ${why}; the file is not valid TOML.`, {
      location: { file, line, column },
      hint: "Fix the file by hand (Codex refuses it too); mcp-twin never edits a file it cannot read.",
    });
  }
  const deep = tooDeepAt(ast);
  if (deep !== undefined) {
    const { line, column } = lineColumnAt(text, deep);
    throw new UsageError(
      "config-parse",
      `${file}:${line}:${column}: arrays or inline tables nested more than ${MAX_NESTING} levels deep; Codex refuses this file too ("cannot recurse further"), and mcp-twin does not read it.`,
      {
        location: { file, line, column },
        hint: "Fix the file by hand (Codex refuses it too); mcp-twin never edits a file it cannot read.",
      },
    );
  }
  const eol = lineEnding(text);
  return { text, bom, eol, ast, value: plain(getStaticTOMLValue(ast)) as Record<string, unknown> };
}

/**
 * Codex's limit (0.169: the 81st nested array or inline table is "cannot recurse further"): every
 * recursive step after parsing (the value, hashing, splicing) stays far from the stack's end.
 */
const MAX_NESTING = 80;

/** Where the first array or inline table deeper than MAX_NESTING opens, walked without recursion. */
function tooDeepAt(ast: TOMLProgram): number | undefined {
  const stack: Array<[AST.TOMLContentNode, number]> = [];
  for (const item of ast.body[0].body)
    for (const kv of item.type === "TOMLKeyValue" ? [item] : item.body) stack.push([kv.value, 0]);
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, outer] = next;
    if (node.type !== "TOMLArray" && node.type !== "TOMLInlineTable") continue;
    if (outer + 1 > MAX_NESTING) return node.range[0];
    const inner = node.type === "TOMLArray" ? node.elements : node.body.map((kv) => kv.value);
    for (const child of inner) stack.push([child, outer + 1]);
  }
  return undefined;
}

/** Values that JSON (hashes, state, output) can hold: dates as ISO text, unsafe integers as text. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (typeof value === "bigint")
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

function keyNames(key: TOMLKey): string[] {
  return key.keys.map((k: AST.TOMLBare | AST.TOMLQuoted) => (k.type === "TOMLBare" ? k.name : k.value));
}

/** The full key path a key/value pair defines (its table's key, then its own dotted key). */
export function kvPath(kv: TOMLKeyValue): KeyPath {
  const parent = kv.parent;
  const base = parent.type === "TOMLTable" ? parent.resolvedKey : [];
  return [...base, ...keyNames(kv.key)];
}

function startsWith(path: KeyPath, prefix: KeyPath): boolean {
  return prefix.length <= path.length && prefix.every((k, i) => path[i] === k);
}

/** Every place of the document that defines something at or under `prefix`. */
export interface Definitions {
  /** `[prefix…]` and `[[prefix…]]` tables (the prefix itself or deeper). */
  tables: TOMLTable[];
  /** Top-level or table key/value pairs whose full path is the prefix or under it. */
  pairs: TOMLKeyValue[];
  /** A pair above the prefix whose inline-table value holds it (`mcp_servers = { docs = … }`). */
  enclosing?: TOMLKeyValue;
}

export function definitionsOf(doc: TomlDocument, prefix: KeyPath): Definitions {
  const out: Definitions = { tables: [], pairs: [] };
  const visit = (kv: TOMLKeyValue) => {
    const path = kvPath(kv);
    if (startsWith(path, prefix)) out.pairs.push(kv);
    else if (startsWith(prefix, path) && !out.enclosing) out.enclosing = kv;
  };
  for (const item of doc.ast.body[0].body) {
    if (item.type === "TOMLKeyValue") {
      visit(item);
      continue;
    }
    if (startsWith(item.resolvedKey, prefix)) out.tables.push(item);
    for (const kv of item.body) visit(kv);
  }
  return out;
}

/** Line and column (1-based) of a node, for messages. */
export function position(doc: TomlDocument, offset: number): { line: number; column: number } {
  return lineColumnAt(doc.text, offset);
}

/** What a value at a path is, in words ("an array", "a string", …), for shape errors. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null || value === undefined) return "nothing";
  return `a ${typeof value === "object" ? "table" : typeof value === "number" ? "number" : typeof value}`;
}
