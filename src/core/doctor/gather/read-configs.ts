/** Gathering (I/O): every client config doctor looks at, read and parsed without ever throwing. */
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import { type EntrySet, readEntrySets, readIgnoredSets, readMovedSets } from "../../clients/entry-sets.js";
import { movedFileOf } from "../../clients/moved-file.js";
import { type StrictJsonRefusal, strictJsonRefusal } from "../../clients/strict-json.js";
import type { Target } from "../../clients/types.js";
import { dict } from "../../plain-records.js";
import { readTextOrNull } from "../../system/files.js";

export interface ConfigFacts {
  target: Target;
  /** The file's text, null when it does not exist. */
  text: string | null;
  mtimeMs?: number;
  /** Permission bits of the file really read (a symlink followed), and its path. */
  mode?: number;
  realPath?: string;
  readError?: string;
  parseError?: { message: string; line?: number; column?: number };
  /** Its app's reader is stricter than JSONC and rejects this file: what it said, and what it refuses. */
  strictJsonError?: string;
  strictJsonCause?: StrictJsonRefusal["cause"];
  shapeErrors: string[];
  sets: EntrySet[];
  /** Top-level keys (e.g. Claude Desktop's isUsingBuiltInNodeForMcp). */
  top: Record<string, unknown>;
  /** MSIX Claude Desktop: the classic %APPDATA%\Claude file it ignores, when that file exists. */
  ignored?: { path: string; servers: string[]; parseError?: string };
  /** Devin: the older file beside it whose servers it moves in when it starts, when that file exists. */
  moved?: { path: string; servers: string[]; parseError?: string };
}

/** Files their app rewrites or reads with JSON.parse. */
function strictJson(target: Target): boolean {
  return target.client.reading.strictJson?.(target.scope) ?? false;
}

/**
 * User files of every present client, project files (.mcp.json, .cursor/mcp.json, …) of the
 * project folder when they exist, Claude Code's local scope (`projects["<dir>"].mcpServers` in
 * ~/.claude.json), and the classic Claude Desktop file that a Store (MSIX) install ignores.
 */
export async function readConfig(target: Target, project: string | undefined): Promise<ConfigFacts> {
  const facts: ConfigFacts = { target, text: null, shapeErrors: [], sets: [], top: dict() };
  try {
    facts.text = await readTextOrNull(target.file);
    if (facts.text !== null) {
      const st = await stat(target.file);
      facts.mtimeMs = st.mtimeMs;
      facts.mode = st.mode & 0o7777;
      facts.realPath = await realpath(target.file);
    }
  } catch (error) {
    facts.readError = (error as Error).message;
    return facts;
  }
  const read = readEntrySets(target, facts.text ?? "", target.path, project);
  if ("parseError" in read) {
    const { message, location } = read.parseError;
    facts.parseError = {
      message,
      ...(location.line !== undefined ? { line: location.line, column: location.column ?? 1 } : {}),
    };
    return facts;
  }
  if (facts.text !== null && facts.text.trim() !== "" && strictJson(target)) {
    const refused = strictJsonRefusal(facts.text, target.client.reading.strictJsonDialect);
    if (refused) {
      facts.strictJsonError = refused.error;
      facts.strictJsonCause = refused.cause;
    }
  }
  facts.top = read.top;
  // "file:line:column: what" → "what (line L, column C)"
  facts.shapeErrors = read.shapeErrors.map(
    ({ message, location: { line, column } }) =>
      `${message.replace(/^.*?:\d+:\d+: /, "").replace(/\.$/, "")}${line ? ` (line ${line}, column ${column ?? 1})` : ""}`,
  );
  // Absent and empty alike: no set.
  facts.sets = read.sets.filter((s) => Object.keys(s.entries).length > 0 || hasKey(facts.top, s.serversPath));
  await readIgnoredFile(target, facts);
  await readMovedFile(target, facts);
  return facts;
}

function hasKey(top: Record<string, unknown>, path: readonly string[]): boolean {
  let value: unknown = top;
  for (const key of path) {
    if (!value || typeof value !== "object" || !Object.hasOwn(value, key)) return false;
    value = (value as Record<string, unknown>)[key];
  }
  return true;
}

/** The classic file a Store Claude Desktop ignores, when it exists: the servers it holds, or why none. */
async function readIgnoredFile(target: Target, facts: ConfigFacts): Promise<void> {
  const found = target.client.reading.ignoredFile?.(target);
  if (!found) return;
  const { path: classic, file } = found;
  // Unreadable: the classic file is reported by the file checks.
  const text = await readTextOrNull(file).catch(() => null);
  if (text === null) return;
  try {
    const read = readIgnoredSets(target, text, classic);
    // A key that holds no object of entries: none.
    facts.ignored =
      "parseError" in read
        ? { path: classic, servers: [], parseError: read.parseError.message }
        : { path: classic, servers: read.sets.flatMap((s) => Object.keys(s.entries)) };
  } catch (error) {
    facts.ignored = { path: classic, servers: [], parseError: (error as Error).message };
  }
}

/** The older file a client moves into this one at start-up (Devin's config.json), when it exists: the servers it holds. */
async function readMovedFile(target: Target, facts: ConfigFacts): Promise<void> {
  const found = movedFileOf(target);
  if (!found) return;
  // Unreadable: nothing to say of its servers (the client reports it when it starts).
  const text = await readTextOrNull(found.file).catch(() => null);
  if (text === null) return;
  const read = readMovedSets(target, text, found.path);
  facts.moved =
    "parseError" in read
      ? { path: found.path, servers: [], parseError: read.parseError.message }
      : { path: found.path, servers: read.sets.flatMap((s) => Object.keys(s.entries)) };
}

/** Resolve a project folder the way the user gave it. */
export function projectDir(cwd: string, project: string | undefined): string {
  return path.resolve(cwd, project ?? ".");
}
