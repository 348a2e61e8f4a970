/**
 * What restore and uninstall share: the targets to work on (from state, and from backups when
 * state has lost one), and one runner that applies an undo to each file under the home's lock —
 * compare-and-swap like sync (the edit is recomputed on the fresh text when an app rewrote the
 * file), a backup first, ownership in state updated after.
 */

import { type BackupTarget, backedUpTargets, backupProblems, keepBackup } from "./backups.js";
import { CLIENTS } from "./clients/index.js";
import { detectEnvironments } from "./environments/detect.js";
import type { Environment } from "./environments/types.js";
import { isTwinError, type UsageError, UsageErrors } from "./errors.js";
import {
  inspectFile,
  isReadOnly,
  readOnlyError,
  readTextOrNull,
  removePath,
  replaceFile,
  withLock,
} from "./files.js";
import { loadFormats } from "./formats/index.js";
import type { Machine } from "./machine.js";
import type { Progress } from "./progress.js";
import { loadState, type State, saveState, type TargetRecord } from "./state.js";

export interface UndoResult {
  env: string;
  client: string;
  scope: string;
  path: string;
  action: "updated" | "unchanged" | "skipped" | "failed";
  /** Entries put back as they were in a backup. */
  restored: string[];
  /** Entries removed. */
  removed: string[];
  /** Entries given back in their hand-written form (uninstall of adopted entries). */
  givenBack: string[];
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
  before?: string | null;
  after?: string | null;
}

export interface Outcome {
  restored: string[];
  removed: string[];
  givenBack: string[];
  kept: string[];
  notes: string[];
  wholeFile?: string;
  /** Remove the file after the write when it still holds exactly what was written. */
  deleted?: boolean;
}

export const noOutcome = (): Outcome => ({ restored: [], removed: [], givenBack: [], kept: [], notes: [] });

export interface Undo {
  /** The new text for the file's current text (null: leave the file as it is). Pure. */
  compute(current: string | null): { after: string | null; outcome: Outcome };
  /** Ownership in state after the file was written (or found unchanged). */
  commit(state: State, outcome: Outcome, written: { backup?: string; at: string } | undefined): void;
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
 * results then carry the file's text before and after for a preview.
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
    // A read-only file that would change stops the run before anything is written (exit 2).
    if (!options.dryRun && !options.force) {
      const refused: UsageError[] = [];
      for (const { target, file, undo } of work) {
        if (target.record.env.startsWith("windows") || !isReadOnly(inspectFile(file))) continue;
        let after: string | null = null;
        try {
          after = undo.compute(await readTextOrNull(file)).after;
        } catch {
          // reported by the run itself
        }
        if (after !== null) refused.push(readOnlyError(target.record.path));
      }
      if (refused.length > 0) throw new UsageErrors(refused);
    }
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
        if (options.dryRun) {
          const before = await readTextOrNull(file);
          const after = compute(before);
          results.push({
            ...base,
            action: after === null ? "unchanged" : "updated",
            ...outcome,
            ...from,
            before,
            after,
          });
          continue;
        }
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
                  owned: Object.keys(record.entries),
                  firstChange: !record.lastRun && !target.fromBackups,
                },
              );
          },
        }).catch((error) => {
          step.fail();
          throw error;
        });
        if (written.written && outcome.deleted) {
          // Only what mcp-twin created is left ("{}"): the file goes, as it was before mcp-twin.
          if ((await readTextOrNull(file)) === written.after) await removePath(inspectFile(file).real);
        }
        if (!state.targets[key]) state.targets[key] = record;
        undo.commit(
          state,
          outcome,
          written.written
            ? { ...(backup ? { backup } : {}), at: machine.host.now().toISOString() }
            : undefined,
        );
        if (options.recordRun && written.written) {
          const rec = state.targets[key]!;
          const touched = [...outcome.removed, ...outcome.givenBack, ...outcome.restored];
          rec.lastRun = {
            at: machine.host.now().toISOString(),
            ...(backup ? { backup } : {}),
            touched,
          };
        }
        const rec = state.targets[key];
        if (rec && Object.keys(rec.entries).length === 0 && !rec.lastRun) delete state.targets[key];
        results.push({
          ...base,
          action: written.written ? "updated" : "unchanged",
          ...outcome,
          ...from,
          ...(written.written ? { before: written.before, after: written.after } : {}),
        });
        step.succeed(`${record.path}: ${written.written ? "updated" : "unchanged"}`);
      } catch (error) {
        results.push({
          ...base,
          action: "failed",
          ...noOutcome(),
          ...from,
          message: isTwinError(error) ? error.message : (error as Error).message,
        });
      }
    }
    if (!options.dryRun) await saveState(machine.paths.state, state);
    return { results, state };
  };
  return options.dryRun ? body() : withLock(machine.home.dir, body);
}
