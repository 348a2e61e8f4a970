/**
 * What restore and uninstall share: the targets to work on (from state, and from backups when
 * state has lost one), and one runner that applies an undo to each file under the home's lock —
 * compare-and-swap like sync (the edit is recomputed on the fresh text when an app rewrote the
 * file), a backup first. Ownership in state follows what each undo decides (`Outcome.records`):
 * the entries it will put back as mcp-twin's are recorded (as pending hashes) before any file is
 * touched, as sync does, so an interrupted restore never leaves its own entries looking foreign;
 * the final records are saved after the writes.
 */

import { CLIENTS } from "../clients/index.js";
import { restartsOf } from "../clients/restarts.js";
import { detectEnvironments } from "../environments/detect.js";
import type { Environment } from "../environments/types.js";
import { isTwinError, UsageError, UsageErrors } from "../errors.js";
import { loadFormats } from "../formats/index.js";
import { own } from "../own-keys.js";
import { type EntryRecord, loadState, type State, saveState, type TargetRecord } from "../sync/state.js";
import { backupCounts, unparsableFix } from "../sync/unreadable-target.js";
import {
  inspectFile,
  isReadOnly,
  readOnlyError,
  readTextOrNull,
  removePath,
  replaceFile,
  withLock,
} from "../system/files.js";
import type { Machine } from "../system/machine.js";
import type { Progress } from "../system/progress.js";
import { type BackupTarget, backedUpTargets, backupProblems, keepBackup, listBackups } from "./backups.js";

export interface UndoResult {
  env: string;
  client: string;
  scope: string;
  path: string;
  /** created / deleted: the file did not exist before, or is gone after (uninstall of a file it created). */
  action: "created" | "updated" | "deleted" | "unchanged" | "skipped" | "failed";
  /** Entries put back as they were in a backup. */
  restored: string[];
  /** Entries removed. */
  removed: string[];
  /** Entries given back in their hand-written form (uninstall of adopted entries). */
  givenBack: string[];
  /**
   * Of `givenBack`, those given back with the values you wrote but in mcp-twin's layout: no backup
   * still holds the text they had, or the format rewrites values (TOML). The others are spliced
   * back byte for byte.
   */
  relaid: string[];
  /** Entries mcp-twin owned but left as they are (edited by hand, or nothing to give back). */
  kept: string[];
  /** Why each kept entry was kept, and other remarks. */
  notes: string[];
  /** The whole file was put back from this backup (it did not parse). */
  wholeFile?: string;
  /** The file was removed: mcp-twin had created it, and nothing else is left in it. */
  deleted?: boolean;
  /** The backup restore used. */
  from?: string;
  message?: string;
  /** The file does not parse: it is left as it is (`action` failed), and `fix` says how to repair it. */
  unparsable?: true;
  /** What to do about it (the advice sync, status and doctor give for that file). */
  fix?: string;
  before?: string | null;
  after?: string | null;
}

export interface Outcome {
  restored: string[];
  removed: string[];
  givenBack: string[];
  relaid: string[];
  kept: string[];
  notes: string[];
  wholeFile?: string;
  /** Remove the file after the write when it still holds exactly what was written. */
  deleted?: boolean;
  /**
   * What mcp-twin owns in the file once this text is in it, as sync would record it: the entries
   * that are its own (their hashes, and the hand-written form of adopted ones) and those that no
   * longer are. Undefined: ownership stays as it is (nothing was decided, e.g. a skipped file).
   */
  records?: { own: Record<string, EntryRecord>; drop: string[] };
}

export const noOutcome = (): Outcome => ({
  restored: [],
  removed: [],
  givenBack: [],
  relaid: [],
  kept: [],
  notes: [],
});

export interface Undo {
  /** The new text for the file's current text (null: leave the file as it is). Pure. */
  compute(current: string | null): { after: string | null; outcome: Outcome };
  from?: string;
}

