/**
 * What restore and uninstall share: the targets to work on (from state, and from backups when
 * state has lost one), and one runner that takes each undo through sync's write sequence
 * (core/ledger/write-sequence.ts) under the home's lock, ownership following what the undo decides.
 */

import { CLIENTS, clientOrFirst } from "../clients/index.js";
import { restartsOf } from "../clients/restarts.js";
import { backupCounts, parseProblem, unparsableFix } from "../clients/unreadable-target.js";
import { detectEnvironments } from "../environments/detect.js";
import type { Machine } from "../environments/machine.js";
import type { Environment } from "../environments/types.js";
import { isTwinError, UsageError, UsageErrors } from "../errors.js";
import { loadFormats, readTargetEntries } from "../formats/index.js";
import { type BackupTarget, backedUpTargets, backupProblems, repairSources } from "../ledger/backups.js";
import { settleMovedClaims } from "../ledger/moved-claims.js";
import type { KeyValues } from "../ledger/sealed-keys.js";
import {
  type EntryRecord,
  handEdits,
  loadState,
  type State,
  saveState,
  type TargetRecord,
} from "../ledger/state.js";
import {
  type Intent,
  newRunId,
  recordChange,
  recordIntent,
  recordRun,
  writeTarget,
} from "../ledger/write-sequence.js";
import {
  inspectFile,
  isReadOnly,
  readOnlyError,
  readTextOrNull,
  removePath,
  withLock,
} from "../system/files.js";
import type { Progress } from "../system/progress.js";

