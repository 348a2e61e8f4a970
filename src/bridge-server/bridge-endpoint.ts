/**
 * The bridge's own endpoint (`/mcp`) in both protocol eras: a server per 2025-11-25 session, the lane
 * for ordinary 2026-07-28 requests, the SDK's handler for the rest, and note changes sent to all.
 */
import type { JSONRPCMessage, McpHttpHandler, Transport } from "@modelcontextprotocol/server";
import { BRIDGE_PATH } from "../core/bridge-link/index.js";
import { RPC } from "../core/jsonrpc/codes.js";
import type { Endpoint } from "./endpoint.js";
import { type LaneCall, mirrorsAgree } from "./lane.js";
import { checkedCall, paramRefusal, refusalResponse } from "./param-check.js";
import type { BridgeContext, ToolSet } from "./session-server.js";

/**
 * `tools()` builds the tool set once (on the first session or request). The SDK (and zod) load
 * with the first session or request, so an idle bridge stays small.
 */
export function bridgeEndpoint(
  context: BridgeContext,
  loadTools: () => Promise<ToolSet>,
  log: (line: string) => void,
): Endpoint & { close(): Promise<void> } {
  // The tools as listed, once loaded: what a plugin's `x-mcp-header` arguments are checked by.
  let listed: { tools: unknown[] } | undefined;
  // The lane's answers (own-route.ts), once the tools and its module are loaded.
  let route: ((message: JSONRPCMessage) => LaneCall | undefined) | undefined;
  const tools = () =>
    loadTools().then(async (set) => {
      listed ??= { tools: set.list };
      if (!route) {
        const { ownRoute } = await import("./own-route.js");
        route = ownRoute(set, context.notes);
      }
      return set;
    });
  let handler2026: Promise<McpHttpHandler> | undefined;
  let stopNotes: (() => void) | undefined;
  const handler = () =>
    (handler2026 ??= (async () => {
      const [{ createMcpHandler }, { createBridgeServer }, { noteUri }] = await Promise.all([
        import("@modelcontextprotocol/server"),
        import("./session-server.js"),
        import("./resources.js"),
      ]);
      const h = createMcpHandler(
        async () => createBridgeServer(context, await tools(), "2026-07-28").server,
        { legacy: "reject", onerror: (e) => log(`2026-07-28: ${e.message}`) },
      );
      // 2026-07-28 clients hear of note changes on their `subscriptions/listen` streams.
      stopNotes = context.notes.onChange((change) => {
        h.notify.resourceUpdated(noteUri(change.name));
        if (change.kind !== "updated") h.notify.resourcesChanged();
      });
      return h;
    })());
  return {
    path: BRIDGE_PATH,
    lane: (headers, message) => {
      // A call to check goes to the handler's way (below) until the tools are loaded, or to be refused.
      return mirrorsAgree(listed, message, headers) ? route?.(message as JSONRPCMessage) : undefined;
    },
    connect: async (transport) => {
      const { createBridgeServer } = await import("./session-server.js");
      const session = createBridgeServer(context, await tools(), "2025-11-25");
      keepSessionNotFound(transport);
      await session.server.connect(transport);
      return { close: () => session.close() };
    },
    serve2026: async (request, parsedBody) => {
      // A subscription to notes needs the folder watched (edits made by hand are changes too).
      if (isListen(parsedBody)) context.notes.watch();
      if (checkedCall(parsedBody)) {
        await tools();
        const refused = paramRefusal(listed, parsedBody, request.headers);
        if (refused) return refusalResponse(refused, parsedBody);
      }
      return (await handler()).fetch(request, { parsedBody });
    },
    close: async () => {
      stopNotes?.();
      if (handler2026) await (await handler2026).close();
    },
  };
}

/**
 * 2025-11-25 names a missing resource -32002; the SDK answers -32602 (2026-07-28's code) in every
 * era, so a 2025-11-25 session gets its own era's code back (the SDK's not-found carries the URI).
 */
function keepSessionNotFound(transport: Transport): void {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    const error = (message as { error?: { code?: number; data?: { uri?: unknown } } }).error;
    if (error?.code === RPC.invalidParams && typeof error.data?.uri === "string")
      error.code = RPC.resourceNotFound;
    return send(message, options);
  };
}

const isListen = (body: unknown): boolean =>
  (body as { method?: unknown } | null | undefined)?.method === "subscriptions/listen";
