/**
 * The SDK server a client session (2025-11-25) or request (2026-07-28) of a shared server talks to:
 * each spec method the server advertises, forwarded raw to its process, or answered from the cache.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  LOG_LEVEL_META_KEY,
  Server,
  type ServerContext,
} from "@modelcontextprotocol/server";
import { isCodeOf2026Only, rpcError } from "../../core/jsonrpc/codes.js";
import type { Era } from "../endpoint.js";
import { asResultOf, type Json } from "./as-sent.js";
import { type AskMethod, type Caller, NO_SDK_TIMEOUT } from "./asks.js";
import type { CachedServer, ListMethod } from "./list-cache.js";
import { admits } from "./log-levels.js";
import type { ReverseShim } from "./reverse-shim.js";
import type { SharedChild } from "./shared-child.js";
import { keptTools, refusal, type ToolFilter } from "./tool-filter.js";

/** One client session as the gateway routes it: its era, log level and note subscriptions. */
export interface SessionRef {
  era: Era;
  /** 2025-11-25: set by `logging/setLevel` (undefined: every level). */
  logLevel?: string;
  subscriptions: Set<string>;
  /** Where its 2025-11-25 server sends what is not tied to a call (set once connected). */
  server?: Server;
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
const LISTS: Record<ListMethod, string> = {
  "tools/list": "tools",
  "prompts/list": "prompts",
  "resources/list": "resources",
  "resources/templates/list": "resources",
};
const CALL_CAPABILITY: Record<(typeof CALLS)[number], string> = {
  "tools/call": "tools",
  "prompts/get": "prompts",
  "resources/read": "resources",
  "completion/complete": "completions",
};

/** The capabilities a client sees: the server's own, those the gateway forwards. */
function capabilitiesOf(cached: CachedServer): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const k of ["tools", "prompts", "resources", "completions", "logging", "experimental"] as const)
    if (cached.capabilities[k]) out[k] = { ...cached.capabilities[k] };
  return out;
}

/**
 * A result as the session's era has it: 2025-11-25 has no `resultType` and no cache hints; a
 * 2026-07-28 list from a 2025-11-25 server gets the hints that are true of it (no promise: 0 ms,
 * and private, as it was read with this user's configuration).
 */
function tidy(result: Json, era: Era, list: boolean): Json {
  const out = { ...result };
  if (era === "2025-11-25") {
    delete out.ttlMs;
    delete out.cacheScope;
    if (out.resultType === "complete") delete out.resultType;
  } else if (list && out.ttlMs === undefined) {
    out.ttlMs = 0;
    out.cacheScope = "private";
  }
  return out;
}

/**
 * Build the server. `cached` (what the last start learned) gives its identity and capabilities,
 * so a session can start and list without the process running.
 */
export function forwardServer(target: ForwardTarget, session: SessionRef, cached: CachedServer): Server {
  const capabilities = capabilitiesOf(cached);
  const server = new Server(
    { ...cached.serverInfo },
    { capabilities, ...(cached.instructions ? { instructions: cached.instructions } : {}) },
  );
  const { child } = target;
  for (const [method, capability] of Object.entries(LISTS) as Array<[ListMethod, string]>) {
    if (!capabilities[capability]) continue;
    server.setRequestHandler(method, async (request, ctx) => {
      const page = request.params?.cursor;
      const fromCache = !child.running && page === undefined ? child.cached()?.lists[method] : undefined;
      const result = fromCache ?? (await forward(target, session, server, method, request.params, ctx));
      const kept = method === "tools/list" ? keptTools(session.tools?.(), result) : result;
      return asResultOf(method, tidy(kept, session.era, true));
    });
  }
  for (const method of CALLS) {
    if (!capabilities[CALL_CAPABILITY[method]]) continue;
    server.setRequestHandler(method, async (request, ctx) => {
      const refused =
        method === "tools/call" ? refusal(session.tools?.(), (request.params as Json).name) : undefined;
      if (refused) throw Object.assign(new Error(refused.message), refused);
      const result = await forward(target, session, server, method, request.params, ctx);
      return asResultOf(method, tidy(result, session.era, method === "resources/read"));
    });
  }
  if (session.era === "2025-11-25") {
    if (capabilities.resources?.subscribe) {
      server.setRequestHandler("resources/subscribe", async (request) => {
        await target.subscribe(session, request.params.uri);
        return {};
      });
      server.setRequestHandler("resources/unsubscribe", async (request) => {
        await target.unsubscribe(session, request.params.uri);
        return {};
      });
    }
    if (capabilities.logging)
      server.setRequestHandler("logging/setLevel", async (request) => {
        session.logLevel = request.params.level;
        return {};
      });
  }
  return server;
}