/** What an undo did in one file: its outcome's entries, and the file's own result. */
export interface UndoResult extends Omit<Outcome, "deleted" | "records"> {
  env: string;
  client: string;
  scope: string;
  path: string;
  /** created / deleted: the file did not exist before, or is gone after (uninstall of a file it created). */
  action: "created" | "updated" | "deleted" | "unchanged" | "skipped" | "failed";
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
  /**
   * What this undoes that mcp-twin did not write (restore asks first, or wants --yes): the file as
   * it is now, changed since mcp-twin last wrote it (`file`: put back whole), or entries of
   * mcp-twin's edited by hand since it wrote them (`entries`: put back or removed).
   */
  undoes?: { file?: true; entries?: string[] };
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

/**
 * An undo whose backup named keys the store no longer has: what it writes says so, for each such
 * key left as a `${secret:NAME}` reference in the file (which is otherwise whole).
 */
export function sayMissing(undo: Undo, missing: readonly string[]): Undo {
  if (missing.length === 0) return undo;
  return {
    ...undo,
    compute: (current) => {
      const r = undo.compute(current);
      const after = r.after;
      // Only those the text written holds: a backup read but not used leaves nothing to say.
      const left = [...new Set(missing)].filter((n) => after?.includes(`\${secret:${n}}`)).sort();
      if (left.length === 0) return r;
      const [one] = left.length === 1 ? left : [];
      const note = one
        ? `could not put back the key ${one}: no longer stored (\`mcp-twin secret list\`), so the file holds \`\${secret:${one}}\` in its place`
        : `could not put back the keys ${left.join(", ")}: no longer stored (\`mcp-twin secret list\`), so the file holds \`\${secret:NAME}\` in the place of each`;
      return { ...r, outcome: { ...r.outcome, notes: [...r.outcome.notes, note] } };
    },
  };
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

/** What the format seam needs of a recorded target: its client (format, servers key) and file. */
export function seamOf(record: TargetRecord) {
  const client = clientOrFirst(record.client);
  return { client, serversPath: client.serversPath, file: record.path };
}

function accessFor(record: TargetRecord, envs: readonly Environment[]): string | undefined {
  if (record.scope === "project") return record.path;
  return envs.find((e) => e.id === record.env)?.access(record.path);
}

/** A target with its undo, as this machine reaches its file. */
interface UndoWork {
  target: UndoTarget;
  file: string;
  undo: Undo;
}

/** What an undo would do to a file as it is now (or why it cannot be read). */
type Planned = { before: string | null; after: string | null; outcome: Outcome } | { error: unknown };

type RunOptions = {
  dryRun: boolean;
  force: boolean;
  recordRun: boolean;
  /** The store's keys: sealed out of the backups each write takes. */
  keys: KeyValues;
};

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
  options: RunOptions,
  progress: Progress,
): Promise<{ results: UndoResult[]; state: State }> {
  const body = async () => {
    const state = await loadState(machine.paths.state);
    await loadFormats(CLIENTS.filter((c) => Object.values(state.targets).some((r) => r.client === c.id)));
    const { results, work } = await undoWork(machine, state, targets, make);
    // Backup bookkeeping that does not load stops the run before anything is written (exit 2):
    // each write keeps a backup, and must not save over a record it could not read.
    const corrupt = await backupProblems(
      machine.paths.backups,
      work.map((w) => w.target.key),
    );
    if (corrupt.length > 0) throw new UsageErrors(corrupt);
    const planned = await planUndos(work);
    if (options.dryRun) {
      const projected = await previewUndos(machine, state, work, planned, options);
      return { results: [...results, ...projected.results], state: projected.state };
    }
    if (!options.force) refuseReadOnly(work, planned);
    // A store that cannot be read stops the run before anything is written: no backup holds a key.
    if (work.length > 0) await options.keys();
    // What mcp-twin owns in each file before this run, kept with its backup (before the intent below).
    const ownedBefore = new Map(work.map((w) => [w.target.key, Object.keys(w.target.record.entries)]));
    await recordUndoIntent(machine, state, work, planned);
    const start = machine.host.now();
    const run = newRunId(start);
    for (const w of work)
      results.push(
        await writeUndo(
          machine,
          state,
          w,
          ownedBefore.get(w.target.key) ?? [],
          { ...options, run },
          progress,
        ),
      );
    if (options.recordRun) recordChange(state, { run, at: start.toISOString(), by: "uninstall" });
    await saveState(machine.paths.state, state);
    return { results, state };
  };
  return options.dryRun ? body() : withLock(machine.home.dir, body);
}

/** The targets to undo in, each with its undo; those whose environment is out of reach, skipped. */
async function undoWork(
  machine: Machine,
  state: State,
  targets: (state: State) => Promise<UndoTarget[]>,
  make: (target: UndoTarget, state: State) => Promise<Undo | undefined>,
): Promise<{ results: UndoResult[]; work: UndoWork[] }> {
  const { environments } = await detectEnvironments(machine);
  // Entries a client moved out of a file mcp-twin wrote are undone where they are now.
  await settleMovedClaims(state, environments);
  const results: UndoResult[] = [];
  const work: UndoWork[] = [];
  for (const target of await targets(state)) {
    const { record } = target;
    const file = accessFor(record, environments);
    if (!file) {
      results.push({
        ...placeOf(record),
        action: "skipped",
        ...noOutcome(),
        message: `${record.env} is not reachable from here`,
      });
      continue;
    }
    const undo = await make(target, state);
    if (undo) work.push({ target, file, undo });
  }
  return { results, work };
}

/** What each undo would do to the file as it is now: the plan the checks and records below use. */
async function planUndos(work: readonly UndoWork[]): Promise<Map<string, Planned>> {
  const planned = new Map<string, Planned>();
  for (const { target, file, undo } of work) {
    try {
      const before = await readTextOrNull(file);
      planned.set(target.key, { before, ...undo.compute(before) });
    } catch (error) {
      planned.set(target.key, { error });
    }
  }
  return planned;
}

const readyPlan = (planned: ReadonlyMap<string, Planned>, key: string) => {
  const plan = planned.get(key);
  return plan && !("error" in plan) ? plan : undefined;
};

/** A dry run: each file's text before and after, and the state as the run would record it (a copy). */
async function previewUndos(
  machine: Machine,
  state: State,
  work: readonly UndoWork[],
  planned: ReadonlyMap<string, Planned>,
  options: RunOptions,
): Promise<{ results: UndoResult[]; state: State }> {
  const projected = structuredClone(state);
  const results: UndoResult[] = [];
  for (const { target, file, undo } of work) {
    const from = undo.from ? { from: undo.from } : {};
    // Every target of the work was planned.
    const plan = planned.get(target.key);
    if (!plan) throw new Error(`${target.key} was not planned`);
    if ("error" in plan) {
      results.push(await failedUndo(machine, target, file, from, plan.error));
      continue;
    }
    const { before, after, outcome } = plan;
    const { records, ...shown } = outcome;
    if (records) applyRecords(projected, target, records, options.recordRun);
    results.push({
      ...placeOf(target.record),
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

/** A read-only file that would change stops the run before anything is written (exit 2). */
function refuseReadOnly(work: readonly UndoWork[], planned: ReadonlyMap<string, Planned>): void {
  const refused: UsageError[] = [];
  for (const { target, file } of work) {
    if (target.record.env.startsWith("windows") || !isReadOnly(inspectFile(file))) continue;
    if (readyPlan(planned, target.key)?.after != null) refused.push(readOnlyError(target.record.path));
  }
  if (refused.length > 0) throw new UsageErrors(refused);
}

/**
 * The entries each undo puts back as mcp-twin's are recorded (as pending hashes, as sync records a
 * planned write) before any file is touched, so a run stopped half-way leaves them recognised.
 */
async function recordUndoIntent(
  machine: Machine,
  state: State,
  work: readonly UndoWork[],
  planned: ReadonlyMap<string, Planned>,
): Promise<void> {
  const intents: Intent[] = [];
  for (const { target } of work) {
    const plan = readyPlan(planned, target.key);
    if (!plan || plan.after === null || !plan.outcome.records) continue;
    const entries = Object.entries(plan.outcome.records.own);
    if (entries.length === 0) continue;
    intents.push({ record: () => (state.targets[target.key] ??= target.record), entries });
  }
  await recordIntent(state, machine.paths.state, intents);
}

/** One target's undo through sync's write sequence, then ownership as the undo decided it. */
async function writeUndo(
  machine: Machine,
  state: State,
  { target, file, undo }: UndoWork,
  owned: readonly string[],
  options: RunOptions & { run: string },
  progress: Progress,
): Promise<UndoResult> {
  const { key, record } = target;
  const from = undo.from ? { from: undo.from } : {};
  let outcome = noOutcome();
  try {
    // No line of its own: the report lists each file once, with what was done to it.
    const step = progress.step(`Updating ${record.path}`);
    const now = machine.host.now();
    const written = await writeTarget({
      id: backupTargetOf(key, record),
      file,
      compute: (current) => {
        const r = undo.compute(current);
        outcome = r.outcome;
        return r.after;
      },
      owned,
      edited: (current) => {
        try {
          return handEdits(readTargetEntries(seamOf(record), current), record.entries);
        } catch {
          return {}; // a file that does not parse holds no entry to judge
        }
      },
      firstChange: !record.lastRun && !target.fromBackups,
      backupsDir: machine.paths.backups,
      keys: options.keys,
      now,
      force: options.force,
    }).finally(() => step.stop());
    // Only what mcp-twin created is left ("{}"): the file goes, as it was before mcp-twin.
    const deleted =
      written.written && outcome.deleted === true && (await removeIfUnchanged(file, written.after));
    if (!state.targets[key]) state.targets[key] = record;
    if (outcome.records) applyRecords(state, target, outcome.records, options.recordRun);
    const touched = [...outcome.removed, ...outcome.givenBack, ...outcome.restored];
    recordRun(
      state,
      key,
      options.recordRun && written.written
        ? { id: options.run, now, backup: written.backup, touched }
        : undefined,
    );
    const { deleted: _planned, records: _records, ...done } = outcome;
    return {
      ...placeOf(record),
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
    };
  } catch (error) {
    return failedUndo(machine, target, file, from, error);
  }
}

/** Remove the file when it still holds exactly what was written. */
async function removeIfUnchanged(file: string, written: string | null): Promise<boolean> {
  if ((await readTextOrNull(file)) !== written) return false;
  await removePath(inspectFile(file).real);
  return true;
}

function placeOf(record: TargetRecord) {
  return { env: record.env, client: record.client, scope: record.scope, path: record.path };
}

/** A file the undo could not be applied to, with the repair for one that does not parse. */
async function failedUndo(
  machine: Machine,
  target: UndoTarget,
  file: string,
  from: { from?: string },
  error: unknown,
): Promise<UndoResult> {
  return {
    ...placeOf(target.record),
    action: "failed",
    ...noOutcome(),
    ...from,
    message: messageOf(error),
    ...(await repairOf(machine, target, file, error)),
  };
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
  const rec = state.targets[target.key] ?? target.record;
  state.targets[target.key] = rec;
  for (const name of records.drop) delete rec.entries[name];
  for (const [name, r] of Object.entries(records.own)) rec.entries[name] = r;
  if (!recordRun) delete rec.lastRun;
  return rec;
}

/**
 * A file that does not parse is left as it is: the result says so, with the one advice sync,
 * status and doctor give for it (core/clients/unreadable-target.ts) — fix it by hand, or put it back from a backup.
 */
async function repairOf(
  machine: Machine,
  target: UndoTarget,
  file: string,
  error: unknown,
): Promise<{ unparsable?: true; fix?: string }> {
  if (!(error instanceof UsageError) || error.code !== "config-parse") return {};
  // The backups only add a hint to the error shown: without them the error still stands.
  const kept = await repairSources(machine.paths.backups, target.key).catch(() => []);
  return {
    unparsable: true,
    fix: unparsableFix({
      restorePath: target.record.path,
      shown: machine.shown(file),
      ...backupCounts(kept),
      owned: Object.keys(target.record.entries).length,
      line: error.location?.line,
      column: error.location?.column,
      problem: parseProblem(error.message),
    }),
  };
}

function messageOf(error: unknown): string {
  return isTwinError(error) ? error.message : (error as Error).message;
}
