/**
 * A shared server's 2026-07-28 requests: its calls and lists on the lane (request-route.ts), the rest
 * to the SDK's handler (discover, listens, the spec's refusals: its listen router alone is 425
 * lines), changes told to both.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { JSONRPCMessage, McpHttpHandler, Server } from "@modelcontextprotocol/server";
import { RPC } from "../../core/jsonrpc/codes.js";
import { TRY_AGAIN } from "../http-guards.js";
import { type LaneCall, laneRefusal, specParams } from "../lane.js";
import { errorResponse, paramRefusal } from "../param-check.js";
import { capabilitiesOf } from "./eras.js";
import { type CachedServer, LIST_METHODS, type ListKind } from "./list-cache.js";
import { answerOnLane, type Passage } from "./request-route.js";
import { CALLS, capabilityOf } from "./share-call.js";
import type { SessionRef, ShareRoom } from "./share-view.js";
import type { SharedChild } from "./shared-child.js";
import { subscriptionRefusal } from "./subscriptions.js";

export class Requests2026 {
  readonly #room: ShareRoom;
  /** The 2026-07-28 handler of each process (its own bus: its changes reach only its listeners). */
  readonly #handlers = new Map<string, Promise<McpHttpHandler>>();

  constructor(room: ShareRoom) {
    this.#room = room;
  }

  /**
   * The lane's call for a request laneTakes took whose headers name a process: its `Mcp-Param-*`
   * headers checked (mirrorRefusal), then the one call, with the params the SDK's server would pass on.
   */
  laneFor(headers: IncomingHttpHeaders, message: unknown): LaneCall | undefined {
    const found = this.#room.route(headers);
    if (!found.ok) return undefined;
    const child = this.#room.child(found.key, found.cwd);
    const client = this.#room.clientAt(headers, found.cwd);
    const cached = () => child.described();
    const m = specParams(message as Passage["m"]);
    return (send, stop) =>
      void this.#mirrorRefusal(child, m, headers).then((refused) => {
        if (!refused) return answerOnLane({ child, client, m, send, stop }, cached);
        const error = { code: RPC.headerMismatch, ...refused };
        if (!stop.aborted) send(laneRefusal({ jsonrpc: "2.0", id: m.id, error } as JSONRPCMessage));
      });
  }

  /**
   * A 2026-07-28 request the lane does not take, to the SDK handler of the process its headers name:
   * `server/discover` (it says the versions and capabilities), `subscriptions/listen` (its router),
   * the spec's refusals (each worded exactly, in the SDK's order).
   */
  async serve(request: Request, parsedBody: unknown): Promise<Response> {
    const found = this.#room.route(request.headers);
    const method = (parsedBody as { method?: unknown } | undefined)?.method;
    if (!found.ok) {
      // A cap met, or a credential this path does not serve: so said, whatever the method and mode.
      if (found.full || found.forbidden) {
        const error = { code: RPC.serverError, message: found.why };
        return errorResponse(found.full ? 503 : 403, parsedBody, error, found.full && TRY_AGAIN);
      }
      // A negotiating client that finds no discover falls back to 2025-11-25, which has sessions.
      if (this.#room.mode === "session" && method === "server/discover")
        return errorResponse(404, parsedBody, {
          code: RPC.methodNotFound,
          message: `Method not found: ${found.why}`,
        });
      const code = this.#room.mode === "session" ? RPC.unsupportedProtocolVersion : RPC.invalidParams;
      return errorResponse(400, parsedBody, { code, message: found.why });
    }
    const handler = this.#handlers.get(found.key) ?? this.#newHandler(found.key, found.cwd);
    this.#handlers.set(found.key, handler);
    const h = await handler.catch((error: unknown) => {
      this.#handlers.delete(found.key);
      throw error;
    });
    if (method === "subscriptions/listen") {
      const refused = subscriptionRefusal(new Set(), listenedUris(parsedBody));
      if (refused) return errorResponse(400, parsedBody, { code: RPC.invalidParams, message: refused });
      await this.#listening(found.key, parsedBody, request.signal);
    }
    return h.fetch(request, { parsedBody });
  }

  /**
   * A call's `Mcp-Param-*` headers against its arguments, by the server's tools list (read now
   * when a start has not yet read it); undefined for any other request. A server that cannot start
   * is the call's to report. Only the lane's calls: one it refuses fails the SDK handler's checks
   * (standard headers, envelope), or reaches refusingServer, which answers no call.
   */
  async #mirrorRefusal(child: SharedChild, m: Passage["m"], headers: IncomingHttpHeaders) {
    if (m.method !== "tools/call") return undefined;
    try {
      const cached = await child.described();
      if (cached.capabilities.tools && !cached.lists["tools/list"]) await child.listsNow();
      return paramRefusal(child.cached()?.lists["tools/list"], m, headers);
    } catch {
      // Nor is one whose tools list nests past what can be walked (the stack): the server judges.
      return undefined;
    }
  }

  async #newHandler(key: string, cwd: string | undefined): Promise<McpHttpHandler> {
    const sdk = await import("@modelcontextprotocol/server");
    const child = this.#room.child(key, cwd);
    return sdk.createMcpHandler(async () => refusingServer(sdk.Server, await child.described()), {
      legacy: "reject",
      onerror: (e) => this.#room.log(`2026-07-28: ${e.message}`),
    });
  }

  /**
   * A 2026-07-28 `subscriptions/listen` naming resources: the process is subscribed to them (before
   * the listen is acknowledged) while the stream stays open; the handler's bus then hands their
   * updates to this stream only.
   */
  async #listening(key: string, body: unknown, signal: AbortSignal): Promise<void> {
    // Every open listen is attached (its process is in use, not forgotten while it listens).
    const ref: SessionRef = { era: "2026-07-28", subscriptions: new Set(listenedUris(body)) };
    const set = this.#room.attached(key);
    set.add(ref);
    const child = this.#room.child(key);
    signal.addEventListener(
      "abort",
      () => {
        set.delete(ref);
        // The listen ended: a server refusing the smaller set leaves extra updates, dropped unsent.
        if (ref.subscriptions.size > 0) void child.resubscribe().catch(() => {});
      },
      { once: true },
    );
    // The session's own subscribe was answered; a server refusing this one sends no updates, as it said.
    if (ref.subscriptions.size > 0) await child.resubscribe().catch(() => {});
  }

  listChanged(key: string, kind: ListKind): void {
    void this.#handlers.get(key)?.then((h) => h.notify[`${kind}Changed`]());
  }

  resourceUpdated(key: string, uri: string): void {
    void this.#handlers.get(key)?.then((h) => h.notify.resourceUpdated(uri));
  }

  /** Process `key` forgotten: its handler taken out at once; `stop` (the process's own end) runs while it closes. */
  async drop(key: string, stop: () => Promise<unknown>): Promise<void> {
    const handler = this.#handlers.get(key);
    this.#handlers.delete(key);
    // The process is dropped: a handler that failed to open has nothing to close.
    await Promise.all([stop(), handler?.then((h) => h.close()).catch(() => {})]);
  }
}

/**
 * The SDK's server behind the handler: `server/discover` answered from what the cache holds of the
 * process. Its lists and calls are registered only so that one the SDK's schema refuses is refused
 * in its words (not as an unknown method): every valid one is the lane's (laneTakes).
 */
function refusingServer(ServerClass: typeof Server, cached: CachedServer): Server {
  const capabilities = capabilitiesOf(cached);
  const server = new ServerClass(
    { ...cached.serverInfo },
    { capabilities, ...(cached.instructions ? { instructions: cached.instructions } : {}) },
  );
  for (const method of [...LIST_METHODS, ...CALLS])
    if (capabilities[capabilityOf(method) ?? ""])
      server.setRequestHandler(method, () => Promise.reject(new Error(`${method} is answered on the lane`)));
  return server;
}

/** The resources a 2026-07-28 `subscriptions/listen` names. */
function listenedUris(body: unknown): string[] {
  const uris = (body as { params?: { notifications?: { resourceSubscriptions?: unknown } } }).params
    ?.notifications?.resourceSubscriptions;
  return Array.isArray(uris) ? uris.filter((u) => typeof u === "string") : [];
}
