/**
 * restore: undo mcp-twin's changes to a target from its backups.
 *
 * - By default it puts back the entries the last change touched (a sync, or an uninstall), as
 *   they were in that change's backup.
 * - `--from <backup>` / `--original` put back mcp-twin's entries as of that backup: every entry
 *   mcp-twin owns now or owned then gets the backup's value, or goes when the backup lacks it.
 * - Only entries, never the rest of the file, because apps (Claude Code) keep their own state in
 *   the same file — unless the file no longer parses (or is gone and a backup was named): then
 *   the whole file is put back from the backup (by default the newest one).
 */

import { type BackupInfo, listBackups, loadHandWritten, readBackup } from "./backups.js";
import { shellQuote } from "./environments/paths.js";
import { UsageError } from "./errors.js";
import { editTargetEntries, readTargetEntries } from "./formats/index.js";
import type { Machine } from "./machine.js";
import type { EntryEdit } from "./merge.js";
import type { Progress } from "./progress.js";
import { unknownName } from "./selectors.js";
import { entryHash, loadState, type State, type TargetRecord } from "./state.js";
import {
  knownTargets,
  noOutcome,
  type Outcome,
  runUndo,
  seamOf,
  type Undo,
  type UndoResult,
  type UndoTarget,
} from "./undo.js";

export type { UndoResult } from "./undo.js";

export interface RestoreOptions {
  target?: string | undefined;
  /** A backup's name (as `--list` shows it) or path. */
  from?: string | undefined;
  original?: boolean;
  dryRun: boolean;
  force?: boolean;
}

/**
 * `target`: a path (as recorded, as shown — inside WSL a Windows file as C:\… — or as opened here:
 * /mnt/c/…, which `shown` turns into the recorded form) or `env:client` / `client`.
 */
function matchTarget(
  spec: string | undefined,
  record: TargetRecord,
  shown: (file: string) => string,
): boolean {
  if (!spec) return true;
  if (spec === record.path || spec === record.client || spec === `${record.env}:${record.client}`)
    return true;
  const norm = (p: string) => p.replace(/\\/g, "/");
  return norm(record.path).endsWith(norm(shown(spec)));
}

export interface TargetBackups {
  env: string;
  client: string;
  scope: string;
  path: string;
  backups: BackupInfo[];
}

/** `restore --list`: every target's backups (the original first, then newest first). */
export async function listTargetBackups(
  machine: Machine,
  options: { target?: string | undefined },
): Promise<TargetBackups[]> {
  const state = await loadState(machine.paths.state);
  const targets = selectTargets(
    await knownTargets(state, machine.paths.backups),
    options.target,
    machine.shown,
  );
  const listed = await Promise.all(
    targets.map(async (t) => ({
      env: t.record.env,
      client: t.record.client,
      scope: t.record.scope,
      path: t.record.path,
      backups: await listBackups(machine.paths.backups, t.key),
    })),
  );
  return listed.filter((t) => t.backups.length > 0 || options.target);
}

function selectTargets(
  all: UndoTarget[],
  spec: string | undefined,
  shown: (file: string) => string,
): UndoTarget[] {
  const chosen = all.filter((t) => matchTarget(spec, t.record, shown));
  if (spec && chosen.length === 0) {
    throw unknownName({
      code: "unknown-target",
      given: "restore",
      name: spec,
      isNot: "no target of that name was changed by a sync",
      knownAs: "Targets mcp-twin changed (env:client, or the file's path)",
      known: [...new Set(all.map((t) => `${t.record.env}:${t.record.client}`))].sort(),
      noneKnown: "No sync has changed a target yet.",
      candidates: [
        ...new Set(
          all.flatMap((t) => [`${t.record.env}:${t.record.client}`, t.record.client, t.record.path]),
        ),
      ],
    });
  }
  return chosen;
}

/**
 * The backup `--from` names, in the selected targets: by name, path (as this process opens it, or
 * as `--list` shows it: inside WSL a file on a Windows drive as C:\…), or its time.
 */
