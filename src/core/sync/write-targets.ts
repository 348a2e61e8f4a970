/**
 * Writes sync's target plans through the one write sequence (ledger/write-sequence.ts), each planned
 * again on fresh text when an app rewrote it; every file ends either as it was or fully updated.
 */

import type { Target } from "../clients/types.js";
import type { BuiltEntry } from "../entries/target-entry.js";
import { isTwinError } from "../errors.js";
import { readTargetEntries } from "../formats/index.js";
import { saveHandWritten, sealOldBackups } from "../ledger/backups.js";
import type { KeyValues } from "../ledger/sealed-keys.js";
import { type EntryRecord, handEdits, type State, saveState, type TargetRecord } from "../ledger/state.js";
import { newRunId, recordChange, recordIntent, recordRun, writeTarget } from "../ledger/write-sequence.js";
import { dict } from "../plain-records.js";
import type { TargetPlan } from "./target-plan.js";
import { planTarget } from "./target-plan.js";

export interface TargetWriteContext {
  state: State;
  /** This run's id (made when not given): every target it writes records it. */
  run?: string;
  stateFile: string;
  backupsDir: string;
  /** The store's keys: sealed out of every backup the run takes. */
  keys: KeyValues;
  /** What changes with them (manifest/secrets-file.ts keysChangeMark), taken before they were read. */
  keysChangeMark: string;
  now: Date;
  force: boolean;
  /** The desired entries each plan was made from, to plan again on fresh text. */
  desired: ReadonlyMap<string, ReadonlyMap<string, BuiltEntry>>;
  /** Ctrl-C: no target is written after it (state still records what was), then its reason is thrown. */
  signal?: AbortSignal;
  /**
   * State as it was before the run (JSON), when the run changed it before these plans (versions
   * resolved, packages installed): saved at the end whenever it differs. Default: as given here.
   */
  stateBefore?: string;
}

export interface TargetWritten {
  plan: TargetPlan;
  written: boolean;
  error?: string;
}

export async function writeTargets(
  plans: readonly TargetPlan[],
  ctx: TargetWriteContext,
): Promise<TargetWritten[]> {
  const { state } = ctx;
  const stateBefore = ctx.stateBefore ?? JSON.stringify(state);
  const run = ctx.run ?? newRunId(ctx.now);
  // What mcp-twin owns in each file before this run (the intent adds pending names): kept with backups.
  const ownedBefore = new Map(
    plans.map((p) => [p.target.key, Object.keys(state.targets[p.target.key]?.entries ?? {})]),
  );
  await recordIntent(
    state,
    ctx.stateFile,
    plans
      .filter((plan) => plan.after !== null)
      .map((plan) => ({
        record: () => ensureRecord(state, plan),
        entries: Object.entries(plan.pending).map(([name, hash]): [string, EntryRecord] => [name, { hash }]),
      })),
  );
  const results: TargetWritten[] = [];
  for (const planned of plans) {
    if (ctx.signal?.aborted) break;
    if (planned.after === null) {
      commitRecords(state, planned, undefined);
      results.push({ plan: planned, written: false });
      continue;
    }
    const result = await applyPlan(planned, { ...ctx, run }, ownedBefore.get(planned.target.key) ?? []);
    if (!result) break;
    results.push(result);
  }
  recordChange(state, { run, at: ctx.now.toISOString(), by: "sync" });
  if (JSON.stringify(state) !== stateBefore) await saveState(ctx.stateFile, state);
  // Backups an older version left holding keys are sealed too, once the run is recorded (a no-op
  // run reads none).
  if (results.some((r) => r.written)) await sealOldBackups(ctx.backupsDir, ctx.keys, ctx.keysChangeMark);
  ctx.signal?.throwIfAborted();
  return results;
}

/**
 * One target through the write sequence: hand-written forms kept, the file replaced (planned
 * again on fresh text when an app rewrote it), ownership committed. Undefined: stopped by Ctrl-C.
 */
async function applyPlan(
  planned: TargetPlan,
  ctx: TargetWriteContext & { run: string },
  owned: readonly string[],
): Promise<TargetWritten | undefined> {
  const { state } = ctx;
  const { target } = planned;
  let final = planned;
  const id = {
    key: target.key,
    env: target.env.id,
    client: target.client.id,
    scope: target.scope,
    path: target.path,
  };
  try {
    if (Object.keys(planned.takenOver).length > 0)
      await saveHandWritten(ctx.backupsDir, id, planned.takenOver, ctx.keys);
    const result = await writeTarget({
      id,
      file: target.file,
      compute: (current) => {
        if (current !== planned.before) {
          const desired = ctx.desired.get(target.key) ?? new Map();
          final = planTarget(target, current, desired, state.targets[target.key], { force: ctx.force });
        } else {
          final = planned;
        }
        return final.after;
      },
      owned,
      edited: (current) => editsIn(target, current, state.targets[target.key]?.entries ?? {}),
      // A target state knows no earlier change of: what it holds now is its original.
      firstChange: !state.targets[target.key]?.lastRun,
      backupsDir: ctx.backupsDir,
      keys: ctx.keys,
      now: ctx.now,
      force: ctx.force,
      signal: ctx.signal,
    });
    const late = Object.fromEntries(
      Object.entries(final.takenOver).filter(([name]) => !Object.hasOwn(planned.takenOver, name)),
    );
    if (result.written && Object.keys(late).length > 0)
      await saveHandWritten(ctx.backupsDir, id, late, ctx.keys);
    commitRecords(
      state,
      final,
      result.written ? { id: ctx.run, backup: result.backup, now: ctx.now } : undefined,
    );
    return { plan: final, written: result.written };
  } catch (error) {
    if (ctx.signal?.aborted) return undefined;
    return {
      plan: final,
      written: false,
      error: isTwinError(error) ? error.message : `${target.file}: ${(error as Error).message}`,
    };
  }
}

/** The entries of mcp-twin's the text holds edited by hand (kept with its backup, for restore). */
function editsIn(target: Target, text: string, owned: TargetRecord["entries"]): Record<string, string> {
  try {
    return handEdits(readTargetEntries(target, text), owned);
  } catch {
    return {}; // a file that does not parse holds no entry to judge
  }
}

function ensureRecord(state: State, plan: TargetPlan): TargetRecord {
  const { target } = plan;
  const existing = state.targets[target.key];
  if (existing) return existing;
  const created: TargetRecord = {
    env: target.env.id,
    client: target.client.id,
    scope: target.scope,
    path: target.path,
    entries: dict(),
  };
  state.targets[target.key] = created;
  return created;
}

/** After a write (or none), ownership is exactly what the final plan says. */
function commitRecords(
  state: State,
  plan: TargetPlan,
  written: { id: string; backup: string | undefined; now: Date } | undefined,
): void {
  const touched = [...plan.added, ...plan.updated, ...plan.removed];
  if (Object.keys(plan.records).length === 0 && !state.targets[plan.target.key]) return;
  const rec = ensureRecord(state, plan);
  rec.entries = plan.records;
  recordRun(state, plan.target.key, written && touched.length > 0 ? { ...written, touched } : undefined);
}
