/**
 * `mcp-twin tools`'s report: per client, the servers it loads (the heaviest first), their tools
 * and size, what it defers, its limit; each tool rule it does not keep said once, with the fix.
 */
import type { ClientBudget } from "../../core/budget/budget.js";
import { TOKEN_WARNING } from "../../core/budget/budget.js";
import { budgetFix, fixLine, overruns } from "../../core/budget/fix.js";
import { leftAlone } from "../../core/budget/in-file.js";
import type { KeepProblem } from "../../core/budget/keep-problems.js";
import { onDemandLine, onDemandOffer } from "../../core/budget/on-demand.js";
import { type RuleProblem, ruleNote } from "../../core/budget/rule-problems.js";
import type { ServerSpec } from "../../core/manifest/schema.js";
import { TOOLS_ENTRY } from "../../core/manifest/tool-search.js";
import { untrusted } from "../../core/text/control-chars.js";
import { andList, countOf } from "../../core/text/prose-lists.js";
import type { Output } from "../output.js";
import { manifestLine } from "./manifest-line.js";

/** `tools --json` (docs/commands.md): one row per client config, its servers, totals, limit. */
export function toolsJson(budgets: readonly ClientBudget[], keep: readonly KeepProblem[] = []) {
  return {
    ...(keep.length > 0 ? { keep: keep.map(({ kept, message, fix }) => ({ kept, message, fix })) } : {}),
    clients: budgets.map((b) => ({
      env: b.target.env.id,
      client: b.target.client.id,
      scope: b.target.scope,
      servers: b.servers.map((s) => ({
        server: s.server,
        tools: s.tools,
        kept: s.kept,
        tokens: s.tokens,
        deferred: s.deferred,
        from: s.from,
        state: s.state,
        off: s.off ?? false,
      })),
      tools: b.tools,
      tokens: b.tokens,
      deferredTokens: b.tokens - b.eager,
      ...(b.limit !== undefined ? { limit: b.limit, over: b.over ?? false } : {}),
      ...(b.onDemand
        ? {
            toolSearch: {
              servers: b.onDemand.servers,
              tools: b.onDemand.tools,
              before: b.onDemand.before,
              listed: b.onDemand.listed,
              after: b.onDemand.after,
              leftOut: b.onDemand.leftOut,
            },
          }
        : {}),
    })),
  };
}

const n = (x: number) => x.toLocaleString("en-US");

export interface ToolsView {
  ctx: { loaded: { file: string }; located: { scope: "user" | "project" } };
  budgets: ClientBudget[];
  servers: ReadonlyMap<string, ServerSpec>;
  problems: RuleProblem[];
  /** toolSearch's keep entries that list nothing. */
  keep?: readonly KeepProblem[];
  failed: ReadonlyArray<{ server: string; error: string }>;
  /** Client configs that cannot be read (named by the command after this report). */
  unreadable?: readonly unknown[];
}

export function renderTools(view: ToolsView, out: Output): void {
  const { c } = out.theme;
  out.print(
    manifestLine({ manifest: view.ctx.loaded.file, manifestScope: view.ctx.located.scope }, out.shown),
  );
  if (view.budgets.length === 0) {
    // Every config there is could not be read: they are named below, nothing else is to say.
    if ((view.unreadable?.length ?? 0) > 0) return;
    out.print(
      "No client config here to load these servers (no client was found, or --client/--env left none).",
    );
    return;
  }
  renderMatrix(view.budgets, out);
  for (const b of view.budgets) renderOnDemand(b, out);
  for (const b of view.budgets) renderOver(b, view.servers, out);
  for (const p of view.problems) out.print(`${out.theme.warn} ${untrusted(p.message)}`);
  for (const k of view.keep ?? []) out.print(`${out.theme.warn} ${k.message}. ${k.fix}`);
  ruleNotes(view.budgets, out);
  for (const f of view.failed)
    out.print(
      c.dim(
        `${untrusted(f.server)}: its tools could not be listed (${untrusted(f.error)}); \`mcp-twin doctor\` says why.`,
      ),
    );
  const sharedUnknown = new Set(
    view.budgets.flatMap((b) =>
      b.servers.filter((s) => s.from === "unknown" && s.shared).map((s) => s.server),
    ),
  );
  if (sharedUnknown.size > 0)
    out.print(
      c.dim(
        `${andList([...sharedUnknown])}: shared, and the gateway has not listed ${sharedUnknown.size === 1 ? "it" : "them"} yet: \`mcp-twin sync\` fills its list cache.`,
      ),
    );
}

