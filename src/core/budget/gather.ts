/**
 * Every client's budget as things are (reads only): the manifest, the targets, the entries sync
 * writes now, and each server's list from the caches — nothing started. `mcp-twin tools` lists the
 * servers no cache knows by a handshake (its own module) and asks again.
 */
import type { Context } from "../context/context.js";
import { loadContext, readableTargets } from "../context/context.js";
import { type DesiredEntries, desiredEntries, knownToolLists, wireBridge } from "../entries/desired.js";
import type { ToolLists } from "../entries/tool-lists.js";
import type { Machine } from "../environments/machine.js";
import type { UsageError } from "../errors.js";
import type { ServerSpec } from "../manifest/schema.js";
import { hasToolRules } from "../manifest/tool-rules.js";
import { knownVersions, packageServers, readInstalledIndex } from "../packages/installs.js";
import { checkSelectors } from "../selectors.js";
import type { Progress } from "../system/progress.js";
import { type ClientBudget, clientBudgets, type FreshLists } from "./budget.js";
import { entriesInFiles } from "./in-file.js";
import { type KeepProblem, keepProblems, keepReach } from "./keep-problems.js";
import { type RuleProblem, unmatchedRules } from "./rule-problems.js";

export interface BudgetFacts {
  ctx: Context;
  budgets: ClientBudget[];
  servers: ReadonlyMap<string, ServerSpec>;
  lists: ToolLists;
  desired: DesiredEntries;
  /** Names or patterns of a rule that match nothing their server lists. */
  problems: RuleProblem[];
  /** toolSearch's keep entries that list nothing, each with the fix. */
  keep: KeepProblem[];
}

export interface BudgetOptions {
  manifest?: string | undefined;
  envs: string[];
  clients: string[];
  project?: string | undefined;
}

/** The context, then the budgets from what the caches know (`again` gathers once more, with `fresh` lists). */
export async function gatherBudgets(
  machine: Machine,
  options: BudgetOptions,
  progress: Progress,
): Promise<
  BudgetFacts & {
    again(fresh: FreshLists): Promise<BudgetFacts>;
    /** The client configs that cannot be read or do not parse, each with its repair. */
    unreadable: UsageError[];
  }
> {
  checkSelectors({ clients: options.clients, envs: options.envs });
  // A config that cannot be read or parsed is left out (its client loads nothing from it) and named.
  const { ctx, texts, unreadable } = await readableTargets(await loadContext(machine, options, progress));
  const bridge = await wireBridge(machine, ctx.manifest, ctx.allEnvs, {
    createToken: false,
    checkPort: true,
    state: ctx.state,
  });
  const pkgs = packageServers(ctx.manifest, ctx.allEnvs);
  const index = await readInstalledIndex(pkgs);
  const versions = knownVersions(pkgs, ctx.state);
  const input = { ...ctx, bridge };
  const servers = new Map(ctx.servers);
  const once = async (fresh: FreshLists): Promise<BudgetFacts> => {
    const desired = await desiredEntries(machine, input, index, versions);
    // Every server's list, rules or not: the budget needs them all.
    const lists =
      (await knownToolLists(
        machine,
        { ...input, servers: ctx.servers, everyServer: true },
        index,
        versions,
      )) ?? new Map();
    const inFiles = entriesInFiles(ctx.targets, texts, ctx.state, desired);
    const keep = ctx.manifest.toolSearch?.keep ?? [];
    const budgets = clientBudgets(ctx.targets, desired, inFiles, servers, lists, fresh, keep);
    const problems = ctx.servers.some(([, s]) => hasToolRules(s))
      ? unmatchedRules(ctx.servers, lists, ctx.loaded)
      : [];
    const kept = keep.length > 0 ? keepReach(ctx.targets, desired) : [];
    const keepSaid = keepProblems(keep, ctx.manifest.servers, kept, lists, ctx.loaded);
    return { ctx, budgets, servers, lists, desired, problems, keep: keepSaid };
  };
  const first = await once(new Set());
  return { ...first, again: once, unreadable };
}
