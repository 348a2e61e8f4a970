/**
 * The fast lane for ordinary 2026-07-28 requests: one SDK server pinned to 2026-07-28 per keep-alive
 * connection (the SDK's own stdio entry, over the session transport), not one per request.
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { JSONRPCMessage, McpServerFactory, RequestId } from "@modelcontextprotocol/server";
import { RPC } from "../core/jsonrpc/codes.js";
import { CallStop } from "./call-stop.js";
import { HttpSessionTransport } from "./session-transport.js";

/**
 * The requests the lane serves: everything else 2026-07-28 (`server/discover`, `subscriptions/listen`,
 * a request with something amiss) goes to the SDK's HTTP handler, which answers each case exactly.
 */
const LANE_METHODS = new Set([
  "tools/list",
  "tools/call",
  "prompts/list",
  "prompts/get",
  "resources/list",
  "resources/templates/list",
  "resources/read",
  "completion/complete",
]);
/** The methods whose `Mcp-Name` header names `params.name` (or `params.uri`). */
const NAMED: Record<string, "name" | "uri"> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
};

const header = (headers: IncomingHttpHeaders, name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? undefined : v?.trim();
};

/**
 * Whether the lane may take this message as it is: one 2026-07-28 request of a lane method, its
 * envelope whole, every standard header present and equal to the body (a name only in plain
 * ASCII). Anything else — a refusal the spec words exactly — is the SDK handler's.
 */
export function connectionServerTakes(message: unknown, headers: IncomingHttpHeaders): boolean {
  const m = message as { method?: unknown; id?: unknown; params?: Record<string, unknown> } | undefined;
  if (
    !m ||
    typeof m.method !== "string" ||
    !LANE_METHODS.has(m.method) ||
    m.id === undefined ||
    m.id === null
  )
    return false;
  const meta = m.params?._meta as Record<string, unknown> | undefined;
  if (meta?.["io.modelcontextprotocol/protocolVersion"] !== "2026-07-28") return false;
  const caps = meta["io.modelcontextprotocol/clientCapabilities"];
  if (typeof caps !== "object" || caps === null || Array.isArray(caps)) return false;
  if (header(headers, "mcp-protocol-version") !== "2026-07-28" || header(headers, "mcp-method") !== m.method)
    return false;
  const named = NAMED[m.method];
  if (named) {
    const value = m.params?.[named];
    if (typeof value !== "string" || !/^[\x20-\x7e]*$/.test(value) || header(headers, "mcp-name") !== value)
      return false;
  }
  for (const name of Object.keys(headers)) if (name.startsWith("mcp-param-")) return false;
  return true;
}

/**
 * A call served past the SDK server (gateway/pass-through-call.ts): it answers through `send` (a
 * message related to the request, or its response) and stops when `stop` aborts.
 */
export type DirectCall = (
  send: (message: JSONRPCMessage, related?: RequestId) => void,
  stop: CallStop,
) => void;

/** What serves the requests a lane takes (connectionServerTakes), on the connection they came on. */
export interface Lane {
  serve(
    socket: Socket,
    message: JSONRPCMessage,
    res: ServerResponse,
    acceptsSse: boolean,
  ): void | Promise<void>;
}

/** 2026-07-28 answers a missing client capability with HTTP 400 too. */
const laneStatus = (m: JSONRPCMessage | undefined) =>
  (m as { error?: { code?: unknown } } | undefined)?.error?.code === RPC.missingCapability ? 400 : 200;

/** One connection's SDK server and the transport it answers on. */
interface SdkLane {
  transport: HttpSessionTransport;
  close(): Promise<void>;
}

/**
 * One lane per connection: a client's requests on one connection come one after another with ids
 * of its own, so an SDK server pinned to 2026-07-28 serves them as it serves a stdio client (the
 * envelope checked on each, no session kept between them), without a server built per request.
 */
