/**
 * One Streamable HTTP session's transport on node:http: plain request/response calls are answered
 * as one JSON body. Not the SDK's: 3–5× the CPU a call, without the bounds (performance.md).
 */
import type { ServerResponse } from "node:http";
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/server";
import { RPC } from "../core/jsonrpc/codes.js";
import { type Clock, realClock, type Timer } from "./clock.js";
import { requestIdOf, sendJson } from "./http-guards.js";
import { Backlog, StallGuard } from "./stream-backlog.js";

// Messages here were validated (http.ts) or made by a route: their keys tell them apart.
const isRequest = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } =>
  "method" in m && "id" in m;
const isResponse = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } =>
  ("result" in m || "error" in m) && "id" in m && m.id !== undefined && m.id !== null;

const SSE_KEEPALIVE_MS = 25_000;
const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };

/** What one session may hold (docs/bridge.md, "Limits"). */
export const SESSION_LIMITS = {
  /** Requests waiting for their answer; past it, a POST's requests are answered with an error. */
  inFlight: 256,
  /** Bytes of a stream the client has not read yet; past it, the stream is ended. */
  streamBuffer: 1024 * 1024,
};

/** How one POST is to be answered. */
interface ExchangeOptions {
  batch: boolean;
  acceptsSse: boolean;
  headers: Record<string, string>;
  status: (message: JSONRPCMessage | undefined) => number;
  /** Called when its event stream is ended for holding more than SESSION_LIMITS.streamBuffer unread. */
  overflow: (exchange: Exchange) => void;
  clock: Clock;
}

/** The answer to one POST: the responses to its requests, as JSON or as an SSE stream. */
class Exchange {
  readonly #res: ServerResponse;
  readonly #waiting: Set<RequestId>;
  readonly #o: ExchangeOptions;
  /** Made when the answer turns into an event stream (a plain JSON answer has no backlog). */
  #backlog: Backlog | undefined;
  /** Closes the answer when the client takes none of it for a while (an event stream: as `overflow`). */
  readonly #stall: StallGuard;
  #collected: JSONRPCMessage[] = [];
  #sse = false;
  done = false;