/** A target to undo in: its state record (synthesised from its backups when state lost it). */
export interface UndoTarget {
  key: string;
  record: TargetRecord;
  /** Known only from its backups (state has no record of it). */
  fromBackups: boolean;
}

function backupTargetOf(key: string, record: TargetRecord): BackupTarget {
  return { key, env: record.env, client: record.client, scope: record.scope, path: record.path };
}

/** Every target state knows, then those only the backups folder still knows. */
export async function knownTargets(state: State, backupsDir: string): Promise<UndoTarget[]> {
  const out: UndoTarget[] = Object.entries(state.targets).map(([key, record]) => ({
    key,
    record,
    fromBackups: false,
  }));
  for (const t of await backedUpTargets(backupsDir)) {
    if (Object.hasOwn(state.targets, t.key)) continue;
    out.push({
      key: t.key,
      record: { env: t.env, client: t.client, scope: t.scope, path: t.path, entries: {} },
      fromBackups: true,
    });
  }
  return out;
}

export function serversPathOf(record: TargetRecord): readonly string[] {
  return seamOf(record).serversPath;
}

/** What the format seam needs of a recorded target: its client (format, servers key) and file. */
export function seamOf(record: TargetRecord) {
  const client = CLIENTS.find((c) => c.id === record.client) ?? CLIENTS[0]!;
  return { client, serversPath: client.serversPath, file: record.path };
}

function accessFor(record: TargetRecord, envs: readonly Environment[]): string | undefined {
  if (record.scope === "project") return record.path;
  return envs.find((e) => e.id === record.env)?.access(record.path);
}

/**
 * Apply `make`'s undo to every selected target. With `dryRun`, compute only (no lock, no write);
 * results then carry the file's text before and after for a preview. `recordRun` (uninstall):
 * the change is recorded as the target's last run, so `restore` undoes it; otherwise (restore) the
 * last run is settled once an undo decided ownership.
 */
