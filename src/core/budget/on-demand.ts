/**
 * A toolSearch client's budget before and after (pure): what its servers' definitions would weigh
 * as an entry each, and what its one `tools` entry sends — search_tools, call_tool, the kept tools.
 */
import type { ToolDef, ToolLists } from "../entries/tool-lists.js";
import type { ServerSpec } from "../manifest/schema.js";
import { rulesFor, toolsFor } from "../manifest/tool-rules.js";
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
  after: number;
}

/**
 * The two tools as the gateway's contract describes them (docs/manifest.md, "Tools on demand"):
 * search_tools' description names the servers behind it, a line each. Sized, never sent.
 */
function onDemandDefs(servers: ReadonlyArray<{ name: string; about?: string | undefined }>): ToolDef[] {
  const lines = servers.map((s) => `- ${s.name}${s.about ? `: ${s.about}` : ""}`).join("\n");
  return [
    {
      name: "search_tools",
      description: `Search the tools of these MCP servers and get the best matches, each with its input schema; call one with call_tool. "select:<server>/<tool>" gives that one tool.\n${lines}`,
      inputSchema: {
        type: "object",
        properties: {
          query: { type: "string", description: "What the tool should do, or select:<server>/<tool>" },
          limit: { type: "integer", minimum: 1, maximum: 10, description: "How many matches (default 5)" },
        },
        required: ["query"],
      },
    },
    {
      name: "call_tool",
      description: "Call a tool search_tools found, by its <server>/<tool> name, with its arguments.",
      inputSchema: {
        type: "object",
        properties: {
          name: { type: "string", description: "<server>/<tool>, as search_tools gave it" },
          arguments: { type: "object", description: "The tool's arguments, as its input schema says" },
        },
        required: ["name"],
      },
    },
  ];
}

/** A toolSearch client's figures: its servers' tools as the rules leave them, before and after. */
export function onDemandBudget(
  client: string,
  behind: readonly string[],
  servers: ReadonlyMap<string, ServerSpec>,
  lists: ToolLists,
  keep: readonly string[],
): OnDemand {
  let tools = 0;
  let before = 0;
  const reached = new Map<string, ToolDef>();
  const unknown: string[] = [];
  for (const name of behind) {
    const list = lists.get(name);
    const spec = servers.get(name);
    if (!list || !spec) {
      unknown.push(name);
      continue;
    }
    const ruled = new Set(
      toolsFor(
        rulesFor(spec, name, client),
        list.tools.map((t) => t.name),
      ).kept,
    );
    for (const t of list.tools)
      if (ruled.has(t.name)) {
        tools += 1;
        before += toolTokens(t);
        reached.set(`${name}/${t.name}`, t);
      }
  }
  const defs = onDemandDefs(behind.map((name) => ({ name, about: servers.get(name)?.description })));
  const kept = keep.flatMap((k) => {
    const t = reached.get(k);
    return t ? [t] : [];
  });
  const after = [...defs, ...kept].reduce((sum, t) => sum + toolTokens(t), 0);
  return {
    servers: [...behind],
    unknown,
    tools,
    before,
    listed: defs.length + kept.length,
    kept: kept.length,
    after,
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
  const defs = onDemandDefs(servers.map((name) => ({ name, about: specs.get(name)?.description })));
  return { tools: defs.length, tokens: defs.reduce((sum, t) => sum + toolTokens(t), 0) };
}

/** The sentence that proposes it, with the manifest's words and what the client then loads. */
export function onDemandLine(client: string, offer: { tools: number; tokens: number }): string {
  return `or let it find its tools on demand: "${client}" in the manifest's "toolSearch": { "clients": [...] } gives it search_tools and call_tool in place of them (${offer.tools} tools, ≈${offer.tokens.toLocaleString("en-US")} tokens; kept tools in "keep")`;
}
