/**
 * The gateway's `/tools` (tools on demand): one index of every server's cached tools, and each
 * call to a tool made through its server's own route and its client's filter, in its share mode.
 */
import type { IncomingHttpHeaders as Incoming } from "node:http";
import type { ToolSearchShares } from "../../core/entries/share-launch.js";
import { onDemandOf, refreshIndex } from "../../core/tool-search/clients.js";
import { ToolIndex } from "../../core/tool-search/tool-index.js";
import { onDemandEndpoint } from "../../core/tool-search/tools-endpoint.js";
import { CallStop } from "../call-stop.js";
import type { Endpoint } from "../endpoint.js";
import { type ListCache, launchKey } from "./list-cache.js";
import { type Passage, sharedCall } from "./request-route.js";
import { childKeyOf, type PathSide } from "./session-keys.js";
import { callShared } from "./share-call.js";
import type { ShareHost } from "./share-host.js";
import { clientOf } from "./tool-filter.js";
import type { Json } from "./wire-json.js";

export interface ToolsGateway {
  plan(): ToolSearchShares | undefined;
  host(name: string): ShareHost | undefined;
  cache: ListCache;
  side: PathSide;
  log(line: string): void;
}

export function toolsEndpoint(path: string, g: ToolsGateway): Endpoint {
  const index = new ToolIndex();
  // Searching starts nothing: the tools are those the cache holds (sync fills it).
  const known = {
    rulesOf: (s: string) => g.host(s)?.launch.toolRules,
    toolsOf: (s: string) => {
      const host = g.host(s);
      const tools = host && g.cache.get(s, launchKey(host.launch))?.lists["tools/list"]?.tools;
      return Array.isArray(tools) ? tools : undefined;
    },
  };
  const call = async (
    server: string,
    tool: string,
    args: Json,
    headers: Headers | Incoming,
    session?: string,
  ) => {
    const host = g.host(server);
    const found = host?.route(headers, session);
    if (!host || !found?.ok) throw new Error(found && !found.ok ? found.why : `"${server}" cannot run here`);
    const child = host.child(found.key, found.cwd);
    // In 2025-11-25 terms: a 2026-07-28 process gets the envelope from the one call (toProcess), a
    // 2025-11-25 one the request as it is.
    const params = { name: tool, arguments: args };
    const m: Passage["m"] = { jsonrpc: "2.0", id: 0, method: "tools/call", params };
    const s2025 = { era: "2025-11-25" as const, subscriptions: new Set<string>(), tools: host.gate(headers) };
    const p = {
      target: host.target(found.key, child),
      session: s2025,
      m,
      send: () => {},
      stop: new CallStop(),
    };
    const answer = (await callShared(sharedCall(p, () => host.cached(child)))) as Json | undefined;
    if (!answer || answer.error) throw new Error(String((answer?.error as Json | undefined)?.message));
    return answer.result as Json;
  };
  return onDemandEndpoint(
    path,
    (headers, session) => {
      const plan = g.plan();
      refreshIndex(index, plan, known);
      return onDemandOf(plan, clientOf(headers), index, known, (s, t, a) => call(s, t, a, headers, session));
    },
    g.log,
    async (session) => {
      // A session's own processes end with it.
      for (const name of new Set(g.plan()?.clients.flatMap((c) => c.servers))) {
        const host = g.host(name);
        const key = childKeyOf("session", {}, g.side, session);
        if (host?.mode === "session" && key.ok) await host.drop(key.key);
      }
    },
  ) as Endpoint;
}
