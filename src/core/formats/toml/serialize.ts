/**
 * TOML text for the values mcp-twin writes: strings, numbers, booleans, arrays and tables. Strings
 * with backslashes (Windows paths) become literal strings ('C:\Program Files\…'), as Codex's own
 * writer does, when they can; everything else is a basic string with TOML's escapes.
 */

const BARE_KEY = /^[A-Za-z0-9_-]+$/;
// Control characters a basic string must escape (tab is allowed as is).
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function tomlKey(key: string): string {
  return BARE_KEY.test(key) ? key : basicString(key);
}

/** `a.b."c d"` */
export function tomlKeyPath(path: readonly string[]): string {
  return path.map(tomlKey).join(".");
}

function tomlString(value: string): string {
  if (LONE_SURROGATE.test(value))
    throw new Error("a string with a lone UTF-16 surrogate cannot be written as TOML");
  if (value.includes("\\") && !value.includes("'") && !CONTROL.test(value)) return `'${value}'`;
  return basicString(value);
}

function basicString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch !== "\t" && (code < 0x20 || code === 0x7f))
      out += `\\u${code.toString(16).toUpperCase().padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function tomlNumber(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  return String(value);
}

export interface InlineStyle {
  /** Write arrays one item a line, each line starting with this indent (the closing `]` with `close`). */
  multiline?: { indent: string; close: string; eol: string; trailingComma: boolean };
}

/** A value on one line (arrays may span lines when `style.multiline` says so). */
export function tomlValue(value: unknown, style: InlineStyle = {}): string {
  if (typeof value === "string") return tomlString(value);
  if (typeof value === "number") return tomlNumber(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) {
    const items = value.map((v) => tomlValue(v));
    const m = style.multiline;
    if (m && items.length > 0)
      return `[${m.eol}${items.map((i) => `${m.indent}${i}`).join(`,${m.eol}`)}${m.trailingComma ? "," : ""}${m.eol}${m.close}]`;
    return `[${items.join(", ")}]`;
  }
  if (value && typeof value === "object") {
    const pairs = Object.entries(value).filter(([, v]) => v !== undefined);
    if (pairs.length === 0) return "{}";
    return `{ ${pairs.map(([k, v]) => `${tomlKey(k)} = ${tomlValue(v)}`).join(", ")} }`;
  }
  throw new Error(`cannot write ${value === null ? "null" : typeof value} as a TOML value`);
}

function isTable(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** A table whose values are tables themselves (`tools.<name>.approval_mode`): written as sub-tables. */
function holdsTables(value: Record<string, unknown>): boolean {
  const values = Object.values(value);
  return values.length > 0 && values.every(isTable);
}

/**
 * `[path]` with its keys, one per line, then its sub-tables (`[path.tools.x]`) for values that are
 * tables of tables. Lines are joined with `eol`; no line ending after the last one.
 */
export function tomlTableBlock(
  path: readonly string[],
  value: Record<string, unknown>,
  eol: string,
  indent = "",
): string {
  const lines = [`[${tomlKeyPath(path)}]`];
  const nested: Array<[string, Record<string, unknown>]> = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (isTable(v) && holdsTables(v)) nested.push([k, v]);
    else lines.push(`${indent}${tomlKey(k)} = ${tomlValue(v)}`);
  }
  const blocks = [lines.join(eol)];
  for (const [k, tables] of nested)
    for (const [name, table] of Object.entries(tables))
      blocks.push(tomlTableBlock([...path, k, name], table as Record<string, unknown>, eol, indent));
  return blocks.join(eol + eol);
}
