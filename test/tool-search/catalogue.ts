/**
 * The eight catalogue servers' real tool lists (test/fixtures/tool-search/catalogue-tools.json,
 * each with where it was read) and the query set written against them, for tests and the bench.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ToolDef } from "../../src/core/entries/tool-lists.js";

// MCP_TWIN_REPO: set by bench/run.js, which bundles this file elsewhere.
const DIR = process.env.MCP_TWIN_REPO
  ? path.join(process.env.MCP_TWIN_REPO, "test", "fixtures", "tool-search")
  : fileURLToPath(new URL("../fixtures/tool-search/", import.meta.url));
const fixture = (name: string) => JSON.parse(readFileSync(path.join(DIR, name), "utf8"));

export const catalogue: Record<string, { source: string; tools: ToolDef[] }> =
  fixture("catalogue-tools.json");

/** What people ask for, and the tools that answer it (any one in the top 5 counts). */
export const queries: Array<{ q: string; want: string[] }> = fixture("queries.json").queries;
