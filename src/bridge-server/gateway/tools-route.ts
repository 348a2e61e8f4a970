/**
 * The gateway's `/tools` (tools on demand), served like a share: an upstream in this process per
 * client token, project folder and session, each call to a tool made through its server's own
 * route and its client's filter, in its share mode.
 */
import { TOOLS_PATH } from "../../core/bridge-link/index.js";
import type { ToolSearchShares } from "../../core/entries/share-launch.js";
import { KeptIndex } from "../../core/tool-search/kept-index.js";
import type { OnDemandCall } from "../../core/tool-search/search-and-call.js";
import { NOT_NAMED, OnDemandServer } from "../../core/tool-search/server.js";
import { CallStop } from "../call-stop.js";
import { credentialOf, labelOf } from "../credential.js";
import { headerOf } from "../http-guards.js";
import { launchKey } from "./list-cache.js";
import { type Passage, sharedCall } from "./request-route.js";
import { childKeyOf, PROJECT_HEADER, SESSION_HEADER } from "./session-keys.js";
import { callShared } from "./share-call.js";
import { type HostOptions, ShareHost } from "./share-host.js";
import { clientOf } from "./tool-filter.js";
import type { Json } from "./wire-json.js";

/** What `/tools` is served with: the gateway's cache, side and timers, its toolSearch and its servers. */
export interface ToolsGateway extends Omit<HostOptions, "logFile" | "inProcess"> {
  plan(): ToolSearchShares | undefined;
  host(name: string): ShareHost | undefined;
}

/** What a call made for a /tools request sends on of its headers: its credential, folder and session. */
const KEPT = ["authorization", PROJECT_HEADER, SESSION_HEADER];

/** The request an upstream was opened for: what it finds its tools with and calls them under. */
type At = { headers: Record<string, string | undefined>; session?: string | undefined };

export function toolsHost(g: ToolsGateway): ShareHost {
  // Searching starts nothing: the tools are those the cache holds (sync fills it), each list
  // indexed again as soon as the cache keeps a new one.
  const kept = new KeptIndex(
    g.plan,
    (s) => g.host(s)?.launch,
    g.log,
    (s, folder) => {
      const host = g.host(s);
      return host && g.cache.get(s, launchKey(host.launch), folder)?.lists["tools/list"];
    },
    g.cache,
  );
  g.cache.toolsChanged = (name, folder) => kept.changed(name, folder);
  const find = (at: At) =>
    kept.of(clientOf(at.headers), (c) => callFor(g, at, c), childKeyOf("project", at.headers, g.side));
  const identity = { command: "", args: [], envNames: [] };
  return new ShareHost(
    { name: "tools", mode: "session", command: "", args: [], env: {}, identity },
    {
      ...g,
      inProcess: {
        path: TOOLS_PATH,
        // Nothing kept per request: its key names its session's, its upstream opens as it asked.
        keyOf: (headers, session) => {
          const client = clientOf(headers);
          if (!g.plan()?.clients.some((c) => c.client === client))
            return { ok: false, why: NOT_NAMED, forbidden: true };
          const at = { session, headers: Object.fromEntries(KEPT.map((n) => [n, headerOf(headers, n)])) };
          const own = childKeyOf("session", headers, g.side, session);
          const folder = labelOf(credentialOf(headers), at.headers[PROJECT_HEADER] ?? "\0");
          const key = `tools:${folder}/${own.ok ? own.key : ""}`;
          return { ok: true, key, open: () => new OnDemandServer(() => find(at), kept) };
        },
        open: () => {
          throw new Error("its /tools key was let go while this request was on its way: send it again");
        },
        // A session's end (2025-11-25's, or a relay's `Mcp-Twin-Session`): its own processes end with it.
        dropped: (key) => {
          const own = key.slice(key.indexOf("/") + 1);
          for (const name of new Set(g.plan()?.clients.flatMap((c) => c.servers)))
            if (own && g.host(name)?.mode === "session") void g.host(name)?.drop(own);
        },
      },
    },
  );
}

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
