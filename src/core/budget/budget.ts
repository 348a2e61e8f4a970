/**
 * Each client's context budget (pure): the servers and tools it loads as sync writes its entries,
 * what their definitions weigh in tokens, which it defers, its limit and what is over it.
 */
import type { Target } from "../clients/types.js";
import type { DesiredEntries } from "../entries/desired.js";
import type { BuiltEntry, ToolRuleOutcome } from "../entries/target-entry.js";
import type { ToolDef, ToolLists } from "../entries/tool-lists.js";
import type { ServerSpec } from "../manifest/schema.js";
import { rulesFor, toolsFor } from "../manifest/tool-rules.js";
import { toolTokens } from "./tokens.js";

/** Past this many tokens of tool definitions it does not defer, a client is warned (Claude Code's own /doctor). */
export const TOKEN_WARNING = 25_000;

interface ServerBudget {
  server: string;
  /** How many tools the server lists (0 when unknown). */
  tools: number;
  /** How many of them this client loads. */
  kept: number;
  /** Their definitions' size, estimated. */
  tokens: number;
  /** The client defers them (tool search): their definitions are sent only when searched for. */
  deferred: boolean;
  /** Where its list came from: a cache (the gateway's, or an earlier handshake), a handshake now, or none. */
  from: "cache" | "handshake" | "unknown";
  /** The tool rules for this client, and how it keeps them. */
  rules?: ToolRuleOutcome;
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
  /** Tools it loads in all, and their size. */
  tools: number;
  tokens: number;
  /** The size of what it loads and does not defer. */
  eager: number;
  limit?: number;
  over?: boolean;
  /** Servers whose list is not known: the figures leave them out. */
  unknown: string[];
}

/** Lists read now by a handshake (`mcp-twin tools`), by server name: "handshake" rather than "cache". */
export type FreshLists = ReadonlySet<string>;

/**
 * The budget of every target (its entries as sync writes them now): each server's tools that the
 * client loads — the rules' when its own field keeps them, every tool otherwise.
 */
export function clientBudgets(
  targets: readonly Target[],
  desired: DesiredEntries,
  servers: ReadonlyMap<string, ServerSpec>,
  lists: ToolLists,
  fresh: FreshLists = new Set(),
): ClientBudget[] {
  const out: ClientBudget[] = [];
  for (const target of targets) {
    const wanted = desired.get(target.key);
    if (!wanted) continue;
    const rows: Array<{ row: ServerBudget; entry: Record<string, unknown> }> = [];
    for (const [name, built] of wanted) {
      const spec = servers.get(name);
      if (!spec || !built.ok) continue;
      rows.push({ row: serverBudget(name, spec, target, built, lists, fresh), entry: built.value });
    }
    const tools = rows.reduce((n, r) => n + r.row.kept, 0);
    const defers = target.client.toolBudget?.defers;
    for (const r of rows) r.row.deferred = defers ? defers.entry(r.entry, tools) : false;
    const budget: ClientBudget = {
      target,
      servers: rows.map((r) => r.row),
      tools,
      tokens: rows.reduce((n, r) => n + r.row.tokens, 0),
      eager: rows.reduce((n, r) => n + (r.row.deferred ? 0 : r.row.tokens), 0),
      unknown: rows.filter((r) => r.row.from === "unknown").map((r) => r.row.server),
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
  lists: ToolLists,
  fresh: FreshLists,
): ServerBudget {
  const list = lists.get(name);
  const base = {
    server: name,
    deferred: false,
    ...(built.toolRules ? { rules: built.toolRules } : {}),
    ...(built.gateway || built.bridged ? { shared: true } : {}),
  };
  if (!list) return { ...base, tools: 0, kept: 0, tokens: 0, from: "unknown", loaded: [] };
  const ruled = toolsFor(
    rulesFor(spec, name, target.client.id),
    list.tools.map((t) => t.name),
  ).kept;
  // The client loads what its entry says: the rules where it keeps them, else every tool.
  const keeps = built.toolRules?.state === "kept";
  const names = new Set(keeps ? ruled : list.tools.map((t) => t.name));
  const loaded = list.tools
    .filter((t) => names.has(t.name))
    .map((t: ToolDef) => ({ name: t.name, tokens: toolTokens(t) }));
  return {
    ...base,
    tools: list.tools.length,
    kept: loaded.length,
    tokens: loaded.reduce((n, t) => n + t.tokens, 0),
    from: fresh.has(name) ? "handshake" : "cache",
    ...(built.toolRules ? { ruled: ruled.length } : {}),
    loaded,
  };
}
