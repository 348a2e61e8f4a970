/**
 * A shared server's 2025-11-25 session, one route for all it sends: the handshake and the lists of
 * a stopped server answered here, every other request written to its process as it came.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { JSONRPCMessage, JSONRPCRequest, RequestId } from "@modelcontextprotocol/server";
import { errorObject, RPC, rpcError } from "../../core/jsonrpc/codes.js";
import { CallStop } from "../call-stop.js";
import { Unavailable } from "../http-guards.js";
import { type Descriptor, handshake } from "../route/handshake.js";
import type { HttpSessionTransport } from "../session-transport.js";
import { type AskMethod, NEEDS } from "./asks.js";
import type { Call, CallClient } from "./call.js";
import { capabilitiesOf } from "./eras.js";
import type { CachedServer } from "./list-cache.js";
import { admits } from "./log-levels.js";
import { callShared } from "./share-call.js";
import type { SessionRef, ShareRoom } from "./share-view.js";
import type { SharedChild } from "./shared-child.js";
import { subscriptionRefusal } from "./subscriptions.js";
import type { Json } from "./wire-json.js";

/** Which notifications a client is sent only when the server declared the capability (the SDK's rule). */
const NOTIFIED_FOR: Record<string, string> = {
  "notifications/message": "logging",
  "notifications/resources/updated": "resources",
  "notifications/resources/list_changed": "resources",
  "notifications/tools/list_changed": "tools",
  "notifications/prompts/list_changed": "prompts",
};

/** A 2025-11-25 session on the process its mode names. */
export async function connectSession(
  room: ShareRoom,
  transport: HttpSessionTransport,
  headers: IncomingHttpHeaders,
): Promise<{ close(): Promise<void> }> {
  const found = room.route(headers, transport.sessionId);
  if (!found.ok) throw found.full ? new Unavailable(found.why) : new Error(found.why);
  const child = room.child(found.key, found.cwd);
  const own = room.mode === "session";
  const route = new SessionRoute(
    child,
    transport,
    await child.described(),
    room.clientAt(headers, found.cwd),
    own,
  );
  const attached = room.attached(found.key);
  attached.add(route.session);
  transport.onmessage = (message) => route.accept(message);
  // Its end (sessions.ts closes its transport, then this): what it waited for, its subscriptions.
  const close = async () => {
    attached.delete(route.session);
    route.end();
    if (route.session.subscriptions.size > 0)
      // The session is ending: a server refusing the smaller set leaves extra updates, dropped unsent.
      await child.resubscribe().catch(() => {});
    // A session's own process ends with it.
    if (room.mode === "session") await room.drop(found.key);
  };
  return { close };
}

/**
 * By hand rather than an SDK server per session: the SDK's server and client between a client and
 * a process doubled the bridge's CPU per call (390 against 197 µs, docs/dev/performance.md).
 */
class SessionRoute {
  readonly session: SessionRef;
  readonly #child: SharedChild;
  readonly #transport: HttpSessionTransport;
  /** What the client is told the server is: as its last start described it. */
  readonly #descriptor: Descriptor;
  /** What its last start learned when the session opened (what the client was told it can ask). */
  readonly #server: CachedServer;
  /** Its client: what its initialize said (what it can do, who it is), what its request's headers did. */
  #client: CallClient;
  /** Whether its process is its alone (`session`): the client's roots are its to ask, and to change. */
  readonly #own: boolean;
  /** Its requests in flight, each with what cancels it upstream. */
  readonly #calls = new Map<RequestId, (reason: string) => void>();
  /** The server's questions put to this client, waiting for its answer, under ids of the route's. */
  readonly #asks = new Map<number, (answer: JSONRPCMessage) => void>();
  #nextAsk = 1;