export class ConnectionServer implements Lane {
  readonly #factory: McpServerFactory;
  readonly #lanes = new WeakMap<Socket, Promise<SdkLane>>();
  readonly #open = new Set<Promise<SdkLane>>();
  readonly #log: (line: string) => void;
  readonly #fast: ((message: JSONRPCMessage) => DirectCall | undefined) | undefined;
  /** The fast calls' answers (their own transport per connection: no SDK server behind it). */
  readonly #direct = new DirectAnswers();

  /** `fast`: the call that goes past the SDK server, when one may (else undefined). */
  constructor(
    factory: McpServerFactory,
    log: (line: string) => void,
    fast?: (message: JSONRPCMessage) => DirectCall | undefined,
  ) {
    this.#factory = factory;
    this.#log = log;
    this.#fast = fast;
  }

  async serve(
    socket: Socket,
    message: JSONRPCMessage,
    res: ServerResponse,
    acceptsSse: boolean,
  ): Promise<void> {
    const fast = this.#fast?.(message);
    if (fast) return this.#direct.answer(socket, message, res, acceptsSse, fast);
    let lane = this.#lanes.get(socket);
    if (!lane) {
      const opened = this.#openLane();
      lane = opened;
      this.#lanes.set(socket, opened);
      this.#open.add(opened);
      socket.once("close", () => {
        this.#open.delete(opened);
        void opened.then((l) => l.close());
      });
    }
    const { transport } = await lane;
    const id = (message as { id: string | number }).id;
    // Closing the response before the answer is how a 2026-07-28 client cancels.
    res.once("close", () => {
      if (!res.writableFinished)
        transport.onmessage?.({
          jsonrpc: "2.0",
          method: "notifications/cancelled",
          params: { requestId: id },
        });
    });
    transport.handlePost([message], false, res, { acceptsSse, headers: {} });
  }

  async #openLane(): Promise<SdkLane> {
    const { serveStdio } = await import("@modelcontextprotocol/server/stdio");
    const transport = new HttpSessionTransport("lane", undefined, laneStatus);
    const handle = serveStdio(this.#factory, {
      legacy: "reject",
      transport,
      onerror: (e) => this.#log(`2026-07-28: ${e.message}`),
    });
    return { transport, close: () => handle.close() };
  }

  async close(): Promise<void> {
    // A lane that failed to open has nothing to close.
    await Promise.all([...this.#open].map((l) => l.then((lane) => lane.close()).catch(() => {})));
  }
}

/** Answers given past any SDK server, on each connection's own transport. */
class DirectAnswers {
  readonly #bySocket = new WeakMap<Socket, HttpSessionTransport>();

  answer(
    socket: Socket,
    message: JSONRPCMessage,
    res: ServerResponse,
    acceptsSse: boolean,
    call: DirectCall,
  ): void {
    let answers = this.#bySocket.get(socket);
    if (!answers) {
      answers = new HttpSessionTransport("lane", undefined, laneStatus);
      this.#bySocket.set(socket, answers);
    }
    const transport = answers;
    const stop = new CallStop();
    // Closing the response before the answer is how a 2026-07-28 client cancels.
    res.once("close", () => {
      if (!res.writableFinished) stop.abort("the client cancelled the request");
    });
    transport.handlePost([message], false, res, { acceptsSse, headers: {} });
    call((m, related) => transport.deliver(m, related), stop);
  }
}

/** A lane with no SDK server behind it: each request answered by the call `route` makes of it (a shared server's). */
export class DirectLane implements Lane {
  readonly #answers = new DirectAnswers();
  readonly #route: (message: JSONRPCMessage) => DirectCall;

  constructor(route: (message: JSONRPCMessage) => DirectCall) {
    this.#route = route;
  }

  serve(socket: Socket, message: JSONRPCMessage, res: ServerResponse, acceptsSse: boolean): void {
    this.#answers.answer(socket, message, res, acceptsSse, this.#route(message));
  }
}
