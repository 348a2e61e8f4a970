/**
 * A remote upstream seen as a process's pipe (`WireTransport`, bridge-server/gateway/child-wire.ts),
 * for the gateway as it drives shared servers today; once every upstream answers `call(c)`, the
 * gateway calls RemoteUpstream itself and this goes.
 */
import type { JSONRPCMessage } from "@modelcontextprotocol/server";
import { errorObject } from "../jsonrpc/codes.js";
import { type RemoteTarget, RemoteUpstream } from "./remote-upstream.js";

type Json = Record<string, unknown>;
const SUBSCRIPTION = "io.modelcontextprotocol/subscriptionId";
type Id = string | number;

/**
 * - a request becomes `call`: its answer, and its progress, come back as messages under its id;
 *   the gateway's `notifications/cancelled` naming it aborts it;
 * - the remote's questions come as requests under ids of this pipe's, the gateway's answers go
 *   back to `asked`; one the remote withdraws is withdrawn with a `notifications/cancelled`;
 * - the upstream closing (its SSE stream broke) is the pipe's end: what was in flight was answered.
 */
export class RemoteWire {
  onmessage?: (message: JSONRPCMessage) => void;
  onclose?: () => void;
  /** No process: it runs in the bridge's. */
  readonly pid = undefined;
  /** Why it ended, once it did (said where a process's exit code would be). */
  exit: string | undefined;
  readonly #upstream: RemoteUpstream;
  /** The gateway's requests in flight, by their ids: a cancel aborts one. */
  readonly #calls = new Map<Id, AbortController>();
  /** The remote's questions put to the gateway, by this pipe's ids. */
  readonly #questions = new Map<Id, (answer: { result?: unknown; error?: unknown }) => void>();
  #nextQuestion = 0;

  /** `log`: what happened on the way, masked (the share's own log, where a process's stderr goes). */
  constructor(target: RemoteTarget, log: (line: string) => void) {
    this.#upstream = new RemoteUpstream(target, {
      notified: (method, params) => this.#emit({ method, ...(params ? { params } : {}) }),
      asked: (method, params, signal) => this.#ask(method, params, signal),
      log,
      closed: (why) => {
        this.exit = why;
        this.onclose?.();
      },
    });
  }

  start(): Promise<void> {
    return this.#upstream.start();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const m = message as Json & { id?: Id; method?: string; params?: Json };
    if (m.method === undefined) {
      const settle = this.#questions.get(m.id as Id);
      this.#questions.delete(m.id as Id);
      return settle?.(m as { result?: unknown; error?: unknown });
    }
    if (m.id === undefined) {
      const id = m.params?.requestId as Id | undefined;
      if (m.method === "notifications/cancelled" && id !== undefined && this.#calls.has(id))
        return this.#calls.get(id)?.abort();
      return this.#upstream.notify(m.method, m.params);
    }
    const id = m.id;
    const stop = new AbortController();
    this.#calls.set(id, stop);
    const progress = (params: Json) => this.#emit({ method: "notifications/progress", params });
    // A listen's acknowledgement and news name it by the gateway's id, as a process's would.
    const related = (method: string, params: Json) =>
      this.#emit({ method, params: { ...params, _meta: { ...(params._meta as Json), [SUBSCRIPTION]: id } } });
    this.#upstream
      .call({ method: m.method, params: m.params, progress, related, signal: stop.signal })
      .then(
        (answer) => this.#emit({ id, ...answer }),
        (error: unknown) => {
          // A cancel was the gateway's own: it waits for no answer.
          if (!(error as { cancelled?: boolean }).cancelled) this.#emit({ id, error: errorObject(error) });
        },
      )
      .finally(() => this.#calls.delete(id));
  }

  close(): Promise<void> {
    return this.#upstream.close();
  }

  #emit(message: Json): void {
    this.onmessage?.({ jsonrpc: "2.0", ...message } as JSONRPCMessage);
  }

  #ask(method: string, params: Json | undefined, signal: AbortSignal): Promise<Json> {
    const id = `remote-${this.#nextQuestion++}`;
    return new Promise<Json>((resolve, reject) => {
      this.#questions.set(id, (answer) =>
        "error" in answer && answer.error !== undefined
          ? reject(Object.assign(new Error(), errorObject(answer.error)))
          : resolve((answer.result ?? {}) as Json),
      );
      signal.addEventListener(
        "abort",
        () => {
          if (!this.#questions.delete(id)) return;
          this.#emit({ method: "notifications/cancelled", params: { requestId: id } });
          reject(new Error("withdrawn"));
        },
        { once: true },
      );
      this.#emit({ id, method, ...(params ? { params } : {}) });
    });
  }
}