/**
 * One table: a row per server (the heaviest first) with its tools and size, a column per client
 * config with what it loads of it (`d`: deferred, `?`: not listed yet), and the totals.
 */
function renderMatrix(budgets: readonly ClientBudget[], out: Output): void {
  const { c } = out.theme;
  const envs = new Set(budgets.map((b) => b.target.env.id));
  const label = (b: ClientBudget) =>
    `${envs.size > 1 ? `${b.target.env.id} ` : ""}${b.target.client.id}${b.target.scope === "project" ? " (project)" : ""}`;
  const size = new Map<string, { tools: number; tokens: number; known: boolean }>();
  for (const b of budgets)
    for (const s of b.servers) {
      const was = size.get(s.server);
      size.set(s.server, {
        tools: Math.max(was?.tools ?? 0, s.tools),
        tokens: Math.max(was?.tokens ?? 0, s.size),
        known: (was?.known ?? false) || s.from !== "unknown",
      });
    }
  const rows = [...size].sort(([a, x], [b, y]) => y.tokens - x.tokens || a.localeCompare(b));
  // The tools entry is a row too: what it lists counts in its clients' totals.
  const doors = budgets.flatMap((b) => (b.onDemand ? [b.onDemand] : []));
  if (doors.length > 0 && !size.has(TOOLS_ENTRY))
    rows.push([
      TOOLS_ENTRY,
      {
        tools: Math.max(...doors.map((d) => d.listed)),
        tokens: Math.max(...doors.map((d) => d.after)),
        known: true,
      },
    ]);
  const width = Math.max(6, ...rows.map(([name]) => name.length));
  const cols = budgets.map((b) => Math.max(label(b).length, 9));
  const cell = (b: ClientBudget, server: string) => {
    const s = b.servers.find((x) => x.server === server);
    if (!s && server === TOOLS_ENTRY && b.onDemand) return `${b.onDemand.listed}`;
    if (!s) return "–";
    if (s.off) return "off";
    if (s.from === "unknown") return "?";
    return `${s.kept}${s.deferred ? " d" : ""}`;
  };
  out.print(
    c.bold(
      `${"server".padEnd(width)}  ${"tools".padStart(5)}  ${"≈tokens".padStart(8)}  ${budgets.map((b, i) => label(b).padEnd(cols[i] ?? 0)).join("  ")}`.trimEnd(),
    ),
  );
  for (const [name, sz] of rows)
    out.print(
      `${untrusted(name).padEnd(width)}  ${(sz.known ? `${sz.tools}` : "?").padStart(5)}  ${(sz.known ? n(sz.tokens) : "?").padStart(8)}  ${budgets.map((b, i) => cell(b, name).padEnd(cols[i] ?? 0)).join("  ")}`.trimEnd(),
    );
  const total = (b: ClientBudget) => `${b.tools}${b.limit !== undefined ? `/${b.limit}` : ""}`;
  out.print(
    c.bold(
      `${"loaded".padEnd(width)}  ${"".padStart(5)}  ${"".padStart(8)}  ${budgets.map((b, i) => total(b).padEnd(cols[i] ?? 0)).join("  ")}`.trimEnd(),
    ),
  );
  out.print(
    `${"≈tokens".padEnd(width)}  ${"".padStart(5)}  ${"".padStart(8)}  ${budgets.map((b, i) => tokensCell(b).padEnd(cols[i] ?? 0)).join("  ")}`.trimEnd(),
  );
  out.print(
    c.dim(
      "Each client's column: the tools it loads of each server (d: deferred until searched for; off: switched off in the client; ?: not listed yet); its total, /its limit; ≈tokens: the definitions' size of what it loads (d: of it deferred).",
    ),
  );
}