/**
 * One request to the process, as the client sent it: its progress token replaced by one of the
 * gateway's (the answer's progress comes back under the client's), the client's capabilities
 * and log level carried to a 2026-07-28 server, a retry's answers put back where the SDK lifted
 * them from, and the server's own questions routed back to this client.
 */
async function forward(
  target: ForwardTarget,
  session: SessionRef,
  server: Server,
  method: string,
  received: Json | undefined,
  ctx: ServerContext,
): Promise<Json> {
  const { child } = target;
  const params: Json = { ...received };
  const meta: Json = { ...(params._meta as Json | undefined) };
  const token = meta.progressToken;
  delete meta.progressToken;
  const envelope = ctx.mcpReq.envelope as Json | undefined;
  const caps = (
    session.era === "2026-07-28" ? envelope?.[CLIENT_CAPABILITIES_META_KEY] : server.getClientCapabilities()
  ) as Json | undefined;
  const level =
    session.era === "2026-07-28" ? (envelope?.[LOG_LEVEL_META_KEY] as string | undefined) : session.logLevel;
  if (child.cached()?.era === "2026-07-28") {
    // The client's own envelope, not the gateway's: what it can do, what it wants logged, who it is.
    const info = session.era === "2026-07-28" ? envelope?.[CLIENT_INFO_META_KEY] : server.getClientVersion();
    if (caps) meta[CLIENT_CAPABILITIES_META_KEY] = caps;
    if (level) meta[LOG_LEVEL_META_KEY] = level;
    if (info) meta[CLIENT_INFO_META_KEY] = info;
  }
  if (Object.keys(meta).length > 0) params._meta = meta;
  else delete params._meta;

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
    if (m === "notifications/message" && (session.era === "2026-07-28" ? level === undefined : false)) return;
    if (m === "notifications/message" && !admits(level, p.level)) return;
    // The session may be gone: a notification to it has no one to tell.
    void ctx.mcpReq.notify({ method: m, params: p }).catch(() => {});
  };
  const run = async (ask: Caller["ask"], signal: AbortSignal) => {
    const result = await child.forward(method, params, {
      signal,
      ...(onprogress ? { onprogress } : {}),
      caller: { session: session.era === "2026-07-28" ? {} : session, ask, notify },
    });
    await relayed;
    return result;
  };

  // A 2026-07-28 client answering a question the gateway parked for it.
  const state = ctx.mcpReq.requestState();
  const handle = target.shim.handleOf(state);
  if (handle !== undefined)
    return target.shim.resume(handle, ctx.mcpReq.inputResponses as Json | undefined, ctx.mcpReq.signal);
  if (ctx.mcpReq.inputResponses) params.inputResponses = ctx.mcpReq.inputResponses;
  if (typeof state === "string") params.requestState = state;

  try {
    if (session.era === "2026-07-28" && child.cached()?.era !== "2026-07-28")
      return await target.shim.start((ask, stop) => run(ask, stop.signal), caps ?? {}, ctx.mcpReq.signal);
    const ask =
      session.era === "2025-11-25"
        ? (m: AskMethod, p: Json | undefined, signal: AbortSignal) => askInSession(server, ctx, m, p, signal)
        : undefined;
    return await run(ask, ctx.mcpReq.signal);
  } catch (error) {
    // 2026-07-28's own error codes mean nothing to a 2025-11-25 client: said in words.
    const code = (error as { code?: unknown }).code;
    if (session.era === "2025-11-25" && typeof code === "number" && isCodeOf2026Only(code)) {
      const message = error instanceof Error ? error.message : String(error);
      if (method === "tools/call") return { content: [{ type: "text", text: message }], isError: true };
      throw rpcError(message);
    }
    throw error;
  }
}

const NEEDS: Record<string, string> = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
};

/** A 2025-11-25 server's question to a 2025-11-25 client: on the call's own stream, if it may ask. */
function askInSession(
  server: Server,
  ctx: ServerContext,
  method: AskMethod,
  params: Json | undefined,
  signal: AbortSignal,
): Promise<Json> {
  const need = NEEDS[method] ?? method;
  if (!(server.getClientCapabilities() as Json | undefined)?.[need])
    return Promise.reject(rpcError(`${method}: this client did not declare "${need}" when it connected`));
  return ctx.mcpReq.send({ method, params }, { signal, timeout: NO_SDK_TIMEOUT });
}
