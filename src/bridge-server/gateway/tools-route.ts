/**
 * The gateway's `/tools` (tools on demand): one index of every server's cached tools, and each
 * call to a tool made through its server's own route and its client's filter, in its share mode.
 */
import type { IncomingHttpHeaders as Incoming } from "node:http";
import type { ToolSearchShares } from "../../core/entries/share-launch.js";
import { onDemandOf, refreshIndex } from "../../core/tool-search/clients.js";
import { onDemandEndpoint } from "../../core/tool-search/endpoint.js";
import { ToolIndex } from "../../core/tool-search/tool-index.js";
import { VERSION } from "../../version.js";
import { CallStop } from "../call-stop.js";
import type { Endpoint } from "../endpoint.js";
import type { Json } from "./as-sent.js";
import { type ListCache, launchKey } from "./list-cache.js";
import { childKeyOf, type PathSide } from "./session-keys.js";
import type { ShareHost } from "./share-host.js";
import { clientOf } from "./tool-filter.js";

/** Who calls, in a 2026-07-28 server's envelope: the gateway on its client's behalf. */
const ME = { name: "mcp-twin-tools", version: VERSION };

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
    // The route, and the envelope a 2026-07-28 request carries, load with the first call (the SDK).
    const [route, eras] = await Promise.all([import("./request-route.js"), import("./eras.js")]);
    const { params } = eras.withEnvelope(
      { name: tool, arguments: args },
      { capabilities: {}, info: ME },
      "2026-07-28",
    );
    const m = { jsonrpc: "2.0" as const, id: 0, method: "tools/call", params };
    const session2026 = {
      era: "2026-07-28" as const,
      subscriptions: new Set<string>(),
      tools: host.gate(headers),
    };
    const target = host.target(found.key, child);
    return route.answer(
      { target, session: session2026, m, send: () => {}, stop: new CallStop() },
      await host.cached(child),
    );
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
