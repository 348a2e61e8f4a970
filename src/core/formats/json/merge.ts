/**
 * The merge engine: one config file's text in, edited text out, every byte we do not own (comments,
 * key order, spacing, CRLF, BOM) kept.
 */
import { applyEdits, getNodeValue, modify, type Node, type ParseError, parseTree } from "jsonc-parser";
import { lineColumnAt, UsageError } from "../../errors.js";
import { describeParseError } from "../../text/parse-errors.js";

export interface TextFormat {
  bom: boolean;
  eol: "\n" | "\r\n";
  /** One level of indentation: "\t" or some spaces. */
  indent: string;
  /** The whole document sits on one line: insert minified JSON. */
  compact: boolean;
}

export interface ParsedConfig {
  /** Text without BOM. All offsets refer to it. */
  text: string;
  format: TextFormat;
  /** Undefined for an empty (or comment-only) file, which counts as an empty config. */
  root: Node | undefined;
  /**
   * The document's value when the text is strict JSON (JSON.parse took it), else undefined.
   * Reading entries needs no syntax tree then: jsonc-parser's scanner runs cold at every start,
   * JSON.parse is native (docs/dev/performance.md). The tree (`root`) is built on first use.
   */
  value?: unknown;
}

export type JsonPath = readonly string[];

/**
 * Set or remove `serversPath.<name>`. A set may carry `text`: the value exactly as it was written
 * (from a backup; it must parse to `value`), spliced in instead of mcp-twin's own layout, with
 * the file's line endings.
 */
export type EntryEdit = { name: string; value: unknown; text?: string } | { name: string; remove: true };

const PARSE_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true };

// sync parses each target once to validate it and once to plan it: remember the last few.
const recent = new Map<string, ParsedConfig>();

/** Parse a config file's text; throw a UsageError naming file:line:column when it is not JSON(C). */
export function parseConfig(raw: string, file: string): ParsedConfig {
  const key = `${file}\u0000${raw}`;
  const hit = recent.get(key);
  if (hit) return hit;
  const parsed = parseUncached(raw, file);
  recent.set(key, parsed);
  if (recent.size > 32) recent.delete(recent.keys().next().value!);
  return parsed;
}

function parseUncached(raw: string, file: string): ParsedConfig {
  const bom = raw.charCodeAt(0) === 0xfeff;
  const text = bom ? raw.slice(1) : raw;
  assertDepth(text, file);
  const value = strictJson(text);
  if (isJsonObject(value)) {
    // Tree and format are only needed to edit: built on first use.
    let tree: Node | undefined;
    let format: TextFormat | undefined;
    return {
      text,
      value,
      get format() {
        format ??= detectFormat(text, bom);
        return format;
      },
      get root() {
        // A JSON object always parses to a node, so "not built yet" is just undefined.
        tree ??= parseTree(text, [], PARSE_OPTIONS);
        return tree;
      },
    };
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, PARSE_OPTIONS);
  const first = errors[0];
  if (first) {
    const { line, column } = lineColumnAt(text, first.offset);
    throw new UsageError(
      "config-parse",
      `${file}:${line}:${column}: ${describeParseError(first)}; the file is not valid JSON.`,
      {
        location: { file, line, column },
        hint: "Fix it by hand at that line and column; mcp-twin never edits a file it cannot read.",
      },
    );
  }
  if (root && root.type !== "object") {
    const { line, column } = lineColumnAt(text, root.offset);
    throw new UsageError(
      "config-shape",
      `${file}:${line}:${column}: expected a JSON object at the top level, found ${root.type}.`,
      {
        location: { file, line, column },
        hint: 'A client config must be an object such as { "mcpServers": {} }.',
      },
    );
  }
  return { text, root, format: detectFormat(text, bom) };
}

/**
 * Deeper than any config needs, shallow enough for every recursive step after parsing (the syntax
 * tree, structuredClone, hashing): a 5,000-deep file is a config error (exit 2), not a crash.
 */
const MAX_DEPTH = 512;

