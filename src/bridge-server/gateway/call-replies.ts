/**
 * What one process says back about a call in particular, taken off its transport before the SDK's
 * client sees it: progress under the gateway's own tokens, and the fast path's answers by its ids.
 */
import type { JSONRPCRequest, JSONRPCResponse, Transport } from "@modelcontextprotocol/client";
import type { Json } from "./as-sent.js";

/** The fast path's request ids start here (the SDK client's count up from 0). */
const RAW_IDS = 2 ** 40;

export class CallReplies {
  readonly #progress = new Map<string, (params: Json) => void>();
  /** Fast-path calls in flight (SharedChild.rawCall): their answer, and what fails them. */
  readonly #raw = new Map<number, { answer(response: JSONRPCResponse): void; fail(error: Error): void }>();
  #nextRaw = RAW_IDS;

  /** The server's progress under `token` goes to `to` until dropProgress(token). */
  progress(token: string, to: (params: Json) => void): void {
    this.#progress.set(token, to);
  }

  dropProgress(token: string): void {
    this.#progress.delete(token);
  }

  /**
   * Progress for the gateway's own tokens goes to its call straight off the transport: the SDK's
   * client dispatches notifications a microtask after responses, so the last progress of a call
   * read in the same chunk as its answer would otherwise be lost.
   */
  watch(transport: Transport): void {
    const deliver = transport.onmessage;
    transport.onmessage = (message, extra) => {
      if ("method" in message) {
        const token = message.params?.progressToken;
        const route =
          message.method === "notifications/progress" && typeof token === "string"
            ? this.#progress.get(token)
            : undefined;
        if (route && message.params) return route(message.params);
      } else if (typeof message.id === "number" && message.id >= RAW_IDS) {
        const raw = this.#raw.get(message.id);
        if (raw) {
          this.#raw.delete(message.id);
          return raw.answer(message);
        }
      }
      deliver?.call(transport, message, extra);
    };
  }

  /** A fast-path call's id: a number (servers that write their answers by hand expect one), far above the SDK client's. */
  nextId(): number {
    return this.#nextRaw++;
  }

  /**
   * A fast-path call written to the server as it is (under an id from nextId); its answer as the
   * server wrote it, or what failed it (the write, a cancel, the process's death).
   */
  async send(
    transport: Transport,
    message: JSONRPCRequest & { id: number },
    sent?: (id: number) => void,
  ): Promise<JSONRPCResponse> {
    const { id } = message;
    try {
      return await new Promise<JSONRPCResponse>((resolve, reject) => {
        this.#raw.set(id, { answer: resolve, fail: reject });
        transport.send(message).catch(reject);
        sent?.(id);
      });
    } finally {
      this.#raw.delete(id);
    }
  }

  /** A fast-path call the client cancelled: the server is told, under the gateway's id. */
  cancel(transport: Transport | undefined, message: { params?: Json }, id: number): void {
    void transport
      ?.send({
        jsonrpc: "2.0",
        method: "notifications/cancelled",
        params: { ...message.params, requestId: id },
      })
      // The request may be answered already: a cancel for it has nothing to stop.
      .catch(() => {});
    // A cancelled request may go unanswered: nothing waits for it any more.
    this.#raw.get(id)?.fail(Object.assign(new Error("cancelled"), { cancelled: true }));
  }

  /** The process died: every fast-path call in flight fails with `error`. */
  failAll(error: Error): void {
    for (const raw of this.#raw.values()) raw.fail(error);
  }
}
