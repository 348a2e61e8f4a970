/**
 * One process's pipe and its one id space: every request the gateway writes to it is numbered here
 * (0, 1, 2, … in the order written), its answers, progress and acknowledgements go back to whoever
 * sent it, and its own requests (questions, ping) are answered through `asked`.
 */
import type { JSONRPCMessage, JSONRPCResponse, RequestId } from "@modelcontextprotocol/server";
import { errorObject, RPC, rpcError } from "../../core/jsonrpc/codes.js";
import { type CallStop, onAbort } from "../call-stop.js";
import type { Clock } from "../clock.js";
import type { Json } from "./wire-json.js";

/** A request of the gateway's own waits this long for its answer (the SDK client's default). */
const OWN_TIMEOUT_MS = 60_000;

/** What the process says that answers no request of the gateway's: its questions, the rest, its end. */
export interface WireEvents {
  asked(method: string, params: Json | undefined, signal: AbortSignal): Promise<Json>;
  notified(method: string, params: Json | undefined): void;
  closed(): void;
}

/** `progress` comes under the request's id as its token; `sent` is told the id; `stop` cancels it. */
export interface SendOptions {
  progress?: ((params: Json) => void) | undefined;
  sent?: (id: number) => void;
  stop?: AbortSignal | CallStop | undefined;
  /** A 2026-07-28 listen's acknowledgement (the notification naming its id). */
  acknowledged?: () => void;
}

/**
 * What a wire drives: a shared server's stdio (child-transport.ts), or the bridge's own server in
 * this process (own-server.ts) — the same messages either way.
 */
export interface WireTransport {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  /** Its process, when it is one (none: in this process). */
  readonly pid?: number | undefined;
  /** How its process ended ("code 1"), once it did. */
  readonly exit?: string | undefined;
  start(): Promise<void>;
  send(message: JSONRPCMessage): Promise<void>;
  close(): Promise<void>;
}

type Pending = Omit<SendOptions, "sent" | "stop"> & {
  answer(r: JSONRPCResponse): void;
  fail(e: Error): void;
};

const cancelled = () => Object.assign(new Error("cancelled"), { cancelled: true });

export class ChildWire {
  readonly transport: WireTransport;
  readonly #events: WireEvents;
  readonly #clock: Clock;
  #next = 0;
  readonly #pending = new Map<number, Pending>();
  /** The process's questions being answered, under its own ids: a cancel of one aborts it. */
  readonly #asked = new Map<RequestId, AbortController>();
  /** 2026-07-28 (the handshake sets it): the envelope of each request and notification of the gateway's own. */
  envelope: Json | undefined;