function assertDepth(text: string, file: string): void {
  // Cheap first: a file with fewer brackets than the limit cannot be too deep.
  let brackets = 0;
  for (let i = text.indexOf("{"); i !== -1 && brackets <= MAX_DEPTH; i = text.indexOf("{", i + 1)) brackets++;
  for (let i = text.indexOf("["); i !== -1 && brackets <= MAX_DEPTH; i = text.indexOf("[", i + 1)) brackets++;
  if (brackets <= MAX_DEPTH) return;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
      while (i < text.length && text.charCodeAt(i) !== 0x0a) i++;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      const end = text.indexOf("*/", i + 2);
      i = end === -1 ? text.length : end + 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH) {
        const { line, column } = lineColumnAt(text, i);
        throw new UsageError(
          "config-parse",
          `${file}:${line}:${column}: nested more than ${MAX_DEPTH} levels deep; mcp-twin does not read a file this deep.`,
          {
            location: { file, line, column },
            hint: "A client config is a few levels deep: this file was damaged or generated by mistake. Fix it by hand (or restore it: `mcp-twin restore <file>`).",
          },
        );
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

/** Detect line ending, indent unit and layout from the file itself. */
export function detectFormat(text: string, bom = false): TextFormat {
  const lf = text.indexOf("\n");
  const eol: TextFormat["eol"] = lf > 0 && text[lf - 1] === "\r" ? "\r\n" : "\n";
  const trimmed = text.trim();
  const compact = trimmed.length > 0 && !trimmed.includes("\n");
  return { bom, eol, indent: detectIndent(text), compact };
}

function detectIndent(text: string): string {
  let smallest = Number.POSITIVE_INFINITY;
  for (const line of text.split("\n")) {
    const match = /^([ \t]+)\S/.exec(line);
    if (!match) continue;
    const ws = match[1]!;
    if (ws.startsWith("\t")) return "\t";
    if (ws.length < smallest) smallest = ws.length;
  }
  return Number.isFinite(smallest) ? " ".repeat(smallest) : "  ";
}

/** The value of strict JSON text; undefined when it is not (comments, trailing commas, empty). */
function strictJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The node at a path of object keys; with duplicate keys the last one wins, as in JSON.parse. */
export function findNode(root: Node | undefined, path: JsonPath): Node | undefined {
  let node = root;
  for (const key of path) {
    if (node?.type !== "object") return undefined;
    node = findProperty(node, key)?.children?.[1];
  }
  return node;
}

function findProperty(object: Node, key: string): Node | undefined {
  const props = object.children ?? [];
  for (let i = props.length - 1; i >= 0; i--) {
    const prop = props[i]!;
    if (prop.children?.[0]?.value === key) return prop;
  }
  return undefined;
}

/**
 * The entries under `serversPath` as parsed values ({} when the key is absent).
 * Throws when the key holds something other than an object.
 */
export function readEntries(
  parsed: ParsedConfig,
  serversPath: JsonPath,
  file: string,
): Record<string, unknown> {
  if (parsed.value !== undefined) {
    let value: unknown = parsed.value;
    for (const key of serversPath) {
      value = isJsonObject(value) && Object.hasOwn(value, key) ? value[key] : undefined;
      if (value === undefined) return {};
    }
    // A fresh copy per call, as getNodeValue gives: the parsed document is cached and shared.
    if (isJsonObject(value)) return structuredClone(value);
    // Not an object: the tree gives the error its line and column.
  }
  const node = findNode(parsed.root, serversPath);
  if (!node) return {};
  assertObject(parsed.text, node, serversPath, file);
  return getNodeValue(node) as Record<string, unknown>;
}

function assertObject(text: string, node: Node, path: JsonPath, file: string): void {
  if (node.type === "object") return;
  const { line, column } = lineColumnAt(text, node.offset);
  throw new UsageError(
    "config-shape",
    `${file}:${line}:${column}: "${path.join(".")}" is ${node.type === "array" ? "an array" : `a ${node.type}`}, not an object of servers.`,
    {
      location: { file, line, column },
      hint: `Make "${path.join(".")}" an object ({ "name": { ... } }) or remove it; mcp-twin will not guess.`,
    },
  );
}

/**
 * Apply entry edits (set or remove `serversPath.<name>`) to a file's text; returns the new text.
 *
 * We never re-serialise a user's file. We locate the one property we own with jsonc-parser's
 * syntax tree and splice new text in at exact offsets, so every other byte (comments, key order,
 * odd spacing, CRLF, BOM, trailing whitespace, final newline or not) survives untouched. The text
 * we insert follows the file's own style: its indent unit (tabs or N spaces), its line ending, and
 * single-line layout for minified files. jsonc-parser's own `modify()` is not used for inserts
 * because its formatter re-flows sibling entries.
 */
export function applyEntryEdits(
  raw: string,
  serversPath: JsonPath,
  edits: readonly EntryEdit[],
  file: string,
): string {
  let parsed = parseConfig(raw, file);
  for (const edit of edits) {
    const text =
      "remove" in edit
        ? removeProperty(parsed, [...serversPath, edit.name], file)
        : setProperty(parsed, serversPath, edit.name, edit.value, file, edit.text);
    parsed = { ...parsed, text, root: parseTree(text, [], PARSE_OPTIONS) };
  }
  return (parsed.format.bom ? "\uFEFF" : "") + parsed.text;
}

/**
 * Remove the servers object itself (`mcpServers`) when it is empty: uninstall does this when the
 * file had no such key before mcp-twin added it, so the file comes back byte for byte.
 */
export function removeEmptyServers(raw: string, serversPath: JsonPath, file: string): string {
  const parsed = parseConfig(raw, file);
  const node = findNode(parsed.root, serversPath);
  if (node?.type !== "object" || (node.children ?? []).length > 0) return raw;
  return (parsed.format.bom ? "\uFEFF" : "") + removeProperty(parsed, serversPath, file);
}

/**
 * The exact text of `serversPath.<name>`'s value in a file (comments and layout inside it
 * included); undefined when the file does not parse or has no such entry.
 */
export function entryText(
  raw: string,
  serversPath: JsonPath,
  name: string,
  file: string,
): string | undefined {
  try {
    const parsed = parseConfig(raw, file);
    const node = findNode(parsed.root, [...serversPath, name]);
    return node ? parsed.text.slice(node.offset, node.offset + node.length) : undefined;
  } catch {
    return undefined;
  }
}

function setProperty(
  parsed: ParsedConfig,
  parentPath: JsonPath,
  key: string,
  value: unknown,
  file: string,
  written?: string,
): string {
  const { text, root, format } = parsed;
  // Text as written keeps its layout; only its line endings follow the file's.
  const asWritten = written?.replace(/\r?\n/g, format.eol);
  if (!root) return emptyDocument(text, parentPath, key, value, format);
  const parent = findNode(root, parentPath);
  if (!parent) {
    // Create the missing parent (e.g. "mcpServers") holding just this entry.
    const grand = parentPath.slice(0, -1);
    const last = parentPath[parentPath.length - 1]!;
    return setProperty(parsed, grand, last, { [key]: value }, file);
  }
  assertObject(text, parent, parentPath, file);
  const existing = findProperty(parent, key);
  if (existing?.children?.[1]) {
    const valueNode = existing.children[1];
    const indent = lineIndentAt(text, existing.offset);
    const replacement =
      asWritten ??
      (format.compact ? inlineJson(value, inlineStyle(text, parent)) : serialize(value, indent, format));
    return splice(text, valueNode.offset, valueNode.length, replacement);
  }
  return insertProperty(text, parent, key, value, format, asWritten);
}

/** Text for a file that had no JSON at all (empty, whitespace, or only comments). */
function emptyDocument(
  text: string,
  path: JsonPath,
  key: string,
  value: unknown,
  format: TextFormat,
): string {
  let doc: unknown = { [key]: value };
  for (let i = path.length - 1; i >= 0; i--) doc = { [path[i]!]: doc };
  const eol = format.eol;
  const body = JSON.stringify(doc, null, format.indent).split("\n").join(eol);
  const prefix = text.trim().length === 0 ? "" : text.endsWith("\n") ? text : text + eol;
  return prefix + body + eol;
}

function insertProperty(
  text: string,
  object: Node,
  key: string,
  value: unknown,
  format: TextFormat,
  asWritten?: string,
): string {
  const props = object.children ?? [];
  const open = object.offset;
  const close = object.offset + object.length - 1;
  const keyText = JSON.stringify(key);
  const sameLineAsBrace = (offset: number) => !text.slice(open, offset).includes("\n");

  if (props.length === 0) {
    const inner = text.slice(open + 1, close);
    const indent = lineIndentAt(text, open);
    if (!inner.includes("\n")) {
      if (format.compact || inner.trim().length > 0) {
        // `{}` on a one-line file (or `{ /* c */ }`): stay on one line, in the file's own spacing.
        const style = inlineStyle(text, object);
        return splice(
          text,
          close,
          0,
          `${inner.trim().length > 0 ? " " : ""}${keyText}${style.colon}${asWritten ?? inlineJson(value, style)}`,
        );
      }
      const child = indent + format.indent;
      const body = `${format.eol}${child}${keyText}: ${asWritten ?? serialize(value, child, format)}${format.eol}${indent}`;
      return splice(text, open + 1, close - open - 1, body);
    }
    // `{\n  }` (possibly with a comment after the brace): add a line after the brace's line.
    const at = endOfLine(text, open + 1);
    const child = indent + format.indent;
    return splice(
      text,
      at,
      0,
      `${format.eol}${child}${keyText}: ${asWritten ?? serialize(value, child, format)}`,
    );
  }

  const last = props[props.length - 1]!;
  const lastEnd = last.offset + last.length;
  const afterLast = skipTrivia(text, lastEnd);
  const hasTrailingComma = text[afterLast] === ",";
  const commaEnd = hasTrailingComma ? afterLast + 1 : lastEnd;

  // A file that ends its lists with a trailing comma gets one after our entry too, so removing
  // the entry later gives back the same bytes.
  const trailing = hasTrailingComma ? "," : "";
  if (format.compact || sameLineAsBrace(props[0]!.offset)) {
    // Single-line object: `{"a": 1}` -> `{"a": 1, "b": 2}`, `{"a":1}` -> `{"a":1,"b":2}`: the
    // spacing the file itself uses after its commas and colons.
    const style = inlineStyle(text, object);
    const gap = style.comma.slice(1);
    const entry = `${keyText}${style.colon}${asWritten ?? inlineJson(value, style)}`;
    return hasTrailingComma
      ? splice(text, commaEnd, 0, `${gap}${entry}${trailing}`)
      : splice(text, lastEnd, 0, `${style.comma}${entry}`);
  }

  const indent = startsLine(text, last.offset)
    ? lineIndentAt(text, last.offset)
    : lineIndentAt(text, open) + format.indent;
  const entry = `${keyText}: ${asWritten ?? serialize(value, indent, format)}${trailing}`;
  // Put the new entry on its own line after the last one, keeping any comment that ends that line.
  const lineEnd = endOfLine(text, commaEnd);
  const restOfLine = text.slice(commaEnd, lineEnd);
  const onlyComment = /^\s*(\/\/.*|\/\*.*\*\/\s*)?$/.test(restOfLine);
  let out = text;
  if (onlyComment) {
    out = splice(out, lineEnd, 0, `${format.eol}${indent}${entry}`);
  } else {
    // Something else follows on that line (e.g. the closing brace): insert right after the comma.
    out = splice(out, commaEnd, 0, `${hasTrailingComma ? "" : ","}${format.eol}${indent}${entry}`);
    return out;
  }
  return hasTrailingComma ? out : splice(out, lastEnd, 0, ",");
}

function removeProperty(parsed: ParsedConfig, path: JsonPath, file: string): string {
  const { text, root } = parsed;
  const parent = findNode(root, path.slice(0, -1));
  if (parent?.type !== "object") return text;
  const prop = findProperty(parent, path[path.length - 1]!);
  if (!prop) return text;
  const props = parent.children ?? [];
  const index = props.indexOf(prop);
  const end = prop.offset + prop.length;
  const after = skipTrivia(text, end);
  const followedByComma = text[after] === ",";
  const lineStart = startOfLine(text, prop.offset);
  const restStart = followedByComma ? after + 1 : end;
  const lineEnd = endOfLine(text, restStart);

  // Whole-line removal when the entry owns its lines and nothing else shares them.
  if (startsLine(text, prop.offset) && text.slice(restStart, lineEnd).trim() === "") {
    const removeEnd = lineEnd < text.length ? lineEnd + (text[lineEnd] === "\r" ? 2 : 1) : lineEnd;
    let out = splice(text, lineStart, removeEnd - lineStart, "");
    const isLast = index === props.length - 1;
    if (isLast && !followedByComma && index > 0) {
      // The previous entry's separating comma now dangles: drop it.
      const prev = props[index - 1]!;
      const comma = skipTrivia(out, prev.offset + prev.length);
      if (out[comma] === ",") out = splice(out, comma, 1, "");
    }
    if (props.length === 1) {
      // `{` and `}` now enclose only whitespace: collapse a multi-line empty object to `{}`.
      const open = parent.offset;
      const closeAt = out.indexOf("}", open);
      if (closeAt !== -1 && out.slice(open + 1, closeAt).trim() === "")
        out = splice(out, open + 1, closeAt - open - 1, "");
    }
    return out;
  }
  // Inline entry: let jsonc-parser remove it without formatting anything else.
  void file;
  return applyEdits(text, modify(text, [...path], undefined, {}));
}

/** How a file spaces JSON written on one line: `{"a":1,"b":2}` or `{"a": 1, "b": 2}`. */
interface InlineStyle {
  /** The colon with the spaces around it, e.g. ":" or ": ". */
  colon: string;
  /** The comma with the spaces after it, e.g. "," or ", ". */
  comma: string;
}

/**
 * The spacing of `object` (an object of the parsed tree), else of the nearest object or array
 * around it that shows one, else `": "` and `", "`.
 */
function inlineStyle(text: string, object: Node): InlineStyle {
  let colon: string | undefined;
  let comma: string | undefined;
  const look = (node: Node) => {
    const children = node.children ?? [];
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      if (colon === undefined && child.type === "property" && child.children?.[1]) {
        const key = child.children[0]!;
        const between = text.slice(key.offset + key.length, child.children[1].offset);
        if (/^[ \t]*:[ \t]*$/.test(between)) colon = between;
      }
      if (comma === undefined && i > 0) {
        const prev = children[i - 1]!;
        const between = text.slice(prev.offset + prev.length, child.offset);
        if (/^,[ \t]*$/.test(between)) comma = between;
      }
    }
  };
  // This object first, then its values' (an entry's own `{"command":…}`), then the ones around it.
  look(object);
  for (const prop of object.children ?? []) if (prop.children?.[1]) look(prop.children[1]);
  for (let up = object.parent; up && (colon === undefined || comma === undefined); up = up.parent) look(up);
  return { colon: colon ?? ": ", comma: comma ?? ", " };
}

