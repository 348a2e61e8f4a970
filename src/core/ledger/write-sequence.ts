/**
 * The one write sequence for client configs, used by sync, restore and uninstall alike: intent in
 * state first, then per file a backup and a compare-and-swap replace, then the run recorded.
 */

import { randomBytes } from "node:crypto";
import { own } from "../plain-records.js";
import { type ReplaceResult, removeStaleTemps, replaceFile } from "../system/files.js";
import { type BackupTarget, keepBackup, noteOriginal, noteWritten } from "./backups.js";
import type { KeyValues } from "./sealed-keys.js";
import { type EntryRecord, type LastChange, type State, saveState, type TargetRecord } from "./state.js";

/** Entries a run is about to make mcp-twin's in one target: its record (made when missing) and them. */
export interface Intent {
  record: () => TargetRecord;
  entries: ReadonlyArray<[string, EntryRecord]>;
}

/**
 * Step 1: before any file is touched, the entries about to become mcp-twin's are recorded as
 * pending hashes (state.ts isOurs reads them), so a run stopped half-way leaves them recognised.
 * State is saved when there was any intent to record.
 */
export async function recordIntent(
  state: State,
  stateFile: string,
  intents: readonly Intent[],
): Promise<void> {
  for (const intent of intents) notePending(intent.record(), intent.entries);
  if (intents.length > 0) await saveState(stateFile, state);
}

function notePending(rec: TargetRecord, entries: ReadonlyArray<[string, EntryRecord]>): void {
  for (const [name, r] of entries) {
    const existing = own(rec.entries, name);
    rec.entries[name] = existing
      ? { ...existing, pending: [...new Set([...(existing.pending ?? []), r.hash])] }
      : { ...r, pending: [r.hash] };
  }
}

export interface TargetWrite {
  /** The target as backups name it. */
  id: BackupTarget;
  /** The file as this machine reaches it. */
  file: string;
  /** The new text for the file's current text (null: leave it); runs again if the file changes. */
  compute: (current: string | null) => string | null;
  /** The entries mcp-twin owns in the file before this run: kept with its backup. */
  owned: readonly string[];
  /** Of those, the ones the text being backed up holds edited by hand (state.ts handEdits). */
  edited?: (current: string) => Record<string, string>;
  /** No earlier change of this target is known: what it holds now is its original. */
  firstChange: boolean;
  backupsDir: string;
  /** The store's keys: sealed out of every backup taken. */
  keys: KeyValues;
  now: Date;
  /** Write a read-only file too. */
  force: boolean;
  /** Ctrl-C: the file is not renamed into place after it. */
  signal?: AbortSignal | undefined;
}

/**
 * Step 2, one file: temp files of a killed run removed, then an atomic compare-and-swap replace;
 * right before the rename, the bytes it replaces are kept as a backup (or, for a file that did not
 * exist, its absence noted as the original).
 */
export async function writeTarget(w: TargetWrite): Promise<ReplaceResult & { backup?: string }> {
  await removeStaleTemps(w.file);
  let backup: string | undefined;
  const result = await replaceFile(w.file, w.compute, {
    force: w.force,
    beforeRename: async (current) => {
      w.signal?.throwIfAborted();
      if (current === null) {
        if (w.firstChange) await noteOriginal(w.backupsDir, w.id, null, w.now, w.keys, w.owned);
      } else if (backup === undefined)
        backup = await keepBackup(w.backupsDir, w.id, current, w.now, {
          owned: w.owned,
          keys: w.keys,
          firstChange: w.firstChange,
          ...(w.edited ? { edited: ownedOnly(w.edited(current), w.owned) } : {}),
        });
    },
  });
  // What it wrote is the state a file broken later is repaired to (restore).
  if (result.written) await noteWritten(w.backupsDir, w.id, result.after, w.now, w.keys);
  return { ...result, ...(backup ? { backup } : {}) };
}

/** Of the hand edits found, those of entries mcp-twin owned before this run (its intent adds others). */
function ownedOnly(edited: Record<string, string>, owned: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(edited).filter(([name]) => owned.includes(name)));
}

/**
 * Step 3, one target: a run that wrote is recorded as its last (what `restore` undoes), with the
 * run's id; a record left with no entries and no run goes.
 */
export function recordRun(
  state: State,
  key: string,
  run: { id: string; now: Date; backup?: string | undefined; touched: string[] } | undefined,
): void {
  const rec = state.targets[key];
  if (!rec) return;
  if (run)
    rec.lastRun = {
      at: run.now.toISOString(),
      run: run.id,
      ...(run.backup ? { backup: run.backup } : {}),
      touched: run.touched,
    };
  if (Object.keys(rec.entries).length === 0 && !rec.lastRun) delete state.targets[key];
}

/** A new run's id: what ties the targets it wrote together (`State.lastChange`). */
export function newRunId(now: Date): string {
  return `${now.toISOString()}-${randomBytes(4).toString("hex")}`;
}

/**
 * Step 4, at the end of a run: when it recorded itself as a target's last run, it is the last
 * change, what a plain `restore` undoes.
 */
export function recordChange(state: State, change: LastChange): void {
  if (Object.values(state.targets).some((t) => t.lastRun?.run === change.run)) state.lastChange = change;
}
