/**
 * restore: undo mcp-twin's changes to a target from its backups — only its entries, never the rest of
 * the file, unless the file no longer parses.
 */

import type { Machine } from "../environments/machine.js";
import { shellQuote } from "../environments/path-translation.js";
import { UsageError } from "../errors.js";
import {
  type EntryEdit,
  editTargetEntries,
  formatOf,
  readTargetEntries,
  targetEntryText,
} from "../formats/index.js";
import {
  type BackupInfo,
  lastWritten,
  listBackups,
  loadHandWritten,
  readBackup as readBackupKeys,
} from "../ledger/backups.js";
import {
  type EntryRecord,
  entryHash,
  type LastChange,
  loadState,
  type State,
  type TargetRecord,
} from "../ledger/state.js";
import { keysOnce } from "../manifest/secrets-file.js";
import { own } from "../plain-records.js";
import { unknownName } from "../selectors.js";
import type { Progress } from "../system/progress.js";
import { backToModel, shapeOf } from "./original-shape.js";
import {
  knownTargets,
  noOutcome,
  type Outcome,
  runUndo,
  sayMissing,
  seamOf,
  type Undo,
  type UndoResult,
  type UndoTarget,
} from "./undo-runner.js";

export type { UndoResult } from "./undo-runner.js";

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
  const [only] = hits;
  if (only && hits.length === 1) return only;
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
  const [only] = targets;
  return only && targets.length === 1 ? only.record.path : "any target";
}

/**
 * Put back mcp-twin's entries of the selected targets from their backups:
 * - By default it undoes the last change (the last sync or uninstall that wrote a target): in each
 *   target that run wrote, the entries it touched go back as they were in that change's backup.
 * - A target named undoes that target's own last change.
 * - `--from <backup>` / `--original` put back mcp-twin's entries as of that backup: every entry
 *   mcp-twin owns now or owned then gets the backup's value, or goes when the backup lacks it.
 * - Only entries, never the rest of the file, because apps (Claude Code) keep their own state in
 *   the same file — unless the file no longer parses (or is gone and a backup was named): then
 *   the whole file is put back from the backup (by default the newest one).
 * - Ownership afterwards is what sync would have recorded: the entries put back that mcp-twin
 *   owned when the backup was taken are its own again (so uninstall and status know them), the
 *   others are the user's. An entry's text is spliced back as the backup holds it.
 */
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
    const [first] = missing;
    if (first && missing.length === selected.length) throw await noOriginal(machine, first);
  }
  const explicit = Boolean(options.target);
  // Without a target or a backup named: exactly the targets the last change wrote.
  const lastOnly = !explicit && !chosen && !options.original;
  const keys = keysOnce(machine.paths.secrets);

  const { results } = await runUndo(
    machine,
    async (state) =>
      selectTargets(await knownTargets(state, machine.paths.backups), options.target, machine.shown).filter(
        (t) => (chosen ? t.key === chosen.key : !lastOnly || ofLastChange(state, t.record)),
      ),
    async (target) => {
      // Keys a backup read names but the store no longer has (said with the file).
      const missing: string[] = [];
      const readBackup = (b: BackupInfo) => readBackupKeys(b, keys, missing);
      const backups = await listBackups(machine.paths.backups, target.key);
      const { record } = target;
      const ctx: Ctx = {
        record,
        // As it is before this run: its intent (write-sequence.ts) adds the entries it puts back.
        owned: structuredClone(record.entries),
        hand: await loadHandWritten(machine.paths.backups, target.key, keys),
      };
      if (chosen || options.original) {
        const backup = chosen?.backup ?? backups.find((b) => b.original);
        if (!backup) return skip((await noOriginal(machine, target)).message);
        const names = new Set([
          ...Object.keys(record.entries),
          ...(backup.owned ?? []),
          ...(record.lastRun?.touched ?? []),
        ]);
        return sayMissing(
          asOf(ctx, backup, await readBackup(backup), names, { wholeWhenAbsent: true }),
          missing,
        );
      }
      // The default: undo the last change; a file that does not parse comes back whole, as
      // mcp-twin last wrote it (else its newest backup).
      const newest =
        (await lastWritten(machine.paths.backups, target.key)) ??
        backups.find((b) => !b.original) ??
        backups.find((b) => b.original && !b.absent);
      const lastBackup = record.lastRun?.backup;
      const last = lastBackup ? backups.find((b) => b.file === lastBackup) : undefined;
      if (!record.lastRun && !explicit) return undefined;
      if (!record.lastRun) {
        // Named by the user without a change to undo: still repair a file that does not parse.
        if (!newest) return skip("mcp-twin has no backup of this file.");
        return wholeOnly(ctx, newest, await readBackup(newest));
      }
      // A backup that is gone (removed by hand) is not "no file before": nothing to go by.
      if (record.lastRun.backup && !last)
        return skip(
          "the backup taken before its last change is gone; `mcp-twin restore --list` shows the others",
        );
      const backupText = last ? await readBackup(last) : null;
      // No backup recorded: the change created the file.
      const lastInfo: BackupInfo = last ?? {
        file: "",
        name: "(none: the file did not exist)",
        at: record.lastRun.at,
        original: false,
        absent: true,
        size: 0,
        owned: [],
      };
      // A file gone since (an uninstall removed one mcp-twin had created) comes back whole.
      const undo = asOf(ctx, lastInfo, backupText, new Set(record.lastRun.touched), {
        wholeWhenAbsent: true,
      });
      if (!newest) return sayMissing(undo, missing);
      // When the file does not parse, what mcp-twin last wrote is the best known good state.
      const repair = wholeOnly(ctx, newest, await readBackup(newest));
      return sayMissing(
        {
          from: undo.from,
          compute: (current) =>
            current !== null && !parses(current, record) ? repair.compute(current) : undo.compute(current),
        },
        missing,
      );
    },
    { dryRun: options.dryRun, force: Boolean(options.force), recordRun: false, keys },
    progress,
  );
  return results;
}

