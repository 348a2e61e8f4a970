/**
 * A shared server's 2026-07-28 requests: its ordinary ones on the route, the rest to the SDK's handler
 * (discover, listens, the spec's refusals: its listen router alone is 425 lines), changes told to both.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { McpHttpHandler } from "@modelcontextprotocol/server";
import { RPC } from "../../core/jsonrpc/codes.js";
import { TRY_AGAIN } from "../http-guards.js";
import { type LaneCall, mirrorsAgree } from "../lane.js";
import { checkedCall, errorResponse, paramRefusal, refusalResponse } from "../param-check.js";
import type { ListKind } from "./list-cache.js";
import type { Passage } from "./request-route.js";
import type { SessionRef, ShareRoom } from "./share-view.js";
import { subscriptionRefusal } from "./subscriptions.js";

export class Requests2026 {
  readonly #room: ShareRoom;
  /** The 2026-07-28 handler of each process (its own bus: its changes reach only its listeners). */
  readonly #handlers = new Map<string, Promise<McpHttpHandler>>();

  constructor(room: ShareRoom) {
    this.#room = room;
  }

  /** The lane's call for a request whose headers name a process, when the lane may take it: its route. */
  laneFor(headers: IncomingHttpHeaders, message: unknown): LaneCall | undefined {
    const found = this.#room.route(headers);
    if (!found.ok) return undefined;
    const known = this.#room.held(found.key)?.cached();
    const list = known?.lists["tools/list"] ?? (known && !known.capabilities.tools ? null : undefined);
    if (!mirrorsAgree(list, message, headers)) return undefined;
    const child = this.#room.child(found.key, found.cwd);
    const target = this.#room.target(found.key, child);
    const tools = this.#room.gate(headers);
    const session: SessionRef = { era: "2026-07-28", subscriptions: new Set(), ...(tools ? { tools } : {}) };
    const cached = () => this.#room.cached(child);
    const m = message as Passage["m"];
    // The route loads with the first request (it brings the SDK): an idle bridge does not carry it.
    return (send, stop) =>
      void import("./request-route.js").then((r) =>
        r.answerOnLane({ target, session, m, send, stop }, cached),
      );
  }

  /**
   * A 2026-07-28 request the lane does not take, to the SDK handler of the process its headers name:
   * `server/discover` (it says the versions and capabilities), `subscriptions/listen` (its router),
   * the spec's refusals (each worded exactly), and calls the lane cannot check (forward-server.ts).
   */
  async serve(request: Request, parsedBody: unknown): Promise<Response> {
    const found = this.#room.route(request.headers);
    const method = (parsedBody as { method?: unknown } | undefined)?.method;
    if (!found.ok) {
      if (found.full)
        return errorResponse(503, parsedBody, { code: RPC.serverError, message: found.why }, TRY_AGAIN);
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
    if (checkedCall(parsedBody)) {
      const refused = await this.#paramRefusal(found.key, found.cwd, parsedBody, request.headers);
      if (refused) return refusalResponse(refused, parsedBody);
    }
    if (method === "subscriptions/listen") {
      const refused = subscriptionRefusal(new Set(), listenedUris(parsedBody));
      if (refused) return errorResponse(400, parsedBody, { code: RPC.invalidParams, message: refused });
      await this.#listening(found.key, parsedBody, request.signal);
    }
    return h.fetch(request, { parsedBody });
  }

  /**
   * A call's `Mcp-Param-*` headers against its arguments, by the server's tools list (read now
   * when a start has not yet read it). A server that cannot start is the handler's to report.
   */
  async #paramRefusal(key: string, cwd: string | undefined, body: unknown, headers: Headers) {
    const child = this.#room.child(key, cwd);
    try {
      const cached = await this.#room.cached(child);
      if (cached.capabilities.tools && !cached.lists["tools/list"]) await child.listsNow();
    } catch {
      return undefined;
    }
    return paramRefusal(child.cached()?.lists["tools/list"], body, headers);
  }

  async #newHandler(key: string, cwd: string | undefined): Promise<McpHttpHandler> {
    const [{ createMcpHandler }, { forwardServer }] = await Promise.all([
      import("@modelcontextprotocol/server"),
      import("./forward-server.js"),
    ]);
    const child = this.#room.child(key, cwd);
    const target = this.#room.target(key, child);
    return createMcpHandler(
      async (ctx) => {
        const tools = this.#room.gate(ctx.requestInfo?.headers);
        const session = { era: "2026-07-28" as const, subscriptions: new Set<string>() };
        return forwardServer(target, tools ? { ...session, tools } : session, await this.#room.cached(child));
      },
      { legacy: "reject", onerror: (e) => this.#room.log(`2026-07-28: ${e.message}`) },
    );
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
        if (ref.subscriptions.size > 0) void child.subscriptions(this.#room.subscribed(key)).catch(() => {});
      },
      { once: true },
    );
    // The session's own subscribe was answered; a server refusing this one sends no updates, as it said.
    if (ref.subscriptions.size > 0) await child.subscriptions(this.#room.subscribed(key)).catch(() => {});
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

/** The resources a 2026-07-28 `subscriptions/listen` names. */
function listenedUris(body: unknown): string[] {
  const uris = (body as { params?: { notifications?: { resourceSubscriptions?: unknown } } }).params
    ?.notifications?.resourceSubscriptions;
  return Array.isArray(uris) ? uris.filter((u) => typeof u === "string") : [];
}
