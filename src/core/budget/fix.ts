/**
 * The fix for a client over its budget (pure), computed from the servers' lists: a `clientTools`
 * rule keeping out enough of its tools (whole groups, `browser_*`, where a name prefix holds them) on
 * servers where it is kept — its own field, or the gateway for a shared one — else `clients`.
 */
import { CLIENT_IDS } from "../clients/ids.js";
import type { ServerSpec } from "../manifest/schema.js";
import { type ClientBudget, TOKEN_WARNING } from "./budget.js";
import { leftAlone } from "./in-file.js";

/** Why a client is over: its tool limit, or the tokens it loads and does not defer. */
export type Overrun = { kind: "limit"; excess: number } | { kind: "tokens"; excess: number };

/** What brings it under: a deny list per server, or servers to leave out of it; and what is left after. */
export interface BudgetFix {
  deny: Array<{ server: string; names: string[]; count: number }>;
  leaveOut: string[];
  after: { tools: number; eager: number };
}

/** The client's overruns: past its limit of tools, past TOKEN_WARNING of what it does not defer. */
export function overruns(b: ClientBudget): Overrun[] {
  const out: Overrun[] = [];
  if (b.limit !== undefined && b.tools > b.limit) out.push({ kind: "limit", excess: b.tools - b.limit });
  if (b.eager > TOKEN_WARNING) out.push({ kind: "tokens", excess: b.eager - TOKEN_WARNING });
  return out;
}

interface Group {
  server: string;
  /** `browser_*`, or one tool's exact name. */
  name: string;
  tools: string[];
  count: number;
  tokens: number;
  deferred: boolean;
}

/** Each server's tools grouped by the prefix before their first `_`, `-` or `.`, when two or more share it. */
function groups(servers: ClientBudget["servers"]): Group[] {
  const out: Group[] = [];
  for (const s of servers) {
    const byPrefix = new Map<string, Array<{ name: string; tokens: number }>>();
    for (const t of s.loaded) {
      const cut = t.name.search(/[_.-]/);
      const prefix = cut > 0 ? t.name.slice(0, cut + 1) : t.name;
      byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), t]);
    }
    for (const [prefix, tools] of byPrefix) {
      const whole = tools.length > 1 && prefix !== tools[0]?.name;
      const parts = whole
        ? [{ name: `${prefix}*`, tools }]
        : tools.map((t) => ({ name: t.name, tools: [t] }));
      for (const p of parts)
        out.push({
          server: s.server,
          name: p.name,
          tools: p.tools.map((t) => t.name),
          count: p.tools.length,
          tokens: p.tools.reduce((n, t) => n + t.tokens, 0),
          deferred: s.deferred,
        });
    }
  }
  return out;
}

/** The fewest groups, heaviest first, that cover every overrun; then any of them not needed is put back. */
function choose(all: Group[], need: { count: number; tokens: number }): Group[] {
  const weight = (g: Group) =>
    (need.tokens > 0 && !g.deferred ? g.tokens : 0) + g.count * (need.count > 0 ? 1000 : 0);
  const sorted = [...all].sort((a, b) => weight(b) - weight(a));
  const chosen: Group[] = [];
  const covered = (gs: Group[]) =>
    gs.reduce((n, g) => n + g.count, 0) >= need.count &&
    gs.reduce((n, g) => n + (g.deferred ? 0 : g.tokens), 0) >= need.tokens;
  for (const g of sorted) {
    if (covered(chosen)) break;
    chosen.push(g);
  }
  for (const g of [...chosen].reverse()) {
    const without = chosen.filter((x) => x !== g);
    if (covered(without)) chosen.splice(chosen.indexOf(g), 1);
  }
  return covered(chosen) ? chosen : [];
}

/** The fix that brings `b` under every overrun, or undefined when none is needed (or none can be found). */
export function budgetFix(b: ClientBudget): BudgetFix | undefined {
  const over = overruns(b);
  if (over.length === 0) return undefined;
  const need = {
    count: over.find((o) => o.kind === "limit")?.excess ?? 0,
    tokens: over.find((o) => o.kind === "tokens")?.excess ?? 0,
  };
  // A rule is kept by the client's own field, or — for a client without one — by the gateway for
  // a shared server's entries (url or relay: each names its client to it, tool-policy.ts).
  const field = b.target.client.toolBudget?.filter !== undefined;
  // An entry sync leaves alone (the person's own, or edited by hand) would not get the rule.
  const synced = b.servers.filter((s) => !leftAlone(s.state));
  const chosen = choose(groups(synced.filter((s) => field || s.shared)), need);
  if (chosen.length === 0) return field ? undefined : leaveOutFix(b, need);
  const deny = new Map<string, { names: string[]; count: number }>();
  for (const g of chosen) {
    const d = deny.get(g.server) ?? { names: [], count: 0 };
    d.names.push(g.name);
    d.count += g.count;
    deny.set(g.server, d);
  }
  return {
    deny: [...deny].map(([server, d]) => ({ server, ...d })),
    leaveOut: [],
    after: {
      tools: b.tools - chosen.reduce((n, g) => n + g.count, 0),
      eager: b.eager - chosen.reduce((n, g) => n + (g.deferred ? 0 : g.tokens), 0),
    },
  };
}

/** A client with no field for rules: the heaviest servers left out of it until it is under. */
function leaveOutFix(b: ClientBudget, need: { count: number; tokens: number }): BudgetFix | undefined {
  // Sync removes only its own entries: one it leaves alone stays whatever `clients` says.
  const sorted = b.servers
    .filter((s) => !leftAlone(s.state))
    .sort((x, y) => y.kept - x.kept || y.tokens - x.tokens);
  const out: string[] = [];
  let count = 0;
  let tokens = 0;
  for (const s of sorted) {
    if (count >= need.count && tokens >= need.tokens) break;
    out.push(s.server);
    count += s.kept;
    tokens += s.deferred ? 0 : s.tokens;
  }
  if (count < need.count || tokens < need.tokens) return undefined;
  return { deny: [], leaveOut: out, after: { tools: b.tools - count, eager: b.eager - tokens } };
}

/**
 * The fix as one line the user can act on: the manifest's rule (or `clients` list) for each server,
 * merged with what the server says already.
 */
export function fixLine(fix: BudgetFix, client: string, servers: ReadonlyMap<string, ServerSpec>): string {
  const parts = fix.deny.map(({ server, names }) => {
    const had = servers.get(server)?.clientTools?.[client as (typeof CLIENT_IDS)[number]];
    const rule = { ...(had?.allow ? { allow: had.allow } : {}), deny: [...(had?.deny ?? []), ...names] };
    return `servers.${server}: "clientTools": { "${client}": ${JSON.stringify(rule).replace(/,/g, ", ").replace(/:/g, ": ")} }`;
  });
  for (const server of fix.leaveOut) {
    const now = servers.get(server)?.clients ?? CLIENT_IDS;
    parts.push(
      `servers.${server}: "clients": ${JSON.stringify(now.filter((c) => c !== client)).replace(/,/g, ", ")}`,
    );
  }
  return parts.join("; ");
}