/**
 * Was this target written by the last change? A state of a version that kept no run ids has no
 * last change: then every target's own last run counts.
 */
function ofLastChange(state: State, record: TargetRecord): boolean {
  if (!record.lastRun) return false;
  return state.lastChange ? record.lastRun.run === state.lastChange.run : record.lastRun.run === undefined;
}

/** Why a plain `restore` found nothing to undo: the last change (undone since), and the backups kept. */
export async function restoreHistory(
  machine: Machine,
): Promise<{ lastChange?: LastChange; files: number; backups: number }> {
  const state = await loadState(machine.paths.state);
  let files = 0;
  let backups = 0;
  for (const t of await knownTargets(state, machine.paths.backups)) {
    const kept = (await listBackups(machine.paths.backups, t.key)).filter((b) => !b.absent);
    if (kept.length > 0) files++;
    backups += kept.length;
  }
  return { ...(state.lastChange ? { lastChange: state.lastChange } : {}), files, backups };
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
  return { compute: () => ({ after: null, outcome: { ...noOutcome(), notes: [message] } }) };
}

function parses(text: string, record: TargetRecord): boolean {
  try {
    readTargetEntries(seamOf(record), text);
    return true;
  } catch {
    return false;
  }
}

/**
 * An entry of mcp-twin's whose value is not what it last wrote there (nor a write it planned):
 * edited by hand since. An entry it does not own is not its to judge.
 */
function editedByHand(owned: TargetRecord["entries"], name: string, value: unknown): boolean {
  const mine = own(owned, name);
  if (!mine) return false;
  const hash = entryHash(value);
  return hash !== mine.hash && !(mine.pending ?? []).includes(hash);
}

/** A target being restored: its live record in state, and the hand-written forms of what it adopted. */
interface Ctx {
  record: TargetRecord;
  /** What mcp-twin owned in it before this run (what judges a hand edit). */
  owned: TargetRecord["entries"];
  hand: Record<string, unknown>;
}

/**
 * Was `name` mcp-twin's when `backup` was taken? Its index says (`owned`); a backup of an older
 * version has no such record: then `fallback`.
 */
function ownedIn(backup: BackupInfo, name: string, fallback: boolean): boolean {
  return backup.owned ? backup.owned.includes(name) : fallback;
}

/**
 * The record sync keeps for an entry of mcp-twin's holding `value` put back from `backup`: its hash
 * — or, when the backup held it edited by hand, the hash mcp-twin had recorded then, so it is that
 * hand edit again (sync keeps it and says so) — and the hash of the form it was written in by hand
 * when mcp-twin adopted it (so uninstall can give that back).
 */
function recordFor(ctx: Ctx, name: string, value: unknown, backup?: BackupInfo): EntryRecord {
  const existing = own(ctx.record.entries, name);
  const handWritten =
    existing?.handWritten ?? (Object.hasOwn(ctx.hand, name) ? entryHash(ctx.hand[name]) : undefined);
  const edited = backup?.edited ? own(backup.edited, name) : undefined;
  const hash = edited ?? entryHash(value);
  return handWritten ? { hash, handWritten } : { hash };
}

/**
 * The whole file put back from `backup`: mcp-twin owns the entries in it that it owned when the
 * backup was taken (for a backup without that record: the ones it owns now, or `names`); every
 * other entry it recorded is no longer its own.
 */
