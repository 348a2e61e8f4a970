/**
 * Which form a client's per-tool field takes (pure): the key that holds the tools it loads, the key
 * that holds those it leaves out, or both — read from the field's own `fields`, so the docs and the
 * words for a rule it cannot keep follow what sync writes.
 */
import type { ClientModule } from "./types.js";

type ToolFilter = NonNullable<NonNullable<ClientModule["toolBudget"]>["filter"]>;

/** The key its field says the names it loads in (`allow`), and the one for those it leaves out (`deny`). */
export function toolFieldForms(filter: ToolFilter): { allow?: string; deny?: string } {
  const key = (fields: Record<string, unknown> | undefined) => (fields ? Object.keys(fields)[0] : undefined);
  const allow = key(filter.fields({ allow: ["x"] }));
  const deny = key(filter.fields({ deny: ["x"] }));
  return { ...(allow ? { allow } : {}), ...(deny ? { deny } : {}) };
}
