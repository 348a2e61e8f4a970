/**
 * The gateway's `/tools` (tools on demand): one index of every server's cached tools, and each
 * call to a tool made through its server's own route and its client's filter, in its share mode.
 */
import type { IncomingHttpHeaders as Incoming } from "node:http";
import type { ToolSearchShares } from "../../core/entries/share-launch.js";
import { KeptIndex } from "../../core/tool-search/kept-index.js";
import type { OnDemandCall } from "../../core/tool-search/search-and-call.js";
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
  // Searching starts nothing: the tools are those the cache holds (sync fills it), each list
  // indexed again as soon as the cache keeps a new one.
  const kept = new KeptIndex(
    g.plan,
    (s) => g.host(s)?.launch,
    g.log,
    (s, folder) => {
      const host = g.host(s);
      return host && g.cache.get(s, launchKey(host.launch), folder)?.lists["tools/list"]?.tools;
    },
  );
  g.cache.toolsChanged = (name, folder) => kept.changed(name, folder);
  return onDemandEndpoint(
    path,
    (headers, session) =>
      kept.of(
        clientOf(headers),
        (c) => callFor(g, { headers, session }, c),
        childKeyOf("project", headers, g.side),
      ),
    g.log,
    async (session) => {
      // A session's own processes end with it.
      const key = childKeyOf("session", {}, g.side, session);
      for (const name of new Set(g.plan()?.clients.flatMap((c) => c.servers)))
        if (key.ok && g.host(name)?.mode === "session") await g.host(name)?.drop(key.key);
    },
    kept,
  ) as Endpoint;
}

type At = { headers: Headers | Incoming; session?: string | undefined };

/** A call for a request with these headers (of this 2025-11-25 session), made as a 2026-07-28 one (server.ts). */
async function callFor(g: ToolsGateway, at: At, c: OnDemandCall) {
  const host = g.host(c.server);
  const found = host?.route(at.headers, at.session);
  if (!host || !found?.ok) throw new Error(found && !found.ok ? found.why : `"${c.server}" cannot run here`);
  const child = host.child(found.key, found.cwd);
  const params = { ...c.via, name: c.tool, arguments: c.args };
  const m: Passage["m"] = { jsonrpc: "2.0", id: 0, method: "tools/call", params };
  const session = {
    era: "2026-07-28" as const,
    subscriptions: new Set<string>(),
    tools: host.gate(at.headers),
  };
  const p = { child, session, m, send: () => {}, stop: new CallStop() };
  const answer = (await callShared(sharedCall(p, () => child.described()))) as Json | undefined;
  if (!answer || answer.error) throw new Error(String((answer?.error as Json | undefined)?.message));
  return answer.result as Json;
}
