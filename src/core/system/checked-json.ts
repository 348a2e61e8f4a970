/**
 * mcp-twin's own JSON files (state, secrets, the bookkeeping beside backups), read and validated: a
 * bad one is an error at its line and column, never silently replaced by an empty one.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { lineColumnAt, UsageError } from "../errors.js";
import { writePrivateFile } from "./files.js";

export interface CheckedFile {
  /** What the file is, for messages: "state file", "secrets file". */
  what: string;
  /** What to do about a bad one (shown under the error). */
  recover: (file: string) => string;
  /** Validate parsed data: undefined when fine, else the first problem (a path into the data). */
  validate: (data: unknown) => Promise<{ path: PropertyKey[]; message: string } | undefined>;
  /** The error's code (default: `<what>-corrupt`, e.g. `state-corrupt`). */
  code?: string;
  /**
   * Remember a text that passed (in the home's cache), so it is not validated again: for files
   * every run reads. Files read only by runs that write anyway (backups) are checked each time.
   */
  mark?: boolean;
}

const hashOf = (text: string) => createHash("sha256").update(text).digest("hex");

/** Where the hash of the last good text of `file` is kept: `<home>/cache/valid-<name>`. */
function markFile(file: string): string {
  return path.join(path.dirname(file), "cache", `valid-${path.basename(file)}`);
}

/** Remember `text` as good (it was just validated, or mcp-twin wrote it). */
export async function markValid(file: string, text: string): Promise<void> {
  // A cache: unwritten, the file is validated again next time.
  await writePrivateFile(markFile(file), hashOf(text), { cache: true }).catch(() => {});
}

/**
 * Parse and validate the text of `file`; throws a UsageError (exit 2) at the problem's position.
 *
 * A file that does not parse, or holds a malformed entry, is an error that says how to recover —
 * an empty replacement would be made permanent by the next write. The zod check runs only when
 * the text changed since it last passed: a mark in the home's cache holds the hash of the text last
 * validated (or written by mcp-twin itself), so a no-op run never loads zod. Messages name fields
 * and positions, never values (the secrets file holds keys).
 */
export async function parseChecked(file: string, text: string, spec: CheckedFile): Promise<unknown> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text: never shown. The position comes from jsonc-parser.
    const { line, column, reason } = await syntaxError(text);
    throw problem(file, spec, line, column, `the ${spec.what} is not valid JSON (${reason})`);
  }
  const marking = spec.mark !== false;
  const hash = marking ? hashOf(text) : "";
  let marked: string | undefined;
  try {
    if (marking) marked = readFileSync(markFile(file), "utf8").trim();
  } catch {
    // never validated here yet
  }
  if (marking && marked === hash) return data;
  const issue = await spec.validate(data);
  if (issue) {
    const { line, column } = await positionOf(text, issue.path);
    const field = issue.path.map(String).join(".") || "(top level)";
    throw problem(file, spec, line, column, `${field}: ${issue.message}`);
  }
  if (marking) await markValid(file, text);
  return data;
}

function problem(file: string, spec: CheckedFile, line: number, column: number, message: string): UsageError {
  return new UsageError(
    spec.code ?? `${spec.what.replace(/ file$/, "")}-corrupt`,
    `${file}:${line}:${column}: ${message}.`,
    {
      location: { file, line, column },
      hint: spec.recover(file),
    },
  );
}

async function syntaxError(text: string): Promise<{ line: number; column: number; reason: string }> {
  const { parseTree } = await import("jsonc-parser");
  const { describeParseError } = await import("../text/parse-errors.js");
  const errors: import("jsonc-parser").ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  const at = lineColumnAt(text, first?.offset ?? text.length);
  return { ...at, reason: first ? describeParseError(first) : "it ends too early" };
}

/** Line and column of the value at `dataPath` (or of the deepest part of it that exists). */
async function positionOf(text: string, dataPath: PropertyKey[]): Promise<{ line: number; column: number }> {
  const { findNodeAtLocation, parseTree } = await import("jsonc-parser");
  const root = parseTree(text);
  const keys = dataPath.map((p) => (typeof p === "symbol" ? String(p) : p));
  let node: import("jsonc-parser").Node | undefined;
  for (let n = keys.length; n >= 0 && !node; n--)
    node = root ? findNodeAtLocation(root, keys.slice(0, n)) : undefined;
  const at = node ? (node.parent?.type === "property" ? node.parent.offset : node.offset) : 0;
  return lineColumnAt(text, at);
}
