/**
 * Whether a client defers an entry's tools (pure): read from its one fact, `toolBudget.searches`,
 * by `mcp-twin tools`, doctor's budget, init's plan and docs/manifest.md alike.
 */
import type { ClientModule } from "./types.js";

/** It searches its tools itself and defers this entry's, with `total` tools in all. */
export function defersTools(
  client: Pick<ClientModule, "toolBudget">,
  entry: Readonly<Record<string, unknown>>,
  total: number,
): boolean {
  const searches = client.toolBudget?.searches;
  if (!searches) return false;
  return searches.when ? searches.when.entry(entry, total) : true;
}

/** What it defers and how, in words: its own way, and when (for the docs' table and init's plan). */
export function defersWords(client: Pick<ClientModule, "toolBudget">): string | undefined {
  const searches = client.toolBudget?.searches;
  if (!searches) return undefined;
  return searches.when ? `${searches.how} (${searches.when.words})` : searches.how;
}
