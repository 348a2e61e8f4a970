/** Gathering (I/O): every client config doctor looks at, read and parsed without ever throwing. */
import { realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { Target } from "../../clients/types.js";
import { isTwinError } from "../../errors.js";
import { type ParsedDocument, parseTarget } from "../../formats/index.js";
import { dict } from "../../own-keys.js";
import { readTextOrNull } from "../../system/files.js";

export type EntryScope = "user" | "project" | "local";

export interface EntrySet {
  scope: EntryScope;
  serversPath: string[];
  entries: Record<string, unknown>;
  /** Names that appear more than once in this object. */
  duplicates: string[];
}

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
  /** The app parses this file as strict JSON, and JSON.parse rejects it (comments, trailing commas). */
  strictJsonError?: string;
  shapeErrors: string[];
  sets: EntrySet[];
  /** Top-level keys (e.g. Claude Desktop's isUsingBuiltInNodeForMcp). */
  top: Record<string, unknown>;
  /** MSIX Claude Desktop: the classic %APPDATA%\Claude file it ignores, when that file exists. */
  ignored?: { path: string; servers: string[]; parseError?: string };
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
  let parsed: ParsedDocument;
  try {
    parsed = parseTarget(target, facts.text ?? "", target.path);
  } catch (error) {
    if (!isTwinError(error)) throw error;
    facts.parseError = {
      message: error.message,
      ...(error.location.line !== undefined
        ? { line: error.location.line, column: error.location.column ?? 1 }
        : {}),
    };
    return facts;
  }
  if (facts.text !== null && facts.text.trim() !== "" && strictJson(target)) {
    try {
      JSON.parse(facts.text.replace(/^\uFEFF/, ""));
    } catch (error) {
      facts.strictJsonError = (error as Error).message;
    }
  }
  facts.top = parsed.top();
  const addSet = (scope: EntryScope, serversPath: string[]) => {
    let entries: Record<string, unknown>;
    try {
      entries = parsed.entries(serversPath);
    } catch (error) {
      if (!isTwinError(error)) throw error;
      // "file:line:column: what" → "what (line L, column C)"
      const { line, column } = error.location;
      facts.shapeErrors.push(
        `${error.message.replace(/^.*?:\d+:\d+: /, "").replace(/\.$/, "")}${line ? ` (line ${line}, column ${column ?? 1})` : ""}`,
      );
      return;
    }
    // Absent and empty alike: an empty set.
    if (Object.keys(entries).length === 0 && !hasKey(facts.top, serversPath)) return;
    facts.sets.push({ scope, serversPath, entries, duplicates: parsed.duplicates(serversPath) });
  };
  addSet(target.scope, [...target.serversPath]);
  const { localScope } = target.client.reading;
  if (localScope && target.scope === "user" && target.env.local && project) {
    const local = localScope(facts.top, project, target.env.style === "win32");
    if (local !== undefined) addSet("local", local);
  }
  await readIgnoredFile(target, facts);
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

async function readIgnoredFile(target: Target, facts: ConfigFacts): Promise<void> {
  const found = target.client.reading.ignoredFile?.(target);
  if (!found) return;
  const { path: classic, file } = found;
  const text = await readTextOrNull(file).catch(() => null);
  if (text === null) return;
  try {
    let servers: string[] = [];
    try {
      servers = Object.keys(parseTarget(target, text, classic).entries(target.serversPath));
    } catch (error) {
      if (!isTwinError(error) || error.code !== "config-shape") throw error;
    }
    facts.ignored = { path: classic, servers };
  } catch (error) {
    facts.ignored = { path: classic, servers: [], parseError: (error as Error).message };
  }
}

/** Resolve a project folder the way the user gave it. */
export function projectDir(cwd: string, project: string | undefined): string {
  return path.resolve(cwd, project ?? ".");
}