/** A client's tokens: the definitions' size of all it loads, with how much of it is deferred. */
function tokensCell(b: ClientBudget): string {
  const deferred = b.tokens - b.eager;
  if (deferred === 0) return n(b.tokens);
  return deferred === b.tokens ? `${n(b.tokens)} d` : `${n(b.tokens)} (${n(deferred)} d)`;
}

/** A toolSearch client: its servers' definitions as an entry each (before), and its `tools` entry's (after). */
function renderOnDemand(b: ClientBudget, out: Output): void {
  const d = b.onDemand;
  if (!d) return;
  const who = `${b.target.client.name} (${b.target.env.id})`;
  const unknown = d.unknown.length > 0 ? ` (${andList(d.unknown)} not listed yet, not counted)` : "";
  out.print(
    `${out.theme.ok} ${who}: tools on demand for ${andList(d.servers)}: ${countOf(d.tools, "tool")}, ≈${n(d.before)} tokens as an entry each${unknown}; its tools entry lists ${d.listed} (${andList(["search_tools", "call_tool", ...d.keptNames.map((k) => `${untrusted(k)} (kept)`)])}), ≈${n(d.after)} tokens.`,
  );
  // What the gateway's search leaves out (serve.log says it too), where the person looks.
  for (const l of d.leftOut)
    out.print(`  ${out.theme.warn} ${l.server}: left out of search: ${untrusted(l.why)}.`);
}

/** A client over its limit, or loading too much it does not defer: what is over, and the fix. */
function renderOver(b: ClientBudget, servers: ReadonlyMap<string, ServerSpec>, out: Output): void {
  const over = overruns(b);
  if (over.length === 0) return;
  const who = `${b.target.client.name} (${b.target.env.id}${b.target.scope === "project" ? ", project" : ""})`;
  for (const o of over)
    out.print(
      o.kind === "limit"
        ? `${out.theme.fail} ${who}: ${b.tools} tools, over its limit of ${b.limit} by ${o.excess}: past it, its requests fail.`
        : `${out.theme.warn} ${who}: ≈${n(b.eager)} tokens of tool definitions it does not defer (more than ${n(TOKEN_WARNING)}).`,
    );
  const fix = budgetFix(b);
  if (fix)
    out.print(
      `  fix: ${untrusted(fixLine(fix, b.target.client.id, servers))}; then \`mcp-twin sync\` (${countOf(fix.after.tools, "tool")}, ≈${n(fix.after.eager)} tokens not deferred).`,
    );
  // Tools on demand, for a client that cannot search its own.
  const offer = onDemandOffer(
    b.target.client,
    b.servers.filter((s) => !leftAlone(s.state)).map((s) => s.server),
    servers,
    b.onDemand !== undefined,
  );
  if (offer)
    out.print(
      `  ${fix ? "" : "fix: "}${onDemandLine(b.target.client.id, offer).replace(fix ? /^/ : /^or /, "")}.`,
    );
}

/** Each tool rule a client does not keep, once per server and client, with why and the way out. */
function ruleNotes(budgets: readonly ClientBudget[], out: Output): void {
  const seen = new Set<string>();
  for (const b of budgets)
    for (const s of b.servers) {
      const state = s.rules?.state;
      if (!state || state === "kept" || state === "gateway") continue;
      const key = `${s.server}\u0000${b.target.client.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.print(`${out.theme.warn} ${ruleNote(s.server, state, b.target.client)}`);
    }
}
