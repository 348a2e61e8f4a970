/**
 * The SDK server behind a shared server's 2026-07-28 handler (what the lane does not take): the
 * requests it lets through are answered by the same route as the lane's (request-route.ts).
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type JSONRPCMessage,
  LOG_LEVEL_META_KEY,
  Server,
  type ServerContext,
} from "@modelcontextprotocol/server";
import { CallStop } from "../call-stop.js";
import { asResultOf, type Json } from "./as-sent.js";
import { capabilitiesOf, withEnvelope } from "./eras.js";
import { type CachedServer, LIST_METHODS } from "./list-cache.js";
import { sharedCall } from "./request-route.js";
import { CALLS, CAPABILITY_OF, sharedResult } from "./share-call.js";
import type { ForwardTarget, SessionRef } from "./share-view.js";

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
  for (const method of [...LIST_METHODS, ...CALLS]) {
    if (!capabilities[CAPABILITY_OF[method]]) continue;
    server.setRequestHandler(method, async (request, ctx) =>
      asResultOf(method, await forward(target, session, cached, method, request.params, ctx)),
    );
  }
  return server;
}

/**
 * The request as the client sent it, put back together from what the SDK lifted off it (the
 * envelope, a retry's answers and state), through the route; its notifications in order, all of
 * them out before the result.
 */
async function forward(
  target: ForwardTarget,
  session: SessionRef,
  cached: CachedServer,
  method: string,
  received: Json | undefined,
  ctx: ServerContext,
): Promise<Json> {
  const envelope = ctx.mcpReq.envelope as Json | undefined;
  const client = {
    capabilities: envelope?.[CLIENT_CAPABILITIES_META_KEY] as Json | undefined,
    level: envelope?.[LOG_LEVEL_META_KEY] as string | undefined,
    info: envelope?.[CLIENT_INFO_META_KEY] as Json | undefined,
  };
  const params = withEnvelope(received, client, "2026-07-28");
  if (ctx.mcpReq.inputResponses) params.inputResponses = ctx.mcpReq.inputResponses;
  const state = ctx.mcpReq.requestState();
  if (typeof state === "string") params.requestState = state;
  const stop = new CallStop();
  const { signal } = ctx.mcpReq;
  if (signal.aborted) stop.abort(signal.reason);
  else signal.addEventListener("abort", () => stop.abort(signal.reason), { once: true });
  let relayed = Promise.resolve();
  const send = (message: JSONRPCMessage) => {
    relayed = relayed
      .then(() => ctx.mcpReq.notify(message as Parameters<typeof ctx.mcpReq.notify>[0]))
      // The session may be gone: a notification to it has no one to tell.
      .catch(() => {});
  };
  const m = { jsonrpc: "2.0" as const, id: ctx.mcpReq.id, method, params };
  const result = await sharedResult(sharedCall({ target, session, m, send, stop }, cached), cached);
  await relayed;
  // A 2026-07-28 call is never answered on the way (only a 2025-11-25 session's can be).
  return result ?? {};
}