export async function runUndo(
  machine: Machine,
  targets: (state: State) => Promise<UndoTarget[]>,
  make: (target: UndoTarget, state: State) => Promise<Undo | undefined>,
  options: { dryRun: boolean; force: boolean; recordRun: boolean },
  progress: Progress,
): Promise<{ results: UndoResult[]; state: State }> {
  const body = async () => {
    const state = await loadState(machine.paths.state);
    await loadFormats(CLIENTS.filter((c) => Object.values(state.targets).some((r) => r.client === c.id)));
    const { environments } = await detectEnvironments(machine);
    const results: UndoResult[] = [];
    const work: Array<{ target: UndoTarget; file: string; undo: Undo }> = [];
    for (const target of await targets(state)) {
      const { record } = target;
      const file = accessFor(record, environments);
      if (!file) {
        results.push({
          env: record.env,
          client: record.client,
          scope: record.scope,
          path: record.path,
          action: "skipped",
          ...noOutcome(),
          message: `${record.env} is not reachable from here`,
        });
        continue;
      }
      const undo = await make(target, state);
      if (undo) work.push({ target, file, undo });
    }
    // Backup bookkeeping that does not load stops the run before anything is written (exit 2):
    // each write keeps a backup, and must not save over a record it could not read.
    const corrupt = await backupProblems(
      machine.paths.backups,
      work.map((w) => w.target.key),
    );
    if (corrupt.length > 0) throw new UsageErrors(corrupt);
    // What each undo would do to the file as it is now: the plan the checks and records below use.
    type Planned = { before: string | null; after: string | null; outcome: Outcome } | { error: unknown };
    const planned = new Map<string, Planned>();
    for (const { target, file, undo } of work) {
      let before: string | null = null;
      try {
        before = await readTextOrNull(file);
        planned.set(target.key, { before, ...undo.compute(before) });
      } catch (error) {
        planned.set(target.key, { error });
      }
    }
    const ready = (key: string) => {
      const plan = planned.get(key);
      return plan && !("error" in plan) ? plan : undefined;
    };
    if (options.dryRun) {
      const projected = structuredClone(state);
      for (const { target, file, undo } of work) {
        const { record } = target;
        const base = { env: record.env, client: record.client, scope: record.scope, path: record.path };
        const from = undo.from ? { from: undo.from } : {};
        const plan = planned.get(target.key)!;
        if ("error" in plan) {
          results.push({
            ...base,
            action: "failed",
            ...noOutcome(),
            ...from,
            message: messageOf(plan.error),
            ...(await repairOf(machine, target, file, plan.error)),
          });
          continue;
        }
        const { before, after, outcome } = plan;
        const { records, ...shown } = outcome;
        // The state as it would be: what the run would record (a copy; nothing is saved).
        if (records) applyRecords(projected, target, records, options.recordRun);
        results.push({
          ...base,
          action: actionOf(before, after, outcome),
          ...shown,
          ...from,
          before,
          // A file that goes has no text after.
          after: outcome.deleted ? null : after,
        });
      }
      return { results, state: projected };
    }
    // A read-only file that would change stops the run before anything is written (exit 2).
    if (!options.force) {
      const refused: UsageError[] = [];
      for (const { target, file } of work) {
        if (target.record.env.startsWith("windows") || !isReadOnly(inspectFile(file))) continue;
        if (ready(target.key)?.after != null) refused.push(readOnlyError(target.record.path));
      }
      if (refused.length > 0) throw new UsageErrors(refused);
    }
    // What mcp-twin owns in each file before this run, kept with its backup (before the intent below).
    const ownedBefore = new Map(work.map((w) => [w.target.key, Object.keys(w.target.record.entries)]));
    // The entries about to become mcp-twin's are recorded before any file is touched (as pending
    // hashes, as sync records a planned write), so a run stopped half-way leaves them recognised.
    let intent = false;
    for (const { target } of work) {
      const plan = ready(target.key);
      if (!plan || plan.after === null || !plan.outcome.records) continue;
      const own = Object.entries(plan.outcome.records.own);
      if (own.length === 0) continue;
      if (!state.targets[target.key]) state.targets[target.key] = target.record;
      notePending(state.targets[target.key]!, own);
      intent = true;
    }
    if (intent) await saveState(machine.paths.state, state);

    for (const { target, file, undo } of work) {
      const { key, record } = target;
      const base = { env: record.env, client: record.client, scope: record.scope, path: record.path };
      const from = undo.from ? { from: undo.from } : {};
      let outcome = noOutcome();
      const compute = (current: string | null) => {
        const r = undo.compute(current);
        outcome = r.outcome;
        return r.after;
      };
      try {
        // No line of its own: the report lists each file once, with what was done to it.
        const step = progress.step(`Updating ${record.path}`);
        let backup: string | undefined;
        const written = await replaceFile(file, compute, {
          force: options.force,
          beforeRename: async (current) => {
            if (current !== null && backup === undefined)
              backup = await keepBackup(
                machine.paths.backups,
                backupTargetOf(key, record),
                current,
                machine.host.now(),
                {
                  owned: ownedBefore.get(key) ?? [],
                  firstChange: !record.lastRun && !target.fromBackups,
                },
              );
          },
        }).finally(() => step.stop());
        let deleted = false;
        if (written.written && outcome.deleted) {
          // Only what mcp-twin created is left ("{}"): the file goes, as it was before mcp-twin.
          if ((await readTextOrNull(file)) === written.after) {
            await removePath(inspectFile(file).real);
            deleted = true;
          }
        }
        if (!state.targets[key]) state.targets[key] = record;
        const rec = outcome.records
          ? applyRecords(state, target, outcome.records, options.recordRun)
          : state.targets[key]!;
        if (options.recordRun && written.written) {
          const touched = [...outcome.removed, ...outcome.givenBack, ...outcome.restored];
          rec.lastRun = {
            at: machine.host.now().toISOString(),
            ...(backup ? { backup } : {}),
            touched,
          };
        }
        if (Object.keys(rec.entries).length === 0 && !rec.lastRun) delete state.targets[key];
        const { deleted: _planned, records: _records, ...done } = outcome;
        results.push({
          ...base,
          action: written.written
            ? deleted
              ? "deleted"
              : written.before === null
                ? "created"
                : "updated"
            : "unchanged",
          ...done,
          ...(deleted ? { deleted } : {}),
          ...from,
          ...(written.written ? { before: written.before, after: deleted ? null : written.after } : {}),
        });
      } catch (error) {
        results.push({
          ...base,
          action: "failed",
          ...noOutcome(),
          ...from,
          message: messageOf(error),
          ...(await repairOf(machine, target, file, error)),
        });
      }
    }
    await saveState(machine.paths.state, state);
    return { results, state };
  };
  return options.dryRun ? body() : withLock(machine.home.dir, body);
}