async function findBackup(
  machine: Machine,
  targets: UndoTarget[],
  spec: string,
): Promise<{ target: UndoTarget; backup: BackupInfo }> {
  const hits: Array<{ target: UndoTarget; backup: BackupInfo }> = [];
  const norm = (p: string) => p.replace(/\\/g, "/");
  const given = norm(machine.shown(spec));
  for (const target of targets)
    for (const backup of await listBackups(machine.paths.backups, target.key))
      if (
        backup.name === spec ||
        norm(machine.shown(backup.file)) === given ||
        norm(machine.shown(backup.file)).endsWith(`/${given}`) ||
        backup.at === spec ||
        (spec === "original" && backup.original)
      )
        hits.push({ target, backup });
  if (hits.length === 1) return hits[0]!;
  if (hits.length === 0)
    throw new UsageError("unknown-backup", `No backup "${spec}" of ${describe(targets)}.`, {
      hint: "Run `mcp-twin restore --list` to see the backups, and pass a name or path it shows.",
    });
  throw new UsageError(
    "ambiguous-backup",
    `"${spec}" names a backup of several targets: ${hits.map((h) => h.target.record.path).join(", ")}.`,
    { hint: "Name the target too: `mcp-twin restore <target> --from <backup>`." },
  );
}

function describe(targets: UndoTarget[]): string {
  return targets.length === 1 ? targets[0]!.record.path : "any target";
}

export async function restoreTargets(
  machine: Machine,
  options: RestoreOptions,
  progress: Progress,
): Promise<UndoResult[]> {
  if (options.from && options.original)
    throw new UsageError("bad-usage", "--from and --original choose the backup two ways: pass one.");
  // Choose up front (exit 2 for a bad name, before anything is written).
  const stateNow = await loadState(machine.paths.state);
  const all = await knownTargets(stateNow, machine.paths.backups);
  const selected = selectTargets(all, options.target, machine.shown);
  let chosen: { key: string; backup: BackupInfo } | undefined;
  if (options.from) {
    const hit = await findBackup(machine, selected, options.from);
    chosen = { key: hit.target.key, backup: hit.backup };
  }
  if (options.original && options.target) {
    const missing: UndoTarget[] = [];
    for (const t of selected)
      if (!(await listBackups(machine.paths.backups, t.key)).some((b) => b.original)) missing.push(t);
    if (missing.length === selected.length) throw await noOriginal(machine, missing[0]!);
  }
  const explicit = Boolean(options.target);

  const { results } = await runUndo(
    machine,
    async (state) =>
      selectTargets(await knownTargets(state, machine.paths.backups), options.target, machine.shown).filter(
        (t) => (chosen ? t.key === chosen.key : true),
      ),
    async (target) => {
      const backups = await listBackups(machine.paths.backups, target.key);
      const { record } = target;
      const hand = await loadHandWritten(machine.paths.backups, target.key);
      if (chosen || options.original) {
        const backup = chosen?.backup ?? backups.find((b) => b.original);
        if (!backup) return skip((await noOriginal(machine, target)).message);
        const names = new Set([
          ...Object.keys(record.entries),
          ...(backup.owned ?? []),
          ...(record.lastRun?.touched ?? []),
        ]);
        return asOf(record, backup, await readBackup(backup), names, hand, { wholeWhenAbsent: true });
      }
      // The default: undo the last change; a file that does not parse comes back whole.
      const newest = backups.find((b) => !b.original) ?? backups.find((b) => b.original && !b.absent);
      const last = record.lastRun?.backup
        ? backups.find((b) => b.file === record.lastRun!.backup)
        : undefined;
      if (!record.lastRun && !explicit) return undefined;
      if (!record.lastRun) {
        // Named by the user without a change to undo: still repair a file that does not parse.
        if (!newest) return skip("mcp-twin has no backup of this file.");
        return wholeOnly(record, newest, await readBackup(newest));
      }
      const backupText = last ? await readBackup(last) : null;
      const lastInfo: BackupInfo = last ?? {
        file: record.lastRun.backup ?? "",
        name: "(none: the file did not exist)",
        at: record.lastRun.at,
        original: false,
        size: 0,
      };
      // A file gone since (an uninstall removed one mcp-twin had created) comes back whole.
      const undo = asOf(record, lastInfo, backupText, new Set(record.lastRun.touched), hand, {
        wholeWhenAbsent: true,
      });
      if (!newest) return undo;
      // When the file does not parse, the newest backup is the best known good state.
      const repair = wholeOnly(record, newest, await readBackup(newest));
      return {
        from: undo.from,
        compute: (current) =>
          current !== null && !parses(current, record) ? repair.compute(current) : undo.compute(current),
        commit: (state, outcome, written) =>
          outcome.wholeFile ? repair.commit(state, outcome, written) : undo.commit(state, outcome, written),
      };
    },
    { dryRun: options.dryRun, force: Boolean(options.force), recordRun: false },
    progress,
  );
  return results;
}

