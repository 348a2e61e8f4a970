/**
 * The gateway's `/tools` (tools on demand), served like a share: an upstream in this process per
 * client token, project folder and session (tools-upstream.ts), each `call_tool` the client's own
 * call of the server behind, through that server's process for the request's key.
 */
import type { IncomingHttpHeaders } from "node:http";
import { TOOLS_PATH } from "../../core/bridge-link/index.js";
import type { ToolSearchShares } from "../../core/entries/share-launch.js";
import { KeptIndex } from "../../core/tool-search/kept-index.js";
import type { OnDemandCall } from "../../core/tool-search/search-and-call.js";
import { credentialOf, labelOf } from "../credential.js";
import { headerOf } from "../http-guards.js";
import type { Call } from "./call.js";
import { launchKey } from "./list-cache.js";
import { childKeyOf, PROJECT_HEADER, SESSION_HEADER } from "./session-keys.js";
import { sharedResult } from "./share-call.js";
import { type HostOptions, ShareHost } from "./share-host.js";
import { clientOf, toolPolicy } from "./tool-policy.js";
import { NOT_NAMED, ToolsUpstream } from "./tools-upstream.js";
import type { Json } from "./wire-json.js";

/** What `/tools` is served with: the gateway's cache, side and timers, its toolSearch and its servers. */
export interface ToolsGateway extends Omit<HostOptions, "logFile" | "inProcess"> {
  plan(): ToolSearchShares | undefined;
  host(name: string): ShareHost | undefined;
  /** Why a server behind it is not listed ("did not start: …", "cannot run here: …"), if known. */
  failure?(name: string): string | undefined;
}

/** What a call made for a /tools request sends on of its headers: its credential, folder and session. */
const KEPT = ["authorization", PROJECT_HEADER, SESSION_HEADER];

/** What a `call_tool` request's params carry on to the tool's call besides its name and arguments. */
const CARRIED = ["_meta", "inputResponses", "requestState"];

/** The request an upstream was opened for: what it finds its tools with and calls them under. */
type At = { headers: Record<string, string | undefined>; session?: string | undefined };

export function toolsHost(g: ToolsGateway): ShareHost {
  // Searching starts nothing: the tools are those the cache holds (sync fills it), each list
  // indexed again as soon as the cache keeps a new one.
  const listed = (s: string, folder?: string) => {
    const host = g.host(s);
    return host && g.cache.get(s, launchKey(host.launch), folder)?.lists["tools/list"]?.tools;
  };
  const kept = new KeptIndex(
    g.plan,
    {
      mode: (s) => g.host(s)?.mode,
      visible: (s, client, folder) =>
        toolPolicy(s, g.host(s)?.launch.toolRules, client, { pins: g.cache.pins, listed: listed(s, folder) }),
    },
    g.log,
    listed,
  );
  g.cache.toolsChanged = (name, folder) => kept.changed(name, folder);
  const identity = { command: "", args: [], envNames: [] };
  // A token toolSearch does not name, or no longer does (a reload took its client out): 403.
  const forbidden = (headers: IncomingHttpHeaders | Headers) => {
    const client = clientOf(headers);
    return g.plan()?.clients.some((c) => c.client === client) ? undefined : NOT_NAMED;
  };
  return new ShareHost(
    { name: "tools", mode: "session", command: "", args: [], env: {}, identity },
    {
      ...g,
      inProcess: {
        path: TOOLS_PATH,
        // Nothing kept per request: its key names its session's, its upstream opens as it asked.
        forbidden,
        keyOf: (headers, session) => {
          const why = forbidden(headers);
          if (why) return { ok: false, why, forbidden: true };
          const at: At = { session, headers: Object.fromEntries(KEPT.map((n) => [n, headerOf(headers, n)])) };
          const own = childKeyOf("session", headers, g.side, session);
          const folder = labelOf(credentialOf(headers), at.headers[PROJECT_HEADER] ?? "\0");
          const key = `tools:${folder}/${own.ok ? own.key : ""}`;
          const project = childKeyOf("project", at.headers, g.side);
          return {
            ok: true,
            key,
            open: async (events) =>
              new ToolsUpstream(
                {
                  find: (call) => {
                    const o = kept.of(clientOf(at.headers), call, project);
                    return o && { ...o, failure: g.failure };
                  },
                  through: (c, tool) => through(g, at, c, tool),
                  kept,
                  events,
                },
                // Loaded with its first start (zod checks the arguments): an idle bridge does not carry it.
                await import("../../core/tool-search/search-and-call.js"),
              ),
          };
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

/**
 * A tool of a server behind `/tools`, called as the request's own (`c`: its client, stop, progress,
 * questions) by the process its headers name, once, by the route a call at `/share` takes.
 */
async function through(g: ToolsGateway, at: At, c: Call, tool: OnDemandCall): Promise<Json> {
  const host = g.host(tool.server);
  const found = host?.route(at.headers, at.session);
  if (!host || !found?.ok)
    throw new Error(found && !found.ok ? found.why : `"${tool.server}" cannot run here`);
  // What the request carries besides its own tool: its envelope and progress token, its answers to a server's question.
  const carried = Object.entries(c.request.params ?? {}).filter(([k]) => CARRIED.includes(k));
  const params = { ...Object.fromEntries(carried), name: tool.tool, arguments: tool.args };
  const child = host.child(found.key, found.cwd);
  const client = { ...c.client, ...host.clientAt(at.headers, found.cwd) };
  return sharedResult({ ...c, client, request: { ...c.request, params } }, child, await child.described());
}