  constructor(
    child: SharedChild,
    transport: HttpSessionTransport,
    cached: CachedServer,
    edge: Pick<CallClient, "credential" | "project" | "tools">,
    own: boolean,
  ) {
    this.#child = child;
    this.#transport = transport;
    this.#server = cached;
    this.#own = own;
    this.#descriptor = {
      serverInfo: cached.serverInfo,
      capabilities: capabilitiesOf(cached),
      ...(cached.instructions ? { instructions: cached.instructions } : {}),
    };
    this.session = {
      era: "2025-11-25",
      subscriptions: new Set(),
      receiving: () => transport.streaming,
      notify: (method, params) => {
        const needs = NOTIFIED_FOR[method];
        if (needs && !this.#descriptor.capabilities[needs]) return;
        transport.deliver({ jsonrpc: "2.0", method, ...(params ? { params } : {}) });
      },
      // Its own process's question outside a call (its roots, once changed) comes on its GET stream.
      ...(own && {
        asker: () =>
          transport.streaming ? { client: this.#client, ask: this.#ask.bind(this, undefined) } : undefined,
      }),
    };
    this.#client = { ...edge, era: "2025-11-25", session: this.session, capabilities: {} };
  }

  accept(message: JSONRPCMessage): void {
    if (!("method" in message)) {
      // The client's answer to a question of the server's; any other id is no question of ours.
      const asked = typeof message.id === "number" ? this.#asks.get(message.id) : undefined;
      asked?.(message);
      return;
    }
    if ("id" in message) return void this.#request(message);
    // Its roots changed: told to its own process only (a shared one holds the manifest's folders).
    if (message.method === "notifications/roots/list_changed" && this.#own)
      this.#child.notify(message.method);
    // Every other notification (initialized) is the session's own business.
    if (message.method === "notifications/cancelled") {
      const params = message.params as { requestId?: RequestId; reason?: unknown } | undefined;
      const cancel = params?.requestId !== undefined ? this.#calls.get(params.requestId) : undefined;
      cancel?.(typeof params?.reason === "string" ? params.reason : "cancelled by the client");
    }
  }

  /** The session ended: what it still waited for is of no use to anyone, so the server is told to stop. */
  end(): void {
    for (const cancel of this.#calls.values()) cancel("the client session ended");
    this.#calls.clear();
  }

  async #request(m: JSONRPCRequest): Promise<void> {
    const { id, method } = m;
    const params = m.params as Json | undefined;
    const answered = handshake(method, params, this.#descriptor);
    if (answered) {
      if (method === "initialize") {
        const { capabilities, clientInfo } = params ?? {};
        this.#client = {
          ...this.#client,
          capabilities: (capabilities as Json | undefined) ?? {},
          ...(clientInfo ? { info: clientInfo as Json } : {}),
        };
      }
      if (answered.kind === "error") return this.#error(id, answered);
      if (answered.kind === "level") this.session.logLevel = answered.level;
      return this.#transport.deliver({ jsonrpc: "2.0", id, result: answered.result });
    }
    if (method === "resources/subscribe" || method === "resources/unsubscribe")
      return this.#subscription(m, params?.uri);
    // One call, cancelled when the client cancels it or ends.
    const stop = new CallStop();
    this.#calls.set(id, (reason) => stop.abort(Object.assign(new Error(reason), { cancelled: true })));
    const call: Call = {
      request: m,
      client: { ...this.#client, level: this.session.logLevel },
      stop,
      notify: (method, params) => this.#notify(id, method, params),
      ask: (method, params, signal) => this.#ask(id, method, params, signal),
    };
    try {
      const answer = await callShared(call, this.#child, this.#server);
      if (answer && !stop.aborted) this.#transport.deliver(answer);
    } finally {
      this.#calls.delete(id);
    }
  }

  /** A resource (un)subscription: the process is subscribed to what its sessions together want. */
  async #subscription(m: JSONRPCRequest, uri: unknown): Promise<void> {
    try {
      if (!this.#descriptor.capabilities.resources?.subscribe)
        throw rpcError("Method not found", RPC.methodNotFound);
      if (typeof uri !== "string") throw rpcError("Invalid params: uri must be a string", RPC.invalidParams);
      if (m.method === "resources/unsubscribe") this.session.subscriptions.delete(uri);
      else {
        const refused = subscriptionRefusal(this.session.subscriptions, [uri]);
        if (refused) throw rpcError(refused, RPC.invalidParams);
        this.session.subscriptions.add(uri);
      }
      await this.#child.resubscribe();
      this.#transport.deliver({ jsonrpc: "2.0", id: m.id, result: {} });
    } catch (error) {
      this.#error(m.id, error);
    }
  }

  /** A notification of its call `id`'s: its progress; a log line, when the server logs and its level takes it. */
  #notify(id: RequestId, method: string, params: Json): void {
    if (method === "notifications/message")
      if (!this.#descriptor.capabilities.logging || !admits(this.session.logLevel, params.level)) return;
    this.#transport.deliver({ jsonrpc: "2.0", method, params }, id);
  }

  /**
   * The server's question put to this client on its call's own stream (`related`; none: its GET
   * stream), when the client declared it can answer; given up (the client told) when `signal` aborts.
   */
  #ask(
    related: RequestId | undefined,
    method: AskMethod,
    params: Json | undefined,
    signal: AbortSignal,
  ): Promise<Json> {
    const need = NEEDS[method] ?? method;
    // A refusal (as asks.ts's are), in words a 2025-11-25 end reads: nothing in the bridge went wrong.
    if (!this.#client.capabilities[need])
      return Promise.reject(
        rpcError(`${method}: this client did not declare "${need}" when it connected`, RPC.serverError),
      );
    const id = this.#nextAsk++;
    const deliver = (message: JSONRPCMessage) => this.#transport.deliver(message, related);
    return new Promise<Json>((resolve, reject) => {
      const given = () => {
        this.#asks.delete(id);
        const reason = String(signal.reason);
        deliver({ jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: id, reason } });
        reject(signal.reason);
      };
      signal.addEventListener("abort", given, { once: true });
      this.#asks.set(id, (answer) => {
        this.#asks.delete(id);
        signal.removeEventListener("abort", given);
        if ("result" in answer) resolve(answer.result as Json);
        else if ("error" in answer) reject(Object.assign(new Error(answer.error.message), answer.error));
      });
      deliver({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) });
    });
  }

  #error(id: RequestId, error: unknown): void {
    this.#transport.deliver({ jsonrpc: "2.0", id, error: errorObject(error) });
  }
}