/**
 * Whose changed config is loaded only by a restart of the app (`apps`) or a new session of a
 * command-line client (`sessions`), as sync's report says it: until then the app runs what it
 * loaded before (the removed servers too).
 */
export function restartOf(results: readonly UndoResult[]): { apps: string[]; sessions: string[] } {
  const changed = results.filter(
    (r) => r.action === "created" || r.action === "updated" || r.action === "deleted",
  );
  return restartsOf(changed.flatMap((r) => CLIENTS.filter((c) => c.id === r.client)));
}

/** What an undo will do to a file (a dry run): created, updated, deleted or unchanged. */
function actionOf(before: string | null, after: string | null, outcome: Outcome): UndoResult["action"] {
  if (after === null || after === before) return "unchanged";
  if (outcome.deleted) return "deleted";
  return before === null ? "created" : "updated";
}

/**
 * Ownership in state as the undo decided it; a restore (not `recordRun`) has then settled the
 * change it undid, so nothing is left to undo. Returns the target's record.
 */
function applyRecords(
  state: State,
  target: UndoTarget,
  records: NonNullable<Outcome["records"]>,
  recordRun: boolean,
): TargetRecord {
  if (!state.targets[target.key]) state.targets[target.key] = target.record;
  const rec = state.targets[target.key]!;
  for (const name of records.drop) delete rec.entries[name];
  for (const [name, r] of Object.entries(records.own)) rec.entries[name] = r;
  if (!recordRun) delete rec.lastRun;
  return rec;
}

/**
 * A file that does not parse is left as it is: the result says so, with the one advice sync,
 * status and doctor give for it (skip-hint.ts) — put it back from a backup, or fix it by hand.
 */
async function repairOf(
  machine: Machine,
  target: UndoTarget,
  file: string,
  error: unknown,
): Promise<{ unparsable?: true; fix?: string }> {
  if (!(error instanceof UsageError) || error.code !== "config-parse") return {};
  const kept = await listBackups(machine.paths.backups, target.key).catch(() => []);
  return {
    unparsable: true,
    fix: unparsableFix({
      restorePath: target.record.path,
      shown: machine.shown(file),
      ...backupCounts(kept),
      owned: Object.keys(target.record.entries).length,
      line: error.location?.line,
      column: error.location?.column,
    }),
  };
}

function messageOf(error: unknown): string {
  return isTwinError(error) ? error.message : (error as Error).message;
}

/** Record planned hashes as pending, as sync does before it writes (state.ts isOurs reads them). */
function notePending(rec: TargetRecord, entries: Array<[string, EntryRecord]>): void {
  for (const [name, r] of entries) {
    const existing = own(rec.entries, name);
    rec.entries[name] = existing
      ? { ...existing, pending: [...new Set([...(existing.pending ?? []), r.hash])] }
      : { ...r, pending: [r.hash] };
  }
}
