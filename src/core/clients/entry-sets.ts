/**
 * A client config's entry sets as its client reads them (pure), the one reading doctor and import
 * share: its own scope, Claude Code's local scope, the classic file a Store Claude Desktop ignores.
 */
import { isTwinError, type TwinError } from "../errors.js";
import { type ParsedDocument, parseTarget } from "../formats/index.js";
import type { Target } from "./types.js";

/** Where an entry of a config applies: its file's scope, or Claude Code's local scope (one project). */
export type EntryScope = "user" | "project" | "local";

/** One object of entries in a client config: where its client reads servers. */
export interface EntrySet {
  scope: EntryScope;
  /** Where the object is in the file (the target's serversPath, or the local scope's). */
  serversPath: string[];
  /** The entries as written, whole ({} when the key is absent). */
  entries: Record<string, unknown>;
  /** Names that appear more than once in this object. */
  duplicates: string[];
  /**
   * Entries of a file other than the target's own, which its app does not read: the classic
   * %APPDATA%\Claude file beside a Store (MSIX) Claude Desktop, as shown. Import reads them, never
   * adopts them (sync writes the target's file, not this one).
   */
  ignoredFile?: string;
  /**
   * Entries of the older file its client moves into the target's own when it starts (Devin's
   * `config.json`, ClientModule.movedFrom), as shown: the person's, read by import, never adopted.
   */
  movedFrom?: string;
}

/**
 * A config's text read as entry sets: its top-level keys and every set its client reads — except
 * those whose key holds something other than entries, each a "config-shape" error in
 * `shapeErrors`; or, when the text does not parse, only why. Nothing is thrown for either: each
 * caller decides (doctor reports, import skips the file), with the error's file:line:column.
 */
export type EntrySets =
  | { parseError: TwinError }
  | { top: Record<string, unknown>; sets: EntrySet[]; shapeErrors: TwinError[] };

/**
 * A target's own file (`shown` in errors): the set of its scope and, for a user file of a client
 * with one, the local scope of `project` (the file's own environment only).
 */
export function readEntrySets(
  target: Target,
  text: string,
  shown: string,
  project: string | undefined,
): EntrySets {
  return parsedSets(target, text, shown, (top) => {
    const own = { scope: target.scope, serversPath: [...target.serversPath] };
    const { localScope } = target.client.reading;
    if (!localScope || target.scope !== "user" || !target.env.local || !project) return [own];
    const local = localScope(top, project, target.env.style === "win32");
    return local === undefined ? [own] : [own, { scope: "local", serversPath: local }];
  });
}

/** The classic file a Store Claude Desktop ignores (`shown` as the target names it): one user set. */
export function readIgnoredSets(target: Target, text: string, shown: string): EntrySets {
  return parsedSets(target, text, shown, () => [
    { scope: "user", serversPath: [...target.serversPath], ignoredFile: shown },
  ]);
}

/** The older file its client moves into the target's own when it starts: one user set. */
export function readMovedSets(target: Target, text: string, shown: string): EntrySets {
  return parsedSets(target, text, shown, () => [
    { scope: "user", serversPath: [...target.serversPath], movedFrom: shown },
  ]);
}

type Place = Pick<EntrySet, "scope" | "serversPath" | "ignoredFile" | "movedFrom">;

function parsedSets(
  target: Target,
  text: string,
  shown: string,
  places: (top: Record<string, unknown>) => Place[],
): EntrySets {
  let parsed: ParsedDocument;
  try {
    parsed = parseTarget(target, text, shown);
  } catch (error) {
    if (!isTwinError(error)) throw error;
    return { parseError: error };
  }
  const top = parsed.top();
  const sets: EntrySet[] = [];
  const shapeErrors: TwinError[] = [];
  for (const place of places(top)) {
    try {
      const entries = parsed.entries(place.serversPath);
      sets.push({ ...place, entries, duplicates: parsed.duplicates(place.serversPath) });
    } catch (error) {
      if (!isTwinError(error)) throw error;
      shapeErrors.push(error);
    }
  }
  return { top, sets, shapeErrors };
}
