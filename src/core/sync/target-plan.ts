/**
 * Plan one target: the manifest's entries against the file's current text and what state says we
 * wrote. Pure — text in, text out — so it can be re-run on fresh text when an app rewrote the file.
 */
import { SHARE_PREFIX } from "../bridge-link/index.js";
import type { Target } from "../clients/types.js";
import { classifyTarget, entriesMeant } from "../entries/ownership.js";
import type { MissingProgram } from "../entries/programs/missing-programs.js";
import type { BuiltEntry, RelayWhy } from "../entries/target-entry.js";
import {
  type EntryEdit,
  editTargetEntries,
  parseTarget,
  readTargetEntries,
  readTargetFields,
} from "../formats/index.js";
import { type EntryRecord, entryHash, type TargetRecord } from "../ledger/state.js";
import { TOOLS_ENTRY, toolsNameHeld } from "../manifest/tool-search.js";
import { dict, own } from "../plain-records.js";

export interface TargetPlan {
  target: Target;
  before: string | null;
  /** New text, or null when nothing changes. */
  after: string | null;
  added: string[];
  updated: string[];
  removed: string[];
  /** Entries edited by hand since mcp-twin wrote them, kept as they are (no --force). */
  drift: string[];
  /** Entries of the same name mcp-twin did not write, left alone (no --force). */
  foreign: string[];
  /** Entries edited by hand that --force overwrites with the manifest's. */
  overwritten: string[];
  /**
   * Servers this target should have but cannot get now (install failed, nowhere to run).
   *
   * `missing`: a program-missing problem's program, environment and install step.
   */
  problems: Array<{ server: string; code: string; message: string; missing?: MissingProgram }>;
  /** Ownership records after the write. */
  records: Record<string, EntryRecord>;
  /** Hashes to mark pending before the write. */
  pending: Record<string, string>;
  /** Variables project-scope entries reference (the user must set them). */
  references: string[];
  secretValues: string[];
  /** Servers whose entry this write puts into the file (added or changed) carrying a secret. */
  secretsWritten: string[];
  /**
   * Of the entries this write puts into the file: servers whose key stays in the home (shared: the
   * gateway adds it), and servers whose entry holds their own key (not shared). `moved`: of `kept`,
   * those whose entry here was not the gateway's before this write (it held the key, or ran it).
   */
  keys: { kept: string[]; inEntry: string[]; moved: string[] };
  /** Entries that run in another environment than the target's (node.exe through interop, wsl.exe). */
  across: Array<{ server: string; runsIn: string; command?: string }>;
  /** url servers this client takes only as mcp-twin's stdio relay, and where the relay runs. */
  relays: Array<{ server: string; runsIn: string; why: RelayWhy }>;
  /** Shared servers whose entry here is a url entry to the gateway (the client starts no process for them). */
  shared: string[];
  /**
   * Edited or foreign entries (drift, foreign, overwritten) where sync writes the bridge's entry (a
   * shared server's): the manifest has no place for what is there instead, so `adopt` cannot take it.
   */
  bridged: string[];
  /** Hand-written entries this write takes over (--force on a foreign one): kept for uninstall. */
  takenOver: Record<string, unknown>;
  /**
   * Servers whose name an entry of the client's own holds here (Goose's built-in `developer`):
   * left alone, even with --force; `what` is the entry in words (ClientModule.ownEntry).
   */
  clientOwn: Array<{ server: string; what: string }>;
}

export interface PlanOptions {
  force: boolean;
}

/**
 * `meant`: server name → its built entry for this target (servers not meant for it are absent);
 * an entry of the person's named `tools` keeps the servers' own entries (ownership.ts, entriesMeant).
 *
 * Who owns each entry is entries/ownership.ts's rule; here is what sync does about it: entries we
 * never wrote are never touched (a name clash is reported as `foreign`, and taken over only with
 * --force); entries we wrote but someone edited since are `drift`, kept unless --force (then
 * `overwritten`); entries we wrote for servers no longer wanted are removed. Pure — text in, text
 * out — so it can be re-run on fresh text when an app rewrote the file between planning and writing.
 */
