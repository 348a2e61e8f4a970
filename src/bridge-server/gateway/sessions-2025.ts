/**
 * A shared server's 2025-11-25 sessions: each its own SDK server on the process its mode names,
 * and the fast lane of its calls, written to a running 2025-11-25 process as they came.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { JSONRPCRequest, Server } from "@modelcontextprotocol/server";
import { RPC, rpcError } from "../../core/jsonrpc/codes.js";
import type { HttpSessionTransport } from "../session-transport.js";
import { ANY, type Json } from "./as-sent.js";
import { NO_SDK_TIMEOUT } from "./asks.js";
import type { SessionRef } from "./forward-server.js";
import { admits } from "./log-levels.js";
import type { ShareRoom } from "./share-room.js";
import type { SharedChild } from "./shared-child.js";
import { refusedCall } from "./tool-filter.js";

/** The calls that take the fast lane between two 2025-11-25 ends. */
const FAST = new Set(["tools/call", "prompts/get", "resources/read", "completion/complete"]);
const NEEDS: Record<string, string> = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
};

/** A 2025-11-25 session: its own server, on the process its mode names. */
export async function connectSession(
  room: ShareRoom,
  transport: HttpSessionTransport,
  headers: IncomingHttpHeaders,
): Promise<{ close(): Promise<void> }> {
  const found = room.route(headers, transport.sessionId);
  if (!found.ok) throw new Error(found.why);
  const child = room.child(found.key, found.cwd);
  const tools = room.gate(headers);
  const session: SessionRef = {
    era: "2025-11-25",
    subscriptions: new Set(),
    receiving: () => transport.streaming,
    ...(tools ? { tools } : {}),
  };
  // The SDK's server loads with the first session: an idle bridge does not carry it.
  const { forwardServer } = await import("./forward-server.js");
  const server = forwardServer(room.target(found.key, child), session, await room.cached(child));
  session.server = server;
  const attached = room.attached(found.key);
  attached.add(session);
  await server.connect(transport);
  const raw = fastLane(transport, server, session, child);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    attached.delete(session);
    // What it still waited for is of no use to anyone: the server is told to stop.
    for (const rawId of raw.values())
      child.rawCancel({ params: { reason: "the client session ended" } }, rawId);
    if (session.subscriptions.size > 0)
      // The session is ending: a server refusing the smaller set leaves extra updates, dropped unsent.
      await child.subscriptions(room.subscribed(found.key)).catch(() => {});
    // A session's own process ends with it.
    if (room.mode() === "session") await room.drop(found.key);
    // The session is ending: its server is closed either way.
    await server.close().catch(() => {});
  };
  const prior = transport.onclose;
  transport.onclose = () => {
    prior?.();
    void close();
  };
  return { close };
}

/**
 * Calls between two 2025-11-25 ends go past the SDK on both sides while the server runs
 * (SharedChild.rawCall): the same messages, without a schema to build them again on the way.
 */
function fastLane(
  transport: HttpSessionTransport,
  server: Server,
  session: SessionRef,
  child: SharedChild,
): Map<unknown, number> {
  const dispatch = transport.onmessage;
  const raw = new Map<unknown, number>();
  transport.onmessage = (message, extra) => {
    if (!("method" in message)) return dispatch?.call(transport, message, extra);
    if (
      "id" in message &&
      FAST.has(message.method) &&
      child.running &&
      child.cached()?.era === "2025-11-25" &&
      !refusedCall(session.tools?.(), message)
    ) {
      void rawCall(transport, server, session, child, message, raw);
      return;
    }
    const cancelled =
      message.method === "notifications/cancelled" ? raw.get(message.params?.requestId) : undefined;
    if (cancelled) child.rawCancel(message, cancelled);
    else dispatch?.call(transport, message, extra);
  };
  return raw;
}

async function rawCall(
  transport: HttpSessionTransport,
  server: Server,
  session: SessionRef,
  child: SharedChild,
  m: JSONRPCRequest,
  raw: Map<unknown, number>,
): Promise<void> {
  const { id } = m;
  const token = m.params?._meta?.progressToken;
  const related = (method: string, params: Json) => transport.deliver({ jsonrpc: "2.0", method, params }, id);
  const caller = {
    session,
    ask: (method: string, params: Json | undefined, signal: AbortSignal) => {
      const need = NEEDS[method] ?? method;
      if (!(server.getClientCapabilities() as Json | undefined)?.[need])
        return Promise.reject(rpcError(`${method}: this client did not declare "${need}" when it connected`));
      return server.request({ method, params }, ANY, {
        relatedRequestId: id,
        signal,
        timeout: NO_SDK_TIMEOUT,
      }) as Promise<Json>;
    },
    notify: (method: string, params: Json) => {
      if (method !== "notifications/message" || admits(session.logLevel, params.level))
        related(method, params);
    },
  };
  try {
    const response = await child.rawCall(m, caller, {
      progress: (p) => related("notifications/progress", { ...p, progressToken: token }),
      sent: (rawId) => raw.set(id, rawId),
    });
    transport.deliver({ ...response, id });
  } catch (error) {
    // A call the client cancelled gets no answer.
    if ((error as { cancelled?: boolean }).cancelled) return;
    const code = (error as { code?: unknown }).code;
    transport.deliver({
      jsonrpc: "2.0",
      id,
      error: {
        code: typeof code === "number" ? code : RPC.internalError,
        message: error instanceof Error ? error.message : String(error),
      },
    });
  } finally {
    raw.delete(id);
  }
}
