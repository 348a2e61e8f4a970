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
import { type AskMethod, type Caller, NEEDS } from "./asks.js";
import { capabilitiesOf } from "./eras.js";
import type { CachedServer } from "./list-cache.js";
import { admits } from "./log-levels.js";
import { callShared, type SharedCall, toProcess } from "./share-call.js";
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
  const route = new SessionRoute(child, transport, await child.described());
  route.session.tools = room.gate(headers);
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
  /** What its initialize said: what the client can do, who it is. */
  #client: { capabilities: Json; info?: Json | undefined } = { capabilities: {} };
  /** Its requests in flight, each with what cancels it upstream. */
  readonly #calls = new Map<RequestId, (reason: string) => void>();
  /** The server's questions put to this client, waiting for its answer, under ids of the route's. */
  readonly #asks = new Map<number, (answer: JSONRPCMessage) => void>();
  #nextAsk = 1;

  constructor(child: SharedChild, transport: HttpSessionTransport, cached: CachedServer) {
    this.#child = child;
    this.#transport = transport;
    this.#server = cached;
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
    };
  }

  accept(message: JSONRPCMessage): void {
    if (!("method" in message)) {
      // The client's answer to a question of the server's; any other id is no question of ours.
      const asked = typeof message.id === "number" ? this.#asks.get(message.id) : undefined;
      asked?.(message);
      return;
    }
    if ("id" in message) return void this.#request(message);
    // Every other notification (initialized, roots/list_changed) is the session's own business.
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
    const call: SharedCall = {
      request: m,
      session: this.session,
      child: this.#child,
      server: this.#server,
      upstream: () => this.#upstream(call),
    };
    const answer = await callShared(call);
    if (answer) this.#transport.deliver(answer);
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

  /** The request to the process (toProcess), cancelled when the client cancels it or ends. */
  async #upstream(call: SharedCall): Promise<Json> {
    const { id } = call.request;
    const stop = new CallStop();
    this.#calls.set(id, (reason) => stop.abort(Object.assign(new Error(reason), { cancelled: true })));
    const client = {
      envelope: { ...this.#client, level: this.session.logLevel },
      caller: this.#caller(id),
      related: (method: string, params: Json) => this.#related(id, method, params),
      stop,
    };
    try {
      return await toProcess(call, client);
    } catch (error) {
      throw stop.aborted ? stop.reason : error;
    } finally {
      this.#calls.delete(id);
    }
  }

  /** Whose call it is, and how its server's questions and log lines reach this client. */
  #caller(id: RequestId): Required<Caller> {
    return {
      session: this.session,
      ask: (method, params, signal) => this.#ask(id, method, params, signal),
      notify: (method, params) => {
        if (method !== "notifications/message") return this.#related(id, method, params);
        if (this.#descriptor.capabilities.logging && admits(this.session.logLevel, params.level))
          this.#related(id, method, params);
      },
    };
  }

  #related(id: RequestId, method: string, params: Json): void {
    this.#transport.deliver({ jsonrpc: "2.0", method, params }, id);
  }

  /**
   * The server's question put to this client on its call's own stream, when the client declared
   * it can answer; given up (the client told) when `signal` aborts.
   */
  #ask(related: RequestId, method: AskMethod, params: Json | undefined, signal: AbortSignal): Promise<Json> {
    const need = NEEDS[method] ?? method;
    // A refusal (as asks.ts's are), in words a 2025-11-25 end reads: nothing in the bridge went wrong.
    if (!this.#client.capabilities[need])
      return Promise.reject(
        rpcError(`${method}: this client did not declare "${need}" when it connected`, RPC.serverError),
      );
    const id = this.#nextAsk++;
    return new Promise<Json>((resolve, reject) => {
      const given = () => {
        this.#asks.delete(id);
        this.#related(related, "notifications/cancelled", { requestId: id, reason: String(signal.reason) });
        reject(signal.reason);
      };
      signal.addEventListener("abort", given, { once: true });
      this.#asks.set(id, (answer) => {
        this.#asks.delete(id);
        signal.removeEventListener("abort", given);
        if ("result" in answer) resolve(answer.result as Json);
        else if ("error" in answer) reject(Object.assign(new Error(answer.error.message), answer.error));
      });
      this.#transport.deliver({ jsonrpc: "2.0", id, method, ...(params ? { params } : {}) }, related);
    });
  }

  #error(id: RequestId, error: unknown): void {
    this.#transport.deliver({ jsonrpc: "2.0", id, error: errorObject(error) });
  }
}
