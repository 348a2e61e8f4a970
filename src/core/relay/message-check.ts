/**
 * What a server sends reaches the client only as JSON-RPC 2.0, one message per line: the messages of
 * an answer or a stream are checked one by one, each awaited response passed once, and anything a
 * client could not take dropped.
 */
import type { RequestId } from "@modelcontextprotocol/client";
import { oneLine, route } from "../jsonrpc/messages.js";

/** Where checked messages go: one line each to the client; what was dropped, said once in a while. */
export interface MessageSink {
  write(line: string): void;
  dropped(why: string): void;
}

const shown = (id: unknown) => JSON.stringify(id ?? null).slice(0, 40);

/**
 * The messages of one answer, or of a stream, from a server. `awaiting` says which responses it may
 * carry: the one request a POST asked (its id), the requests still waiting for theirs (a set, whose
 * ids leave it as they are answered: the SSE transport), or none (a server's own stream). A batch is
 * taken message by message. An error that names no request answers the one request awaited (its id
 * put in); any other response — to an id not awaited, or a second one — is dropped, so each request
 * gets exactly one answer, and the relay can say so when none came.
 */
export class MessageCheck {
  /** The response taken last (for a POST: its answer, once it came). */
  answer: Record<string, unknown> | undefined;
  /** Why the last message dropped was (for the error when no answer came). */
  lastDrop: string | undefined;
  /** Messages dropped so far, by kind of reason (made when the first is). */
  #drops: Map<string, number> | undefined;
  readonly #sink: MessageSink;
  readonly #awaiting: RequestId | Set<RequestId> | undefined;

  constructor(sink: MessageSink, awaiting: RequestId | Set<RequestId> | undefined) {
    this.#sink = sink;
    this.#awaiting = awaiting;
  }

  /** One JSON text as it came (a JSON body, or an event's data). */
  take(text: string) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.#drop("json", "a message that is not JSON");
    }
    if (!Array.isArray(value)) return this.#one(value, text);
    if (value.length === 0) return this.#drop("batch", "an empty batch");
    for (const item of value) this.#one(item, undefined);
  }

  /** `text`: the message as it came, when it came alone (passed on as it is, on one line). */
  #one(value: unknown, text: string | undefined) {
    const m = route(value);
    if (m.kind === "invalid") return this.#drop("jsonrpc", "a message that is not JSON-RPC 2.0");
    if (m.kind === "response") {
      const id = this.#claim(m.id);
      if (id === null) return this.#drop("unawaited", this.#unawaited(m.id));
      const message = value as Record<string, unknown>;
      this.answer = m.id === undefined ? { jsonrpc: "2.0", id, error: message.error } : message;
      if (m.id === undefined) return this.#sink.write(JSON.stringify(this.answer));
    }
    this.#sink.write(text === undefined ? JSON.stringify(value) : oneLine(text));
  }

  /** The request a response with `id` answers (undefined: an error naming none), or null. */
  #claim(id: RequestId | undefined): RequestId | null {
    const awaiting = this.#awaiting;
    if (awaiting === undefined) return null;
    if (awaiting instanceof Set) {
      if (id !== undefined) return awaiting.delete(id) ? id : null;
      if (awaiting.size !== 1) return null;
      const [only] = awaiting;
      awaiting.clear();
      return only ?? null;
    }
    return !this.answer && (id === undefined || id === awaiting) ? awaiting : null;
  }

  #unawaited(id: RequestId | undefined): string {
    const awaiting = this.#awaiting;
    if (awaiting === undefined || awaiting instanceof Set)
      return `an answer (id ${shown(id)}) to no request waiting for one`;
    if (this.answer && (id === undefined || id === awaiting))
      return `a second answer to request ${shown(awaiting)}`;
    return `an answer to another request (id ${shown(id)})`;
  }

  /** Said for the 1st, 10th, 100th… message dropped for one kind of reason: a flood cannot flood the log. */
  #drop(kind: string, why: string): void {
    this.lastDrop = why;
    this.#drops ??= new Map();
    const n = (this.#drops.get(kind) ?? 0) + 1;
    this.#drops.set(kind, n);
    if (/^10*$/.test(String(n))) this.#sink.dropped(n === 1 ? why : `${why} (${n} dropped so far)`);
  }
}
