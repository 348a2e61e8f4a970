/**
 * A toolSearch client's budget before and after (pure): what its servers' definitions would weigh
 * as an entry each, and what its one `tools` entry sends — search_tools, call_tool, the kept tools.
 */
import type { ToolDef, ToolLists } from "../entries/tool-lists.js";
import type { ClientId, ServerSpec } from "../manifest/schema.js";
import { rulesFor, toolsFor } from "../manifest/tool-rules.js";
import { leftOutOfSearch } from "../tool-search/bounds.js";
import { onDemandTools } from "../tool-search/search-and-call.js";
import { type Admits, ToolIndex } from "../tool-search/tool-index.js";
import { toolTokens } from "./tokens.js";

export interface OnDemand {
  /** The servers behind the `tools` entry, and how many of them no list is known of. */
  servers: string[];
  unknown: string[];
  /** The tools the client reaches through it (the manifest's rules applied), and their size. */
  tools: number;
  before: number;
  /** What the entry lists: search_tools, call_tool and the kept tools found; their size. */
  listed: number;
  kept: number;
  /** The kept tools' names as the entry lists them. */
  keptNames: string[];
  after: number;
  /** What search leaves out, as the gateway does (tool-search/bounds.ts): each server's why. */
  leftOut: Array<{ server: string; why: string }>;
}

/**
 * What the entry's `tools/list` answers, built by the gateway's own code (tool-search/search-and-call.ts)
 * from the lists known: sized, never sent. `admits` is the manifest's rules for this client.
 */
function entryTools(
  servers: ReadonlyArray<{ name: string; about?: string | undefined; tools: readonly ToolDef[] }>,
  admits: Admits,
  keep: readonly string[],
): ToolDef[] {
  const index = new ToolIndex();
  for (const s of servers) index.put(s.name, s.tools);
  const named = servers.map((s) => (s.about ? { name: s.name, about: s.about } : { name: s.name }));
  return onDemandTools({ index, servers: named, admits, keep, call: async () => ({}) });
}

/** A toolSearch client's figures: its servers' tools as the rules leave them, before and after. */
export function onDemandBudget(
  client: ClientId,
  behind: readonly string[],
  servers: ReadonlyMap<string, ServerSpec>,
  lists: ToolLists,
  keep: readonly string[],
): OnDemand {
  const known = behind.flatMap((name) => {
    const list = lists.get(name);
    const spec = servers.get(name);
    return list && spec
      ? [{ name, spec, about: spec.description, tools: list.tools, ...leftOutOfSearch(list.tools) }]
      : [];
  });
  const ruled = new Map(
    known.map((k) => [
      k.name,
      new Set(
        toolsFor(
          rulesFor(k.spec, k.name, client),
          k.tools.map((t) => t.name),
        ).kept,
      ),
    ]),
  );
  const admits = (server: string, tool: string) => ruled.get(server)?.has(tool) === true;
  const reached = known.flatMap((k) => k.tools.filter((t) => admits(k.name, t.name)));
  const listed = entryTools(
    known.map((k) => ({ ...k, tools: k.kept as ToolDef[] })),
    admits,
    keep,
  );
  return {
    servers: [...behind],
    unknown: behind.filter((name) => !known.some((k) => k.name === name)),
    tools: reached.length,
    before: reached.reduce((sum, t) => sum + toolTokens(t), 0),
    listed: listed.length,
    kept: listed.length - 2,
    keptNames: listed.slice(2).map((t) => t.name),
    after: listed.reduce((sum, t) => sum + toolTokens(t), 0),
    leftOut: known.flatMap((k) => k.why.map((why) => ({ server: k.name, why }))),
  };
}

/**
 * What a client over its budget would load with tools on demand, when it cannot search its own
 * and is not already in toolSearch (undefined otherwise): its servers' two tools and their size.
 */
export function onDemandOffer(
  client: { id: string; toolBudget?: { searches?: unknown } | undefined },
  servers: readonly string[],
  specs: ReadonlyMap<string, ServerSpec>,
  already: boolean,
): { tools: number; tokens: number } | undefined {
  if (already || client.toolBudget?.searches || servers.length === 0) return undefined;
  // Its two tools as the gateway lists them; the lists do not change their size but in the counts.
  const named = servers.map((name) => ({ name, about: specs.get(name)?.description, tools: [] }));
  const defs = entryTools(named, () => false, []);
  return { tools: defs.length, tokens: defs.reduce((sum, t) => sum + toolTokens(t), 0) };
}

/** The sentence that proposes it, with the manifest's words and what the client then loads. */
export function onDemandLine(client: string, offer: { tools: number; tokens: number }): string {
  return `or let it find its tools on demand: "${client}" in the manifest's "toolSearch": { "clients": [...] } gives it search_tools and call_tool in place of them (${offer.tools} tools, ≈${offer.tokens.toLocaleString("en-US")} tokens; kept tools in "keep")`;
}