export function planTarget(
  target: Target,
  before: string | null,
  meant: ReadonlyMap<string, BuiltEntry>,
  record: TargetRecord | undefined,
  options: PlanOptions,
): TargetPlan {
  const current = readTargetEntries(target, before ?? "");
  const owned = record?.entries ?? {};
  const plan = emptyPlan(target, before);
  // An entry of the person's named `tools`: kept, and the servers' own entries with it (said).
  const { desired, held } = entriesMeant(current, owned, meant);
  if (held) {
    const { what, fix } = toolsNameHeld(target.client.name, target.path);
    plan.problems.push({ server: TOOLS_ENTRY, code: "tools-name-held", message: `${what}: ${fix}` });
  }
  const clientOwn = ownEntryReader(target, before, current);
  const edits: EntryEdit[] = [];
  // An entry holding a key: its key-less hash too (sync/keyless-entries.ts).
  const keylessOf = (name: string) => {
    const built = desired.get(name);
    return built?.ok && built.keyless ? { keyless: built.keyless } : {};
  };
  const recordFor = (name: string, hash: string) => ({ ...ownRecord(owned, name, hash), ...keylessOf(name) });

  for (const entry of classifyTarget(current, owned, desired, readTargetFields(target, before ?? ""))) {
    const { name, state } = entry;
    const built = desired.get(name);
    const mine = own(owned, name);
    // The client's own entry (Goose's migration rewrites one of its names): never ours to write or
    // remove, whatever state says mcp-twin wrote there once.
    const theirs = state === "drifted" || state === "foreign" ? clientOwn(name) : undefined;
    if (theirs !== undefined) {
      if (built) plan.clientOwn.push({ server: name, what: theirs });
      continue;
    }
    if (!built) {
      // Ours, for a server no longer meant for this target: removed, unless edited since (kept,
      // or removed all the same with --force).
      if (state === "stale" || options.force) {
        edits.push({ name, remove: true });
        plan.removed.push(name);
      } else {
        plan.drift.push(name);
        if (mine) plan.records[name] = mine;
      }
      continue;
    }
    if (!built.ok) {
      // Nothing to write: the entry in the file (if any) stays as it is.
      plan.problems.push({ server: name, code: built.code, message: built.reason });
      if (mine) plan.records[name] = mine;
      continue;
    }
    // What the entry is (a url entry to the bridge, a relay, a launch across), said of the entry
    // the file holds after this write: not of one left as the person wrote it.
    const leftAsIs = (state === "drifted" || state === "foreign") && !options.force;
    if (!leftAsIs) sayWhatItIs(plan, name, built);
    // Written all the same (it starts once the program is installed), but said.
    for (const p of built.problems ?? []) plan.problems.push({ server: name, ...p });
    plan.references.push(...built.references);
    plan.secretValues.push(...built.secretValues);
    const hash = entry.desiredHash ?? entryHash(built.value);
    if (state === "missing") {
      edits.push({ name, value: writtenValue(built) });
      plan.added.push(name);
      // Gone from the file (deleted by hand): nothing hand-written is left to give back.
      plan.records[name] = { hash, ...keylessOf(name) };
      plan.pending[name] = hash;
    } else if (state === "synced") {
      // Already exactly what we would write (by us, by hand, or by a run whose state was lost).
      plan.records[name] = recordFor(name, hash);
    } else if (state === "stale") {
      edits.push({ name, value: writtenValue(built) });
      plan.updated.push(name);
      plan.records[name] = recordFor(name, hash);
      plan.pending[name] = hash;
    } else {
      if (built.bridged) plan.bridged.push(name);
      if (!options.force) {
        plan[state === "drifted" ? "drift" : "foreign"].push(name);
        if (mine) plan.records[name] = mine;
        continue;
      }
      // --force: the hand edit is overwritten, a foreign entry taken over (takenOver, below).
      if (state === "drifted") plan.overwritten.push(name);
      edits.push({ name, value: writtenValue(built) });
      plan.updated.push(name);
      plan.pending[name] = hash;
      if (mine) plan.records[name] = recordFor(name, hash);
      else {
        // Taking over an entry the user wrote: keep its hand-written form for uninstall.
        plan.takenOver[name] = current[name];
        plan.records[name] = {
          hash,
          handWritten: entry.currentHash ?? entryHash(current[name]),
          ...keylessOf(name),
        };
      }
    }
  }

  for (const edit of edits) {
    const built = desired.get(edit.name);
    if ("remove" in edit || !built?.ok) continue;
    if (built.secretValues.length > 0) plan.secretsWritten.push(edit.name);
    if (built.keyKept) {
      plan.keys.kept.push(edit.name);
      const was = own(current, edit.name);
      if (was !== undefined && !reachesShare(was, edit.name)) plan.keys.moved.push(edit.name);
    }
    // A gateway's entry carries the client's own token, no key of the server's.
    else if (built.secretValues.length > 0 && !built.bridged) plan.keys.inEntry.push(edit.name);
  }
  if (edits.length > 0) plan.after = editTargetEntries(target, before ?? "", edits);
  plan.references = [...new Set(plan.references)].sort();
  return plan;
}

