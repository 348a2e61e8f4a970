/**
 * `mcp-twin tools`'s report: per client, the servers it loads (the heaviest first), their tools
 * and size, what it defers, its limit; each tool rule it does not keep said once, with the fix.
 */
import type { ClientBudget } from "../../core/budget/budget.js";
import { TOKEN_WARNING } from "../../core/budget/budget.js";
import { budgetFix, fixLine, overruns } from "../../core/budget/fix.js";
import { type RuleProblem, ruleNote } from "../../core/budget/rule-problems.js";
import type { ServerSpec } from "../../core/manifest/schema.js";
import { untrusted } from "../../core/text/control-chars.js";
import { andList } from "../../core/words.js";
import type { Output } from "../output.js";
import { manifestLine } from "./manifest-line.js";

/** `tools --json` (docs/commands.md): one row per client config, its servers, totals, limit. */
export function toolsJson(budgets: readonly ClientBudget[]) {
  return {
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
      })),
      tools: b.tools,
      tokens: b.tokens,
      ...(b.limit !== undefined ? { limit: b.limit, over: b.over ?? false } : {}),
    })),
  };
}

const n = (x: number) => x.toLocaleString("en-US");

export interface ToolsView {
  ctx: { loaded: { file: string }; located: { scope: "user" | "project" } };
  budgets: ClientBudget[];
  servers: ReadonlyMap<string, ServerSpec>;
  problems: RuleProblem[];
  failed: ReadonlyArray<{ server: string; error: string }>;
}

export function renderTools(view: ToolsView, out: Output): void {
  const { c } = out.theme;
  out.print(
    manifestLine({ manifest: view.ctx.loaded.file, manifestScope: view.ctx.located.scope }, out.shown),
  );
  if (view.budgets.length === 0) {
    out.print(
      "No client config here to load these servers (no client was found, or --client/--env left none).",
    );
    return;
  }
  for (const b of view.budgets) renderClient(b, view.servers, out);
  for (const p of view.problems) out.print(`${out.theme.warn} ${untrusted(p.message)}`);
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

function renderClient(b: ClientBudget, servers: ReadonlyMap<string, ServerSpec>, out: Output): void {
  const { c } = out.theme;
  const where = `${b.target.env.id}${b.target.scope === "project" ? ", project" : ""}`;
  const limit = b.limit !== undefined ? `, limit ${b.limit}` : "";
  const eager = b.eager !== b.tokens ? ` (≈${n(b.eager)} not deferred)` : "";
  out.print(
    c.bold(`${b.target.client.name} (${where}): ${n(b.tools)} tools, ≈${n(b.tokens)} tokens${eager}${limit}`),
  );
  const rows = [...b.servers].sort((x, y) => y.tokens - x.tokens || x.server.localeCompare(y.server));
  const width = Math.max(6, ...rows.map((r) => r.server.length));
  for (const s of rows) {
    const count = s.from === "unknown" ? "?" : s.kept === s.tools ? `${s.kept}` : `${s.kept} of ${s.tools}`;
    const notes = [
      s.deferred ? "deferred" : "",
      s.from === "unknown" ? "not listed yet" : "",
      s.rules && s.rules.state !== "kept" ? "rule not kept" : "",
    ].filter(Boolean);
    out.print(
      `  ${untrusted(s.server).padEnd(width)}  ${count.padStart(9)} tools  ≈${n(s.tokens).padStart(7)} tokens${notes.length ? c.dim(`  ${notes.join(", ")}`) : ""}`,
    );
  }
  const defers = b.target.client.toolBudget?.defers;
  if (defers && b.servers.some((s) => s.deferred)) out.print(c.dim(`  deferred: ${defers.how}`));
  for (const o of overruns(b)) {
    const what =
      o.kind === "limit"
        ? `${out.theme.fail} over its limit of ${b.limit} tools by ${o.excess}: past it, its requests fail`
        : `${out.theme.warn} ≈${n(b.eager)} tokens of tool definitions it does not defer (more than ${n(TOKEN_WARNING)})`;
    out.print(`  ${what}`);
  }
  const fix = budgetFix(b);
  if (fix)
    out.print(
      `  fix: ${untrusted(fixLine(fix, b.target.client.id, servers))} (then ${n(fix.after.tools)} tools, ≈${n(fix.after.eager)} tokens not deferred)`,
    );
}

/** Each tool rule a client does not keep, once per server and client, with why and the way out. */
function ruleNotes(budgets: readonly ClientBudget[], out: Output): void {
  const seen = new Set<string>();
  for (const b of budgets)
    for (const s of b.servers) {
      const state = s.rules?.state;
      if (!state || state === "kept") continue;
      const key = `${s.server}\u0000${b.target.client.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.print(`${out.theme.warn} ${ruleNote(s.server, s.shared === true, state, b.target.client)}`);
    }
}
