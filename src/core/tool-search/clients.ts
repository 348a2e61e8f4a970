/**
 * Tools on demand for one client (pure): the servers the manifest's `toolSearch` puts behind its
 * `tools` entry, the manifest's tool rules for it applied first, and the kept tools it gets.
 */
import type { ToolDef } from "../entries/tool-lists.js";
import { rulesFor, type ServerToolRules, toolsFor } from "../manifest/tool-rules.js";
import type { OnDemand } from "./search-and-call.js";
import type { ToolIndex } from "./tool-index.js";

/** What the gateway reads of the manifest's `toolSearch` (entries/share-launch.ts fills it). */
export interface OnDemandPlan {
  /** Each client named, with the servers it reaches through `/tools`. */
  clients: ReadonlyArray<{ client: string; servers: readonly string[] }>;
  /** `<server>/<tool>` listed as they are beside search_tools and call_tool. */
  keep: readonly string[];
}

/** What the gateway knows of each server: its rules, and its tools as last listed (none: never listed). */
export interface OnDemandServers {
  rulesOf(server: string): ServerToolRules | undefined;
  toolsOf(server: string): readonly ToolDef[] | undefined;
}

/**
 * The index brought up to date with the servers' lists as the gateway holds them now: a server
 * whose list is the same is not indexed again (ToolIndex.put), one no longer behind any client is dropped.
 */
export function refreshIndex(index: ToolIndex, plan: OnDemandPlan | undefined, known: OnDemandServers): void {
  const wanted = new Set(plan?.clients.flatMap((c) => c.servers) ?? []);
  for (const server of index.servers()) if (!wanted.has(server)) index.drop(server);
  for (const server of wanted) {
    const tools = known.toolsOf(server);
    if (tools) index.put(server, tools);
  }
}

/**
 * What `client` gets at `/tools`, calling through `call`; undefined when the manifest does not
 * name it (a request with another client's token, or the bridge's own, finds nothing there).
 */
export function onDemandOf(
  plan: OnDemandPlan | undefined,
  client: string | undefined,
  index: ToolIndex,
  known: OnDemandServers,
  call: OnDemand["call"],
): OnDemand | undefined {
  const mine = client === undefined ? undefined : plan?.clients.find((c) => c.client === client);
  if (!plan || !mine || client === undefined) return undefined;
  const rules = new Map(mine.servers.map((s) => [s, rulesFor(known.rulesOf(s) ?? {}, s, client)]));
  const admits = (server: string, tool: string) => {
    const applied = rules.get(server);
    return applied !== undefined && toolsFor(applied, [tool]).kept.length === 1;
  };
  return { index, servers: mine.servers.map((name) => ({ name })), admits, keep: plan.keep, call };
}