/** An entry that reaches the gateway's endpoint of `name` (a url entry to it, or the relay to it). */
function reachesShare(entry: unknown, name: string): boolean {
  return JSON.stringify(entry).includes(`${SHARE_PREFIX}${encodeURIComponent(name)}`);
}

/** A written entry that is not a plain launch where its client runs: a gateway's, a relay, a crossing. */
function sayWhatItIs(plan: TargetPlan, name: string, built: Extract<BuiltEntry, { ok: true }>): void {
  const target = plan.target;
  if (built.gateway) {
    plan.shared.push(name);
  } else if (built.relay) {
    if (target.scope !== "project")
      plan.relays.push({ server: name, runsIn: built.runsIn, why: built.relay });
  } else if (built.runsIn !== target.env.id) {
    const command = built.value.command;
    plan.across.push({
      server: name,
      runsIn: built.runsIn,
      ...(typeof command === "string" ? { command } : {}),
    });
  }
}

function emptyPlan(target: Target, before: string | null): TargetPlan {
  return {
    target,
    before,
    after: null,
    added: [],
    updated: [],
    removed: [],
    drift: [],
    foreign: [],
    overwritten: [],
    problems: [],
    records: dict(),
    pending: dict(),
    references: [],
    secretValues: [],
    secretsWritten: [],
    keys: { kept: [], inEntry: [], moved: [] },
    takenOver: {},
    across: [],
    relays: [],
    shared: [],
    bridged: [],
    clientOwn: [],
  };
}

/**
 * What the client's ownEntry says of the entry of a name in the file (undefined: a server's, or
 * none): read from the entry as written, the client's own fields too (the file parsed once, on need).
 */
function ownEntryReader(
  target: Target,
  before: string | null,
  current: Readonly<Record<string, unknown>>,
): (name: string) => string | undefined {
  let raw: Record<string, unknown> | undefined;
  return (name) => {
    if (!target.client.ownEntry || !Object.hasOwn(current, name)) return undefined;
    raw ??= parseTarget(target, before ?? "", target.file).entries(target.serversPath);
    return target.client.ownEntry(own(raw, name));
  };
}

/** A new hash for an entry we own keeps what we know of its hand-written past. */
function ownRecord(owned: Readonly<Record<string, EntryRecord>>, name: string, hash: string): EntryRecord {
  const handWritten = own(owned, name)?.handWritten;
  return handWritten ? { hash, handWritten } : { hash };
}

/** What sync writes for a built entry: its launch, and the manifest's fields of the client's own. */
function writtenValue(built: Extract<BuiltEntry, { ok: true }>): Record<string, unknown> {
  return built.fields ? { ...built.value, ...built.fields } : built.value;
}

/**
 * What happens to the file: a server that cannot be written (not installed, no bin) is its own
 * problem, never the other servers' write; a target that gets nothing because of one has failed.
 */
export function targetAction(plan: TargetPlan): "created" | "updated" | "unchanged" | "failed" {
  if (plan.after !== null) return plan.before === null ? "created" : "updated";
  return plan.problems.some((p) => p.code === "not-installed") ? "failed" : "unchanged";
}