function whole(
  ctx: Ctx,
  backup: BackupInfo,
  text: string | null,
  names: ReadonlySet<string>,
  current: string | null,
): { after: string | null; outcome: Outcome } {
  if (text === null)
    return { after: null, outcome: { ...noOutcome(), notes: ["no backup with content to put back"] } };
  let entries: Record<string, unknown> = {};
  try {
    entries = entriesOf(text, ctx.record);
  } catch {
    // A backup that does not parse either is still what the file held: nothing in it is ours.
  }
  const known = new Set([...names, ...Object.keys(ctx.record.entries)]);
  const records: NonNullable<Outcome["records"]> = { own: {}, drop: [] };
  for (const [name, value] of Object.entries(entries))
    if (ownedIn(backup, name, known.has(name))) records.own[name] = recordFor(ctx, name, value, backup);
  for (const name of Object.keys(ctx.record.entries))
    if (!Object.hasOwn(records.own, name)) records.drop.push(name);
  // A file that does not parse is not as mcp-twin wrote it (it writes none such): what is in it
  // now, and not in the backup, goes.
  const undoes = current !== null && current !== text ? { undoes: { file: true as const } } : {};
  return { after: text, outcome: { ...noOutcome(), wholeFile: backup.name, records, ...undoes } };
}

/** Only repair: put the whole file back when it does not parse, else leave it. */
function wholeOnly(ctx: Ctx, backup: BackupInfo, text: string | null): Undo {
  return {
    from: backup.name,
    compute: (current) =>
      current !== null && !parses(current, ctx.record)
        ? whole(ctx, backup, text, new Set(), current)
        : {
            after: null,
            outcome: { ...noOutcome(), notes: ["it parses and no change of mcp-twin is left to undo"] },
          },
  };
}

function entriesOf(text: string | null, record: TargetRecord): Record<string, unknown> {
  if (text === null) return {};
  return readTargetEntries(seamOf(record), text);
}

/**
 * Put `names` back as they are in `backup` (removed when it lacks them); the whole file when the
 * current one does not parse (or, with `wholeWhenAbsent`, is gone). Afterwards mcp-twin owns those
 * of `names` that the backup holds and it owned then — an entry it had taken over from you comes
 * back as yours.
 */
function asOf(
  ctx: Ctx,
  backup: BackupInfo,
  backupText: string | null,
  names: ReadonlySet<string>,
  options: { wholeWhenAbsent: boolean },
): Undo {
  const { record } = ctx;
  const previous = entriesOf(backupText, record);
  return {
    from: backup.name,
    compute: (current) => {
      if (current === null) {
        if (options.wholeWhenAbsent) return whole(ctx, backup, backupText, names, current);
        return { after: null, outcome: { ...noOutcome(), notes: ["the file does not exist"] } };
      }
      if (!parses(current, record)) return whole(ctx, backup, backupText, names, current);
      const entries = readTargetEntries(seamOf(record), current);
      const edits: EntryEdit[] = [];
      const outcome = noOutcome();
      const records: NonNullable<Outcome["records"]> = { own: {}, drop: [] };
      const edited: string[] = [];
      for (const name of names) {
        if (Object.hasOwn(entries, name) && editedByHand(ctx.owned, name, entries[name])) edited.push(name);
        if (Object.hasOwn(previous, name)) {
          if (!Object.hasOwn(entries, name) || entryHash(entries[name]) !== entryHash(previous[name])) {
            // As it was written in the backup, byte for byte where the format allows.
            const text = backupText === null ? undefined : targetEntryText(seamOf(record), backupText, name);
            edits.push({ name, value: previous[name], ...(text !== undefined ? { text } : {}) });
            outcome.restored.push(name);
          }
          if (ownedIn(backup, name, true)) records.own[name] = recordFor(ctx, name, previous[name], backup);
          else records.drop.push(name);
        } else {
          if (Object.hasOwn(entries, name)) {
            edits.push({ name, remove: true });
            outcome.removed.push(name);
          }
          records.drop.push(name);
        }
      }
      if (edits.length === 0) return { after: null, outcome: { ...outcome, records } };
      // Only the hand edits of entries this changes are lost.
      const lost = edited.filter((n) => edits.some((e) => e.name === n));
      if (lost.length > 0) outcome.undoes = { entries: lost };
      // The servers key mcp-twin added goes when the backup had none (with a file that then holds
      // nothing, when there was no file), as uninstall does it.
      const seam = seamOf(record);
      const shape = backup.absent ? "absent" : shapeOf(seam, backupText);
      const after = backToModel(seam, editTargetEntries(seam, current, edits), backupText, shape);
      if (
        backup.absent &&
        after.replace(/^\uFEFF/, "").trim() === (formatOf(seam.client).id === "json" ? "{}" : "")
      )
        outcome.deleted = true;
      return { after, outcome: { ...outcome, records } };
    },
  };
}
