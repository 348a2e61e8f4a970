/**
 * Each client's budget as init's plan says it, before anything ran (pure): the tools and tokens of
 * the servers it will load, from the catalogue's measured figures, its limit, and what it defers.
 */
import { defersTools } from "../clients/tool-search-fact.js";
import type { Target } from "../clients/types.js";
import type { ServerSpec } from "../manifest/schema.js";
import { andList, countOf } from "../text/prose-lists.js";
import { TOKEN_WARNING } from "./budget.js";

/** A server's tool definitions as the catalogue measured them (a template's `budget`). */
export interface MeasuredTools {
  tools: number;
  tokens: number;
}

export interface PlannedServer {
  name: string;
  spec: ServerSpec;
  measured?: MeasuredTools | undefined;
}

/** One line per client: its servers' tools and tokens, its limit, what it defers; then what is not counted. */
export function planBudgetLines(targets: readonly Target[], servers: readonly PlannedServer[]): string[] {
  const lines: string[] = [];
  const unknown = new Set<string>();
  const seen = new Set<string>();
  for (const target of targets) {
    if (seen.has(target.client.id)) continue;
    seen.add(target.client.id);
    const loads = servers.filter(
      (s) => !s.spec.disabled && (!s.spec.clients || s.spec.clients.includes(target.client.id)),
    );
    const known = loads.flatMap((s) => (s.measured ? [s.measured] : []));
    for (const s of loads) if (!s.measured) unknown.add(s.name);
    if (known.length === 0) continue;
    const tools = known.reduce((n, m) => n + m.tools, 0);
    const tokens = known.reduce((n, m) => n + m.tokens, 0);
    const budget = target.client.toolBudget;
    const limit = budget?.limit?.tools;
    const defers = defersTools(target.client, {}, tools);
    const deferred = defers ? `, deferred: ${budget?.searches?.how}` : "";
    const over =
      limit !== undefined && tools > limit
        ? `: over its limit of ${limit}`
        : !defers && tokens > TOKEN_WARNING
          ? `: over the ${TOKEN_WARNING.toLocaleString("en-US")} tokens doctor warns at`
          : "";
    const of = limit !== undefined && !over ? ` of its ${limit}` : "";
    lines.push(
      `${target.client.name}: ${countOf(tools, "tool")}${of}, ≈${tokens.toLocaleString("en-US")} tokens${deferred}${over}`,
    );
  }
  if (lines.length > 0 && unknown.size > 0)
    lines.push(`not counted: ${andList([...unknown])} (\`mcp-twin tools\` counts them once they run)`);
  return lines;
}
