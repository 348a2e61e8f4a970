/**
 * Who owns an entry of a client config, and so what sync does with it: the one rule sync's plan,
 * `status` and doctor's drift check ask (pure).
 */

import { canonicalHash, type EntryRecord, entryHash, isOursHash } from "../ledger/state.js";
import { TOOLS_ENTRY } from "../manifest/tool-search.js";
import { own } from "../plain-records.js";
import { canonicalJson } from "../text/canonical-json.js";
import type { BuiltEntry } from "./target-entry.js";

/**
 * - missing: meant for this target and not in the file (sync adds it, when it can build it).
 * - synced: the file holds what sync would write now, by whoever wrote it (sync records it as
 *   its own). When sync cannot build the entry now (package not installed, secret not set), an
 *   entry it wrote and nobody edited since is left as it is: synced too.
 * - stale: mcp-twin's and unedited, but out of date (sync updates it) or no longer meant for this
 *   target (sync removes it).
 * - drifted: mcp-twin wrote it, someone edited it since (sync keeps it; --force replaces it).
 * - foreign: mcp-twin never wrote it and it differs (sync keeps it; --force takes it over).
 *
 * "Edited since" is judged on parsed values (entryHash), so reformatting the file is no edit.
 */
export type EntryState = "missing" | "synced" | "stale" | "drifted" | "foreign";

export interface EntryFacts {
  /** The entry in the file; `present: false` when the file has none of that name. */
  present: boolean;
  value?: unknown;
  /** What state says mcp-twin wrote there. */
  record: EntryRecord | undefined;
  /** What sync would write now; undefined when the server is no longer meant for this target. */
  desired: BuiltEntry | undefined;
  /** The entry's fields of the client's own, as written (not part of `value`). */
  fields?: Readonly<Record<string, unknown>>;
}

export interface EntryClass {
  state: EntryState;
  /** Hash of the entry in the file (when present). */
  currentHash?: string;
  /** Hash of what sync would write (when it can build it). */
  desiredHash?: string;
}

/** The class of one entry; undefined for a server neither wanted here nor in the file. */
export function classifyEntry(facts: EntryFacts): EntryClass | undefined {
  const { desired, record } = facts;
  // Written canonically first: an entry as sync would write it (most, on most runs) is hashed once.
  const desiredText = desired?.ok ? canonicalJson(desired.value) : undefined;
  const desiredHash = desiredText === undefined ? undefined : canonicalHash(desiredText);
  const hashes = desiredHash === undefined ? {} : { desiredHash };
  if (!facts.present) return desired ? { state: "missing", ...hashes } : undefined;
  const currentText = canonicalJson(facts.value);
  const currentHash = currentText === desiredText ? (desiredHash as string) : canonicalHash(currentText);
  const ours = isOursHash(record, currentHash);
  const with_ = (state: EntryState): EntryClass => ({ state, currentHash, ...hashes });
  // The manifest's clientFields are the manifest's: one that differs is for sync to write.
  const fieldsDiffer =
    desired?.ok === true &&
    Object.entries(desired.fields ?? {}).some(
      ([k, v]) => facts.fields?.[k] === undefined || entryHash(facts.fields[k]) !== entryHash(v),
    );
  if (desiredHash !== undefined && currentHash === desiredHash)
    return with_(fieldsDiffer ? "stale" : "synced");
  if (ours) return with_(desired && !desired.ok ? "synced" : "stale");
  return with_(record ? "drifted" : "foreign");
}

export interface ClassifiedEntry extends EntryClass {
  name: string;
  /** The server is meant for this target (it has a desired entry, built or not). */
  wanted: boolean;
}

/**
 * Every entry sync has an opinion about in one target: the servers meant for it (in the order
 * given), then entries mcp-twin wrote there for servers no longer meant for it. Entries of other
 * names are the user's and not looked at.
 */
export function classifyTarget(
  current: Readonly<Record<string, unknown>>,
  owned: Readonly<Record<string, EntryRecord>>,
  desired: ReadonlyMap<string, BuiltEntry>,
  fields: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {},
): ClassifiedEntry[] {
  const out: ClassifiedEntry[] = [];
  const facts = (name: string, built: BuiltEntry | undefined): EntryFacts => ({
    present: Object.hasOwn(current, name),
    value: own(current, name),
    record: own(owned, name),
    desired: built,
    ...(Object.hasOwn(fields, name) ? { fields: own(fields, name) } : {}),
  });
  for (const [name, built] of desired) {
    const c = classifyEntry(facts(name, built));
    if (c) out.push({ name, wanted: true, ...c });
  }
  for (const name of Object.keys(owned)) {
    if (desired.has(name)) continue;
    const c = classifyEntry(facts(name, undefined));
    if (c) out.push({ name, wanted: false, ...c });
  }
  return out;
}

/**
 * The entries meant for a target as its file stands. An entry mcp-twin did not write that holds the
 * name of toolSearch's one entry (`tools`) is the person's, never sync's to take (not even with
 * --force: it is not that entry): the target then keeps its servers' own entries (the `tools`
 * entry's `instead`), so none is taken away for an entry that cannot be written. `held`: it does.
 */
export function entriesMeant(
  current: Readonly<Record<string, unknown>>,
  owned: Readonly<Record<string, EntryRecord>>,
  desired: ReadonlyMap<string, BuiltEntry>,
): { desired: ReadonlyMap<string, BuiltEntry>; held: boolean } {
  const tools = desired.get(TOOLS_ENTRY);
  if (!tools?.instead || !Object.hasOwn(current, TOOLS_ENTRY)) return { desired, held: false };
  const facts = {
    present: true,
    value: own(current, TOOLS_ENTRY),
    record: own(owned, TOOLS_ENTRY),
    desired: tools,
  };
  if (classifyEntry(facts)?.state !== "foreign") return { desired, held: false };
  const meant = new Map(tools.instead);
  for (const [name, built] of desired) if (name !== TOOLS_ENTRY) meant.set(name, built);
  return { desired: meant, held: true };
}
