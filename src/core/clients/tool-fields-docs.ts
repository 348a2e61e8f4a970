/**
 * docs/manifest.md's table of where each client keeps the manifest's tool rules, its tool limit and
 * what it defers, from the client modules (pure): the field's words come from what its `fields`
 * writes, so the page says what sync does.
 */
import { CLIENTS } from "./index.js";
import { toolFieldForms } from "./tool-field.js";
import { defersWords } from "./tool-search-fact.js";
import type { ClientModule } from "./types.js";

/** Where one client keeps a rule, in words: its field's keys and the form each takes. */
function keptIn(c: ClientModule): string | undefined {
  const budget = c.toolBudget;
  if (budget?.filter) {
    const { allow, deny } = toolFieldForms(budget.filter);
    if (allow && deny) return `\`${allow}\` / \`${deny}\` (names)`;
    if (allow) return `\`${allow}\` (the names it loads)`;
    if (deny) return `\`${deny}\` (the names it leaves out)`;
  }
  return budget?.noField;
}

/**
 * The table's header and rows: each client with a field, a limit, deferral or a note of its own,
 * in the manifest schema's order; `rest`, the clients with none of them; `sources`, a link for each
 * fact the table gives.
 */
export function toolFieldRows(): { head: string[]; rows: string[][]; rest: string[]; sources: string[] } {
  const head = ["client", "keeps a rule in", "limit", "searches its tools itself (defers them)"];
  const rows: string[][] = [];
  const rest: string[] = [];
  const sources = new Map<string, string>();
  for (const c of CLIENTS) {
    const b = c.toolBudget;
    const where = keptIn(c);
    const defers = defersWords(c);
    if (!where && !b?.limit && !defers) {
      rest.push(c.name);
      continue;
    }
    if (b?.filter) sources.set(b.filter.source, `[${c.name}](${b.filter.source})`);
    if (b?.limit && !sources.has(b.limit.source))
      sources.set(b.limit.source, `[${b.limit.tools} tools](${b.limit.source})`);
    if (b?.searches && !sources.has(b.searches.source))
      sources.set(b.searches.source, `[${c.name}'s tool search](${b.searches.source})`);
    rows.push([c.name, where ?? "none known", b?.limit ? `${b.limit.tools} tools` : "—", defers ?? "—"]);
  }
  return { head, rows, rest, sources: [...sources.values()] };
}