/** JSON on one line, spaced as `style` says. */
function inlineJson(value: unknown, style: InlineStyle): string {
  if (Array.isArray(value)) return `[${value.map((v) => inlineJson(v, style)).join(style.comma)}]`;
  if (value && typeof value === "object")
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}${style.colon}${inlineJson(v, style)}`)
      .join(style.comma)}}`;
  return JSON.stringify(value);
}

/** JSON for a value placed at a line whose indentation is `indent`. */
function serialize(value: unknown, indent: string, format: TextFormat): string {
  if (format.compact) return JSON.stringify(value);
  return JSON.stringify(value, null, format.indent)
    .split("\n")
    .join(format.eol + indent);
}

function splice(text: string, at: number, remove: number, insert: string): string {
  return text.slice(0, at) + insert + text.slice(at + remove);
}

function startOfLine(text: string, offset: number): number {
  const nl = text.lastIndexOf("\n", offset - 1);
  return nl + 1;
}

function endOfLine(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  if (nl === -1) return text.length;
  return text[nl - 1] === "\r" ? nl - 1 : nl;
}

function lineIndentAt(text: string, offset: number): string {
  const start = startOfLine(text, offset);
  return /^[ \t]*/.exec(text.slice(start))![0];
}

function startsLine(text: string, offset: number): boolean {
  return text.slice(startOfLine(text, offset), offset).trim() === "";
}

/** Skip whitespace and comments from `offset`; returns the offset of the next token. */
function skipTrivia(text: string, offset: number): number {
  let i = offset;
  while (i < text.length) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close === -1 ? text.length : close + 2;
    } else {
      break;
    }
  }
  return i;
}
