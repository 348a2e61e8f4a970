/**
 * Apply target plans: state first (pending hashes), then for each changed target a backup in the
 * home and a compare-and-swap replace. If an app rewrote a file after we planned it, the plan is
 * made again on the fresh text. Every file ends either as it was or fully updated.
 */

import type { BuiltEntry } from "../entries/target-entry.js";
import { isTwinError } from "../errors.js";
import { dict, own } from "../own-keys.js";
import { removeStaleTemps, replaceFile } from "../system/files.js";
import { keepBackup, noteOriginal, saveHandWritten } from "../undo/backups.js";
import { type State, saveState, type TargetRecord } from "./state.js";
import type { TargetPlan } from "./target-plan.js";
import { planTarget } from "./target-plan.js";

export interface ApplyContext {
  state: State;
  stateFile: string;
  backupsDir: string;
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

export interface ApplyResult {
  plan: TargetPlan;
  written: boolean;
  error?: string;
}

export async function applyPlans(plans: readonly TargetPlan[], ctx: ApplyContext): Promise<ApplyResult[]> {
  const { state } = ctx;
  const stateBefore = ctx.stateBefore ?? JSON.stringify(state);
  // What mcp-twin owns in each file before this run (step 1 adds pending names): kept with backups.
  const ownedBefore = new Map(
    plans.map((p) => [p.target.key, Object.keys(state.targets[p.target.key]?.entries ?? {})]),
  );
  // 1. Record intent before touching any target, so a killed run's entries still look like ours.
  for (const plan of plans) {
    if (plan.after === null) continue;
    const rec = ensureRecord(state, plan);
    for (const [name, hash] of Object.entries(plan.pending)) {
      const existing = own(rec.entries, name);
      rec.entries[name] = existing
        ? { ...existing, pending: [...new Set([...(existing.pending ?? []), hash])] }
        : { hash, pending: [hash] };
    }
  }
  if (plans.some((p) => p.after !== null)) await saveState(ctx.stateFile, state);

  // 2. Write each target.
  const results: ApplyResult[] = [];
  for (const planned of plans) {
    if (ctx.signal?.aborted) break;
    if (planned.after === null) {
      commitRecords(state, planned, undefined);
      results.push({ plan: planned, written: false });
      continue;
    }
    const { target } = planned;
    let final = planned;
    let backup: string | undefined;
    const id = {
      key: target.key,
      env: target.env.id,
      client: target.client.id,
      scope: target.scope,
      path: target.path,
    };
    // A target state knows no earlier change of: what it holds now is its original.
    const firstChange = !state.targets[target.key]?.lastRun;
    const owned = ownedBefore.get(target.key) ?? [];
    try {
      await removeStaleTemps(target.file);
      if (Object.keys(planned.takenOver).length > 0)
        await saveHandWritten(ctx.backupsDir, id, planned.takenOver);
      const result = await replaceFile(
        target.file,
        (current) => {
          if (current !== planned.before) {
            const desired = ctx.desired.get(target.key) ?? new Map();
            final = planTarget(target, current, desired, state.targets[target.key], { force: ctx.force });
          } else {
            final = planned;
          }
          return final.after;
        },
        {
          force: ctx.force,
          beforeRename: async (current) => {
            ctx.signal?.throwIfAborted();
            if (current === null) {
              if (firstChange) await noteOriginal(ctx.backupsDir, id, null, ctx.now, owned);
            } else if (backup === undefined)
              backup = await keepBackup(ctx.backupsDir, id, current, ctx.now, { owned, firstChange });
          },
        },
      );
      const late = Object.fromEntries(
        Object.entries(final.takenOver).filter(([name]) => !Object.hasOwn(planned.takenOver, name)),
      );
      if (result.written && Object.keys(late).length > 0) await saveHandWritten(ctx.backupsDir, id, late);
      commitRecords(state, final, result.written ? { backup, now: ctx.now } : undefined);
      results.push({ plan: final, written: result.written });
    } catch (error) {
      if (ctx.signal?.aborted) break;
      results.push({
        plan: final,
        written: false,
        error: isTwinError(error) ? error.message : `${target.file}: ${(error as Error).message}`,
      });
    }
  }
  if (JSON.stringify(state) !== stateBefore) await saveState(ctx.stateFile, state);
  ctx.signal?.throwIfAborted();
  return results;
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
  written: { backup: string | undefined; now: Date } | undefined,
): void {
  const touched = [...plan.added, ...plan.updated, ...plan.removed];
  if (Object.keys(plan.records).length === 0 && !state.targets[plan.target.key]) return;
  const rec = ensureRecord(state, plan);
  rec.entries = plan.records;
  if (written && touched.length > 0)
    rec.lastRun = {
      at: written.now.toISOString(),
      ...(written.backup ? { backup: written.backup } : {}),
      touched,
    };
  if (Object.keys(rec.entries).length === 0 && !rec.lastRun) delete state.targets[plan.target.key];
}