  constructor(transport: WireTransport, name: string, events: WireEvents, clock: Clock) {
    this.transport = transport;
    this.#events = events;
    this.#clock = clock;
    transport.onmessage = (message) => this.#receive(message);
    transport.onclose = () => {
      // Marked: a start that fails so says the process exited before it answered (shared-child.ts).
      const closed = Object.assign(
        rpcError(`the shared server "${name}" exited during the call; it starts again on the next one`),
        { closed: true },
      );
      for (const pending of this.#pending.values()) pending.fail(closed);
      for (const asked of this.#asked.values()) asked.abort(closed);
      this.#events.closed();
    };
  }

  /** A request written under the next id: its answer as written, or what failed it (the write, a cancel, the end). */
  send(
    message: { method: string; params?: Json | undefined },
    o: SendOptions = {},
  ): Promise<JSONRPCResponse> {
    const id = this.#next++;
    let params = message.params;
    const meta = params?._meta as Json | undefined;
    const progress = meta?.progressToken !== undefined ? o.progress : undefined;
    if (progress) params = { ...params, _meta: { ...meta, progressToken: id } };
    const off = o.stop && onAbort(o.stop, () => this.cancel(id, String((o.stop as AbortSignal).reason)));
    return new Promise<JSONRPCResponse>((answer, fail) => {
      this.#pending.set(id, { answer, fail, progress, acknowledged: o.acknowledged });
      this.transport
        .send({ ...message, jsonrpc: "2.0", id, ...(params ? { params } : {}) } as JSONRPCMessage)
        .catch((error: Error) => this.#pending.get(id)?.fail(error));
      o.sent?.(id);
    }).finally(() => {
      off?.();
      this.#pending.delete(id);
    });
  }

  /** A request of the gateway's own (with the era's envelope): its result, or its error thrown; cancelled when late. */
  async request(method: string, params: Json = {}, timeoutMs = OWN_TIMEOUT_MS): Promise<Json> {
    let id = -1;
    const late = rpcError(`${method}: no answer within ${timeoutMs / 1000} s`, RPC.serverError);
    const timer = this.#clock.after(timeoutMs, () => this.cancel(id, late.message, late));
    try {
      const response = await this.send({ method, params: this.#own(params) }, { sent: (n) => (id = n) });
      if ("error" in response) throw Object.assign(new Error(response.error.message), response.error);
      return response.result as Json;
    } finally {
      timer.cancel();
    }
  }

  /** A notification of the gateway's own. */
  notify(method: string, params: Json = {}): void {
    const own = this.#own(params);
    const message = { jsonrpc: "2.0" as const, method, ...(Object.keys(own).length > 0 && { params: own }) };
    // Not written (the process is gone, or not reading): nothing waits for a notification.
    void this.transport.send(message).catch(() => {});
  }

  /** The request `id`, if still in flight, is cancelled at the process; what waits for it gets `error`. */
  cancel(id: number, reason: string, error: Error = cancelled()): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    this.notify("notifications/cancelled", { requestId: id, reason });
    pending.fail(error);
  }

  /** A 2026-07-28 listen, open once acknowledged (as the SDK's client waits), and what closes it. */
  listen(filter: Json): Promise<() => void> {
    const stop = new AbortController();
    const timer = this.#clock.after(OWN_TIMEOUT_MS, () => stop.abort());
    return new Promise<() => void>((open, fail) => {
      const listening = this.send(
        { method: "subscriptions/listen", params: this.#own({ notifications: filter }) },
        { stop: stop.signal, acknowledged: () => open(() => stop.abort("the gateway listens anew")) },
      );
      listening.then(() => fail(rpcError("subscriptions/listen: ended by the server")), fail);
    }).finally(() => timer.cancel());
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  #own(params: Json): Json {
    const meta = params._meta as Json | undefined;
    return this.envelope ? { ...params, _meta: { ...this.envelope, ...meta } } : params;
  }

  #receive(message: JSONRPCMessage): void {
    const ours = (id: unknown) => (typeof id === "number" ? this.#pending.get(id) : undefined);
    if (!("method" in message)) return void ours(message.id)?.answer(message);
    const { method } = message;
    const params = message.params as Json | undefined;
    const subscription = (params?._meta as Json | undefined)?.["io.modelcontextprotocol/subscriptionId"];
    if ("id" in message) this.#question(message.id, method, params);
    else if (method === "notifications/subscriptions/acknowledged") ours(subscription)?.acknowledged?.();
    // The process withdrew a question of its own (its ids, not the wire's).
    else if (method === "notifications/cancelled") this.#asked.get(params?.requestId as RequestId)?.abort();
    else {
      // Straight to its call, in the order read: the last progress before an answer is not lost.
      const progress = method === "notifications/progress" && ours(params?.progressToken)?.progress;
      if (progress && params) progress(params);
      else this.#events.notified(method, params);
    }
  }

  /**
   * A request of the process's, answered under its own id (`ping` here) unless withdrawn or the
   * process is gone. 2026-07-28 asks by `input_required`: a request is dropped, as the SDK's client does.
   */
  #question(id: RequestId, method: string, params: Json | undefined): void {
    if (this.envelope) return;
    const stop = new AbortController();
    this.#asked.set(id, stop);
    const answer = (a: { result: Json } | { error: Json }) => {
      this.#asked.delete(id);
      if (stop.signal.aborted) return;
      // Not written: the process is gone, and its question with it.
      this.transport.send({ jsonrpc: "2.0", id, ...a } as JSONRPCMessage).catch(() => {});
    };
    (method === "ping" ? Promise.resolve({}) : this.#events.asked(method, params, stop.signal)).then(
      (result) => answer({ result }),
      (error: unknown) => answer({ error: errorObject(error) }),
    );
  }
}