  constructor(res: ServerResponse, ids: RequestId[], options: ExchangeOptions) {
    this.#res = res;
    this.#waiting = new Set(ids);
    this.#o = options;
    this.#stall = new StallGuard(res, options.clock, () => {
      if (this.done) return;
      this.done = true;
      options.overflow(this);
    });
  }

  get ids(): Iterable<RequestId> {
    return this.#waiting;
  }

  /** A message for this POST: a response to one of its requests, or one related to them. */
  deliver(message: JSONRPCMessage): void {
    if (this.done) return;
    const response = isResponse(message);
    if (response) this.#waiting.delete(message.id);
    if (!this.#sse && !response) {
      // Something related arrives before the response: switch this answer to SSE.
      if (!this.#o.acceptsSse) return; // the client cannot receive it; the response still goes out
      this.#sse = true;
      this.#backlog = new Backlog(this.#res, SESSION_LIMITS.streamBuffer);
      this.#res.writeHead(200, { ...this.#o.headers, ...SSE_HEADERS });
      for (const m of this.#collected) writeEvent(this.#res, m);
      this.#collected = [];
    }
    const bytes = this.#sse ? writeEvent(this.#res, message) : 0;
    if (!this.#sse) this.#collected.push(message);
    else this.#stall.wrote();
    if (this.#waiting.size === 0) this.#finish();
    else if (this.#backlog?.over(bytes)) {
      // A client that does not read while the server keeps sending: its backlog would grow without end.
      this.done = true;
      this.#res.destroy();
      this.#o.overflow(this);
    }
  }

  /** The session closed before every response came: end the answer so the client stops waiting. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    if (this.#sse) this.#res.end();
    else if (!this.#res.headersSent)
      sessionClosed(this.#res, this.#o.batch ? null : ([...this.#waiting][0] ?? null));
  }

  #finish(): void {
    this.done = true;
    if (this.#sse) return void this.#res.end();
    const { batch } = this.#o;
    const [first] = this.#collected;
    const answer = batch ? this.#collected : first;
    // Kept no longer: an answer its client does not take waits (WRITE_STALL_MS) as its bytes alone.
    this.#collected = [];
    sendJson(this.#res, batch ? 200 : this.#o.status(first), this.#o.headers, answer);
    this.#stall.wrote();
  }
}

/** The answer to a POST whose session closed before (or while) it was answered (under its one request's id). */
function sessionClosed(res: ServerResponse, id: RequestId | null): void {
  const error = { code: RPC.sessionNotFound, message: "Session closed" };
  sendJson(res, 404, {}, { jsonrpc: "2.0", error, id });
}

/** Write one message as an event, as bytes (sendJson says why); its size in bytes. */
function writeEvent(res: ServerResponse, message: JSONRPCMessage): number {
  const event = Buffer.from(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  res.write(event);
  return event.length;
}

/**
 * A plain call is answered as one `application/json` body (fast); a message related to a request
 * before its response turns that POST's answer into an event stream; others go to the GET stream.
 */
export class HttpSessionTransport {
  sessionId: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #exchanges = new Map<RequestId, Exchange>();
  /** The last open stream closed: a client that is gone has none open (sessions.ts: the grace). */
  onquiet?: () => void;
  #answering = 0;
  /** Counted until answered or cancelled: a client closing each POST cannot pile calls up. */
  readonly #pending = new Set<RequestId>();
  /** The GET stream while it is open: its response, the bounds on what it leaves unread, its keep-alive. */
  #stream: { res: ServerResponse; backlog: Backlog; stall: StallGuard; keepAlive: Timer } | null = null;
  #hadStream = false;
  readonly #clock: Clock;
  #closed = false;
  /** The HTTP status of a one-message JSON answer (2026-07-28 answers some errors with 400). */
  readonly #status: (message: JSONRPCMessage | undefined) => number;

  constructor(
    sessionId: string,
    options: { status?: (message: JSONRPCMessage | undefined) => number; clock?: Clock } = {},
  ) {
    this.sessionId = sessionId;
    this.#clock = options.clock ?? realClock;
    this.#status = options.status ?? (() => 200);
  }

  /** One POST's validated messages; without requests, 202 at once. */
  handlePost(
    messages: JSONRPCMessage[],
    batch: boolean,
    res: ServerResponse,
    options: { acceptsSse: boolean; headers: Record<string, string> },
  ): void {
    // Closed meanwhile (evicted, ended): nothing would ever answer; said at once.
    if (this.#closed) return void sessionClosed(res, batch ? null : requestIdOf(messages[0]));
    const ids: RequestId[] = [];
    for (const m of messages)
      if (isRequest(m)) ids.push(m.id);
      else if ("method" in m && m.method === "notifications/cancelled")
        this.#pending.delete(m.params?.requestId as RequestId);
    const inFlight = this.#pending.size;
    if (ids.length > 0 && inFlight + ids.length > SESSION_LIMITS.inFlight) {
      // Answered at once, and not passed on: a client that never waits cannot pile up work.
      const message = `Too many requests in flight on this session (at most ${SESSION_LIMITS.inFlight}): wait for answers before sending more`;
      const errors = ids.map((id) => ({ jsonrpc: "2.0", id, error: { code: RPC.serverError, message } }));
      sendJson(res, 200, options.headers, batch ? errors : errors[0]);
      for (const m of messages) if (!isRequest(m)) this.onmessage?.(m);
      return;
    }
    if (ids.length === 0) {
      res.writeHead(202, options.headers).end();
    } else {
      const o = { ...options, batch, status: this.#status, overflow: this.#overflowed, clock: this.#clock };
      const exchange = new Exchange(res, ids, o);
      for (const id of ids) {
        this.#exchanges.set(id, exchange);
        this.#pending.add(id);
      }
      this.#answering++;
      res.once("close", () => {
        // The client went away (or the answer is complete): forget what it still waited for.
        for (const id of exchange.ids) if (this.#exchanges.get(id) === exchange) this.#exchanges.delete(id);
        this.#answering--;
        if (this.openStreams === 0) this.onquiet?.();
      });
    }
    for (const m of messages) this.onmessage?.(m);
  }

  /** The session's GET stream: server messages related to no request. */
  openStream(res: ServerResponse, headers: Record<string, string>): boolean {
    if (this.#stream) return false;
    res.writeHead(200, { ...headers, ...SSE_HEADERS });
    res.flushHeaders();
    this.#hadStream = true;
    this.#stream = {
      res,
      backlog: new Backlog(res, SESSION_LIMITS.streamBuffer),
      stall: new StallGuard(res, this.#clock, () => {
        if (this.#stream?.res !== res) return;
        this.onerror?.(new Error("the client took nothing of its GET stream for too long; closed"));
        this.#dropStream();
      }),
      keepAlive: this.#clock.every(SSE_KEEPALIVE_MS, () => res.write(": keep-alive\n\n")),
    };
    res.once("close", () => {
      if (this.#stream?.res !== res) return;
      this.#dropStream();
      if (this.openStreams === 0) this.onquiet?.();
    });
    return true;
  }

  /** Whether its GET stream is open now (what is related to no request can reach the client). */
  get streaming(): boolean {
    return this.#stream !== null;
  }

  get hadStream(): boolean {
    return this.#hadStream;
  }

  /** Streams open to the client now: its GET stream, and the POST answers not yet complete. */
  get openStreams(): number {
    return (this.#stream ? 1 : 0) + this.#answering;
  }

  /** A message to the client: on the answer to the POST of the request it relates to, else on the GET stream. */
  deliver(message: JSONRPCMessage, relatedRequestId?: RequestId): void {
    if (this.#closed) return;
    const response = isResponse(message);
    if (response) this.#pending.delete(message.id);
    const related = response ? message.id : relatedRequestId;
    const exchange = related !== undefined ? this.#exchanges.get(related) : undefined;
    if (exchange && related !== undefined) {
      if (response) this.#exchanges.delete(related);
      exchange.deliver(message);
      return;
    }
    if (response) return; // its POST was abandoned by the client
    const stream = this.#stream;
    if (!stream) return;
    const bytes = writeEvent(stream.res, message);
    stream.stall.wrote();
    // A client that keeps its stream open but does not read it: its backlog would only grow.
    if (stream.backlog.over(bytes)) {
      this.onerror?.(new Error("the client does not read its GET stream; closed"));
      stream.res.destroy();
      this.#dropStream();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const exchange of new Set(this.#exchanges.values())) exchange.abort();
    this.#exchanges.clear();
    this.#pending.clear();
    this.#stream?.res.end();
    this.#dropStream();
    this.onclose?.();
  }

  /** A POST's answer stream ended at the bound: its requests are cancelled at the server. */
  readonly #overflowed = (exchange: Exchange): void => {
    this.onerror?.(new Error("the client does not read its answer stream; ended"));
    const ids = [...exchange.ids];
    for (const id of ids) if (this.#exchanges.get(id) === exchange) this.#exchanges.delete(id);
    for (const id of ids) this.#pending.delete(id);
    for (const requestId of ids)
      this.onmessage?.({
        jsonrpc: "2.0",
        method: "notifications/cancelled",
        params: { requestId, reason: "the client did not read its answer stream" },
      });
  };

  #dropStream(): void {
    this.#stream?.keepAlive.cancel();
    this.#stream = null;
  }
}
