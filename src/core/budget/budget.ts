/**
 * Each client's context budget (pure): the servers and tools it loads once sync has run, what their
 * definitions weigh in tokens, which it defers, its limit and what is over it.
 */
import { defersTools } from "../clients/tool-search-fact.js";
import type { Target } from "../clients/types.js";
import type { DesiredEntries } from "../entries/desired.js";
import type { EntryState } from "../entries/ownership.js";
import type { BuiltEntry } from "../entries/target-entry.js";
import type { ToolDef, ToolLists } from "../entries/tool-lists.js";
import type { ServerSpec } from "../manifest/schema.js";
import { rulesFor, toolsFor } from "../manifest/tool-rules.js";
import { TOOLS_ENTRY } from "../manifest/tool-search.js";
import {
  type EntriesInFiles,
  type EntryInFile,
  leftAlone,
  loadsOf,
  type RuleView,
  ruleView,
} from "./in-file.js";
import { type OnDemand, onDemandBudget } from "./on-demand.js";
import { toolTokens } from "./tokens.js";

/** Past this many tokens of tool definitions it does not defer, a client is warned (Claude Code's own /doctor). */
export const TOKEN_WARNING = 25_000;

interface ServerBudget {
  server: string;
  /** How many tools the server lists (0 when unknown). */
  tools: number;
  /** How many of them this client loads. */
  kept: number;
  /** The definitions' size of the tools it loads, estimated (deferred or not). */
  tokens: number;
  /** The definitions' size of every tool the server lists (0 when unknown). */
  size: number;
  /** Who owns its entry there, as status says: sync leaves a `foreign` or `drifted` one as it is. */
  state: EntryState;
  /** Switched off in the client (its own field): it loads none of its tools. */
  off?: true;
  /** The client defers them (tool search): their definitions are sent only when searched for. */
  deferred: boolean;
  /** Where its list came from: a cache (the gateway's, or an earlier handshake), a handshake now, or none. */
  from: "cache" | "handshake" | "unknown";
  /** The tool rules for this client, and how it keeps them (or why the entry there does not). */
  rules?: RuleView;
  /** What the rules would keep (when the client does not keep them itself, `kept` is every tool). */
  ruled?: number;
  /** The tools it loads, with their size (for the fix). */
  loaded: Array<{ name: string; tokens: number }>;
  /** A shared server (its url entry reaches the gateway). */
  shared?: boolean;
}

export interface ClientBudget {
  target: Target;
  servers: ServerBudget[];
  /** Tools it loads in all, and their definitions' size (deferred or not). */
  tools: number;
  tokens: number;
  /** The size of what it loads and does not defer (the rest is sent only when searched for). */
  eager: number;
  limit?: number;
  over?: boolean;
  /** Servers whose list is not known: the figures leave them out. */
  unknown: string[];
  /** The manifest's toolSearch: the servers behind its `tools` entry, before and after (counted in the totals). */
  onDemand?: OnDemand;
}

/** Lists read now by a handshake (`mcp-twin tools`), by server name: "handshake" rather than "cache". */
export type FreshLists = ReadonlySet<string>;

/**
 * The budget of every target once sync has run (its entries as sync writes them; one it leaves
 * alone as the file has it): each server's tools that the client loads — what the entry's own
 * fields say, the gateway's rules for a shared server's, every tool otherwise; none when it is off.
 */
export function clientBudgets(
  targets: readonly Target[],
  desired: DesiredEntries,
  inFiles: EntriesInFiles,
  servers: ReadonlyMap<string, ServerSpec>,
  lists: ToolLists,
  fresh: FreshLists = new Set(),
  keep: readonly string[] = [],
): ClientBudget[] {
  const out: ClientBudget[] = [];
  for (const target of targets) {
    const built = desired.get(target.key);
    if (!built) continue;
    const here = inFiles.get(target.key);
    // An entry of the person's holds the name `tools` (ownership.ts, entriesMeant): the client keeps
    // its servers' own entries, which in-file.ts read in its place.
    const instead = built.get(TOOLS_ENTRY)?.instead;
    const held = instead && [...instead.keys()].some((n) => here?.has(n));
    const wanted = held ? new Map([...instead, ...[...built].filter(([n]) => n !== TOOLS_ENTRY)]) : built;
    const rows: Array<{ row: ServerBudget; entry: Record<string, unknown> }> = [];
    for (const [name, entry] of wanted) {
      const spec = servers.get(name);
      const inFile = here?.get(name);
      if (!spec || !entry.ok || !inFile) continue;
      rows.push({ row: serverBudget(name, spec, target, entry, inFile, lists, fresh), entry: inFile.entry });
    }
    // The `tools` entry (toolSearch): search_tools, call_tool and the kept tools, in the totals.
    const door = wanted.get(TOOLS_ENTRY);
    const onDemand =
      door?.ok && door.behind
        ? onDemandBudget(target.client.id, door.behind, servers, lists, keep)
        : undefined;
    const tools = rows.reduce((n, r) => n + r.row.kept, 0) + (onDemand?.listed ?? 0);
    for (const r of rows) r.row.deferred = defersTools(target.client, r.entry, tools);
    const budget: ClientBudget = {
      target,
      servers: rows.map((r) => r.row),
      tools,
      tokens: rows.reduce((n, r) => n + r.row.tokens, 0) + (onDemand?.after ?? 0),
      eager: rows.reduce((n, r) => n + (r.row.deferred ? 0 : r.row.tokens), 0) + (onDemand?.after ?? 0),
      unknown: [
        ...rows.filter((r) => r.row.from === "unknown").map((r) => r.row.server),
        ...(onDemand?.unknown ?? []),
      ],
      ...(onDemand ? { onDemand } : {}),
    };
    const limit = target.client.toolBudget?.limit?.tools;
    if (limit !== undefined) {
      budget.limit = limit;
      budget.over = tools > limit;
    }
    out.push(budget);
  }
  return out;
}

function serverBudget(
  name: string,
  spec: ServerSpec,
  target: Target,
  built: Extract<BuiltEntry, { ok: true }>,
  inFile: EntryInFile,
  lists: ToolLists,
  fresh: FreshLists,
): ServerBudget {
  const list = lists.get(name);
  const rules = ruleView(target.client, built, inFile);
  const base = {
    server: name,
    deferred: false,
    state: inFile.state,
    ...(inFile.off ? { off: true as const } : {}),
    ...(rules ? { rules } : {}),
    ...(built.gateway || built.bridged ? { shared: true } : {}),
  };
  if (!list) return { ...base, tools: 0, kept: 0, tokens: 0, size: 0, from: "unknown", loaded: [] };
  const all = list.tools.map((t) => t.name);
  const ruled = toolsFor(rulesFor(spec, name, target.client.id), all).kept;
  // The client loads what its entry says: the gateway's rules for a shared server's entry as sync
  // writes it, else the entry's own fields (sync's rule, or the person's in one it leaves alone).
  const names = new Set(
    inFile.off ? [] : rules?.state === "gateway" ? ruled : loadsOf(target.client, inFile.entry, all),
  );
  const sized = list.tools.map((t: ToolDef) => ({ name: t.name, tokens: toolTokens(t) }));
  const loaded = sized.filter((t) => names.has(t.name));
  return {
    ...base,
    tools: list.tools.length,
    kept: loaded.length,
    tokens: loaded.reduce((n, t) => n + t.tokens, 0),
    size: sized.reduce((n, t) => n + t.tokens, 0),
    from: fresh.has(name) ? "handshake" : "cache",
    ...(rules && !leftAlone(inFile.state) ? { ruled: ruled.length } : {}),
    loaded,
  };
}
