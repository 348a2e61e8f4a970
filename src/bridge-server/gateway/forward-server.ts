/**
 * The SDK server a shared server's 2026-07-28 request talks to (its handler's, its lane's): each
 * spec method the server advertises, forwarded raw to its process, or answered from the cache.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  Server,
  type ServerContext,
} from "@modelcontextprotocol/server";
import type { Era } from "../endpoint.js";
import { asResultOf, type Json } from "./as-sent.js";
import type { Caller } from "./asks.js";
import { capabilitiesOf, tidy, withEnvelope } from "./eras.js";
import type { CachedServer, ListMethod } from "./list-cache.js";
import { admits } from "./log-levels.js";
import type { ReverseShim } from "./reverse-shim.js";
import type { SharedChild } from "./shared-child.js";
import { keptTools, refusal, type ToolFilter } from "./tool-filter.js";

/** One client session (or 2026-07-28 listen) as the gateway routes it: its era, log level and subscriptions. */
export interface SessionRef {
  era: Era;
  /** 2025-11-25: set by `logging/setLevel` (undefined: every level). */
  logLevel?: string;
  subscriptions: Set<string>;
  /** A 2025-11-25 session's way to be told what is tied to no call (none: it is told nothing). */
  notify?: (method: string, params?: Json) => void;
  /** The tool rules its client's entry leaves to the gateway (read on each use: a reload changes them). */
  tools?: () => ToolFilter | undefined;
  /** Whether it can receive what is tied to no call now (its GET stream is open); none: always. */
  receiving?: () => boolean;
}

/** What the forwarding server needs of its shared server. */
export interface ForwardTarget {
  name: string;
  child: SharedChild;
  shim: ReverseShim;
  subscribe(session: SessionRef, uri: string): Promise<void>;
  unsubscribe(session: SessionRef, uri: string): Promise<void>;
}

const CALLS = ["tools/call", "prompts/get", "resources/read", "completion/complete"] as const;
/** What each list and call needs the server to have declared. */
export const CAPABILITY_OF: Record<ListMethod | (typeof CALLS)[number], string> = {
  "tools/list": "tools",
  "prompts/list": "prompts",
  "resources/list": "resources",
  "resources/templates/list": "resources",
  "tools/call": "tools",
  "prompts/get": "prompts",
  "resources/read": "resources",
  "completion/complete": "completions",
};
const LIST_METHODS: ListMethod[] = [
  "tools/list",
  "prompts/list",
  "resources/list",
  "resources/templates/list",
];

/**
 * Build the server. `cached` (what the last start learned) gives its identity and capabilities,
 * so a request can list without the process running.
 */
export function forwardServer(target: ForwardTarget, session: SessionRef, cached: CachedServer): Server {
  const capabilities = capabilitiesOf(cached);
  const server = new Server(
    { ...cached.serverInfo },
    { capabilities, ...(cached.instructions ? { instructions: cached.instructions } : {}) },
  );
  const { child } = target;
  for (const method of LIST_METHODS) {
    if (!capabilities[CAPABILITY_OF[method]]) continue;
    server.setRequestHandler(method, async (request, ctx) => {
      const result =
        child.listFromCache(method, request.params?.cursor) ??
        (await forward(target, method, request.params, ctx));
      const kept = method === "tools/list" ? keptTools(session.tools?.(), result) : result;
      return asResultOf(method, tidy(kept, session.era, true));
    });
  }
  for (const method of CALLS) {
    if (!capabilities[CAPABILITY_OF[method]]) continue;
    server.setRequestHandler(method, async (request, ctx) => {
      const refused =
        method === "tools/call" ? refusal(session.tools?.(), (request.params as Json).name) : undefined;
      if (refused) throw Object.assign(new Error(refused.message), refused);
      const result = await forward(target, method, request.params, ctx);
      return asResultOf(method, tidy(result, session.era, method === "resources/read"));
    });
  }
  return server;
}

/**
 * One request to the process, as the client sent it: its progress token replaced by one of the
 * gateway's (the answer's progress comes back under the client's), the client's envelope carried
 * to a 2026-07-28 server, a retry's answers put back where the SDK lifted them from, and a
 * 2025-11-25 server's questions parked for this client (reverse-shim.ts).
 */
async function forward(
  target: ForwardTarget,
  method: string,
  received: Json | undefined,
  ctx: ServerContext,
): Promise<Json> {
  const { child } = target;
  const envelope = ctx.mcpReq.envelope as Json | undefined;
  const caps = envelope?.[CLIENT_CAPABILITIES_META_KEY] as Json | undefined;
  const level = envelope?.[LOG_LEVEL_META_KEY] as string | undefined;
  const to = child.cached()?.era ?? "2025-11-25";
  const { params, token } = withEnvelope(
    received,
    { capabilities: caps, level, info: envelope?.[CLIENT_INFO_META_KEY] as Json | undefined },
    to,
  );

  // Progress in order, all of it out before the result.
  let relayed = Promise.resolve();
  const onprogress =
    token === undefined
      ? undefined
      : (p: Json) => {
          relayed = relayed
            .then(() =>
              ctx.mcpReq.notify({
                method: "notifications/progress",
                params: { ...p, progressToken: token },
              }),
            )
            // The session may be gone: a notification to it has no one to tell.
            .catch(() => {});
        };
  const notify = (m: string, p: Json) => {
    if (m === "notifications/message" && (level === undefined || !admits(level, p.level))) return;
    // The session may be gone: a notification to it has no one to tell.
    void ctx.mcpReq.notify({ method: m, params: p }).catch(() => {});
  };

  // A 2026-07-28 client answering a question the gateway parked for it.
  const state = ctx.mcpReq.requestState();
  const handle = target.shim.handleOf(state);
  if (handle !== undefined)
    return target.shim.resume(handle, ctx.mcpReq.inputResponses as Json | undefined, ctx.mcpReq.signal);
  if (ctx.mcpReq.inputResponses) params.inputResponses = ctx.mcpReq.inputResponses;
  if (typeof state === "string") params.requestState = state;

  const run = async (signal: AbortSignal, ask?: Caller["ask"]) => {
    const result = await child.call(
      { jsonrpc: "2.0", id: 0, method, params },
      { session: {}, ...(ask ? { ask } : {}), notify },
      { ...(onprogress ? { progress: onprogress } : {}), stop: signal },
    );
    await relayed;
    return result;
  };
  if (to !== "2026-07-28")
    return target.shim.start((ask, stop) => run(stop.signal, ask), caps ?? {}, ctx.mcpReq.signal);
  return run(ctx.mcpReq.signal);
}