async function noOriginal(machine: Machine, target: UndoTarget): Promise<UsageError> {
  const oldest = (await listBackups(machine.paths.backups, target.key)).filter((b) => !b.original).pop();
  return new UsageError(
    "no-original",
    `mcp-twin kept no original of ${target.record.path}: it changed the file before it kept originals.`,
    {
      hint: oldest
        ? `The oldest backup it has is ${oldest.name}: \`mcp-twin restore ${shellQuote(target.record.path)} --from ${oldest.name}\`.`
        : "It has no backup of this file either.",
    },
  );
}

function skip(message: string): Undo {
  return {
    compute: () => ({ after: null, outcome: { ...noOutcome(), notes: [message] } }),
    commit: () => {},
  };
}

function parses(text: string, record: TargetRecord): boolean {
  try {
    readTargetEntries(seamOf(record), text);
    return true;
  } catch {
    return false;
  }
}

function whole(backup: BackupInfo, text: string | null): { after: string | null; outcome: Outcome } {
  if (text === null)
    return { after: null, outcome: { ...noOutcome(), notes: ["no backup with content to put back"] } };
  return { after: text, outcome: { ...noOutcome(), wholeFile: backup.name } };
}

/** Only repair: put the whole file back when it does not parse, else leave it. */
function wholeOnly(record: TargetRecord, backup: BackupInfo, text: string | null): Undo {
  return {
    from: backup.name,
    compute: (current) =>
      current !== null && !parses(current, record)
        ? whole(backup, text)
        : {
            after: null,
            outcome: { ...noOutcome(), notes: ["it parses and no change of mcp-twin is left to undo"] },
          },
    commit: (state, outcome) => commitAsOf(state, record, names(record), entriesOf(text, record), outcome),
  };
}

function names(record: TargetRecord): Set<string> {
  return new Set(Object.keys(record.entries));
}

function entriesOf(text: string | null, record: TargetRecord): Record<string, unknown> {
  if (text === null) return {};
  return readTargetEntries(seamOf(record), text);
}

/**
 * Put `names` back as they are in `backup` (removed when it lacks them); the whole file when the
 * current one does not parse (or, with `wholeWhenAbsent`, is gone).
 */
function asOf(
  record: TargetRecord,
  backup: BackupInfo,
  backupText: string | null,
  names: Set<string>,
  hand: Record<string, unknown>,
  options: { wholeWhenAbsent: boolean },
): Undo {
  const previous = entriesOf(backupText, record);
  return {
    from: backup.name,
    compute: (current) => {
      if (current === null) {
        if (options.wholeWhenAbsent) return whole(backup, backupText);
        return { after: null, outcome: { ...noOutcome(), notes: ["the file does not exist"] } };
      }
      if (!parses(current, record)) return whole(backup, backupText);
      const entries = readTargetEntries(seamOf(record), current);
      const edits: EntryEdit[] = [];
      const outcome = noOutcome();
      for (const name of names) {
        if (Object.hasOwn(previous, name)) {
          if (!Object.hasOwn(entries, name) || entryHash(entries[name]) !== entryHash(previous[name])) {
            edits.push({ name, value: previous[name] });
            outcome.restored.push(name);
          }
        } else if (Object.hasOwn(entries, name)) {
          edits.push({ name, remove: true });
          outcome.removed.push(name);
        }
      }
      return {
        after: edits.length > 0 ? editTargetEntries(seamOf(record), current, edits) : null,
        outcome,
      };
    },
    commit: (state, outcome) => commitAsOf(state, record, names, previous, outcome, hand),
  };
}

/** After a restore, mcp-twin owns the entries it put back (as they are now), and no change is left to undo. */
function commitAsOf(
  state: State,
  record: TargetRecord,
  names: Set<string>,
  previous: Record<string, unknown>,
  outcome: Outcome,
  hand: Record<string, unknown> = {},
): void {
  void state; // `record` is the live record in state (runUndo puts back one only backups knew)
  const rec = record;
  const all = outcome.wholeFile ? new Set([...names, ...Object.keys(rec.entries)]) : names;
  for (const name of all) {
    if (!Object.hasOwn(previous, name)) {
      delete rec.entries[name];
      continue;
    }
    const existing = Object.hasOwn(rec.entries, name) ? rec.entries[name] : undefined;
    const handWritten =
      existing?.handWritten ?? (Object.hasOwn(hand, name) ? entryHash(hand[name]) : undefined);
    const hash = entryHash(previous[name]);
    rec.entries[name] = handWritten ? { hash, handWritten } : { hash };
  }
  delete rec.lastRun;
}
