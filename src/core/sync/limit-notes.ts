/**
 * What sync says of a client it has just put over its tool limit (Windsurf's 100, Copilot CLI's
 * 128): counted from the servers' known lists (the caches, the gateway's filled by this very run),
 * under that target's line, with where the fix is. Nothing when no list is known: nothing is guessed.
 */
import { clientBudgets } from "../budget/budget.js";
import { entriesInFiles } from "../budget/in-file.js";
import type { Target } from "../clients/types.js";
import type { Context } from "../context/context.js";
import { knownToolLists } from "../entries/desired.js";
import type { InstalledIndex } from "../packages/installs.js";
import type { SyncPlan } from "./plan.js";
import type { SyncReport } from "./report.js";
import type { TargetPlan } from "./target-plan.js";

/** Each written target over its limit: its line in the report gets the note. */
export async function noteOverLimits(
  report: SyncReport,
  ctx: Context,
  plan: SyncPlan,
  written: ReadonlyArray<{ plan: TargetPlan }>,
  index: InstalledIndex,
): Promise<void> {
  for (const { target, note } of await overLimitNotes(ctx, plan, written, index)) {
    const t = report.targets.find(
      (r) => r.env === target.env.id && r.client === target.client.id && r.scope === target.scope,
    );
    if (t) t.warnings = [...(t.warnings ?? []), note];
  }
}

/** Each written target over its limit, and the line its report gets. */
async function overLimitNotes(
  ctx: Context,
  plan: SyncPlan,
  written: ReadonlyArray<{ plan: TargetPlan }>,
  index: InstalledIndex,
): Promise<Array<{ target: Target; note: string }>> {
  const out: Array<{ target: Target; note: string }> = [];
  const limited = written
    .map((w) => w.plan)
    .filter((p) => p.target.client.toolBudget?.limit && p.after !== null);
  if (limited.length === 0) return out;
  const lists = await knownToolLists(
    ctx.machine,
    { servers: ctx.servers, bridge: plan.bridge, everyServer: true },
    index,
    plan.packages.versions,
  );
  if (!lists || lists.size === 0) return out;
  const targets = limited.map((p) => p.target);
  const texts = new Map(limited.map((p) => [p.target.key, p.after]));
  const inFiles = entriesInFiles(targets, texts, ctx.state, plan.desired);
  const keep = ctx.manifest.toolSearch?.keep ?? [];
  for (const b of clientBudgets(
    targets,
    plan.desired,
    inFiles,
    new Map(ctx.servers),
    lists,
    new Set(),
    keep,
  )) {
    if (!b.over || b.limit === undefined) continue;
    const unknown =
      b.unknown.length > 0
        ? ` (and ${b.unknown.length === 1 ? "a server" : `${b.unknown.length} servers`} not listed yet)`
        : "";
    out.push({
      target: b.target,
      note: `it loads ${b.tools} tools now${unknown}, over its limit of ${b.limit}: past it, its requests fail. \`mcp-twin tools\` gives the fix.`,
    });
  }
  return out;
}
