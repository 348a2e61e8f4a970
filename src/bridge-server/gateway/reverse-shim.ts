/**
 * A 2025-11-25 server's question (elicitation, sampling, roots) put to a 2026-07-28 client: the
 * server's call is parked, the client is answered `input_required`, and its retry resumes the call.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { Json } from "./shared-child.js";
import { rpcError } from "./shared-child.js";

/** A parked call waits this long for the client's retry; then the question is cancelled. */
const PARKED_TTL_MS = 5 * 60 * 1000;
const TAG = "gw1";

/** What the client's capability must be for each question a server may ask. */
const NEEDS: Record<string, string> = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
};

interface Parked {
  /** The server's call, still running. */
  call: Promise<{ done: Json } | { failed: unknown }>;
  /** The server's current question, waiting for the client's answer. */
  answer?: { resolve(value: Json): void; reject(error: Error): void };
  /** Wakes the waiting request when the server asks (again), or asks what the client cannot answer. */
  wake?: (question: { method: string; params: Json | undefined; missing?: string }) => void;
  abort: AbortController;
  timer?: NodeJS.Timeout;
}

/**
 * The calls parked for 2026-07-28 clients of one shared server. `requestState` is
 * `gw1.<handle>.<HMAC>`: signed, so a client can only resume a call the gateway parked for it.
 */
export class ReverseShim {
  readonly #key = randomBytes(32);
  readonly #parked = new Map<string, Parked>();

  #mint(handle: string): string {
    return `${TAG}.${handle}.${createHmac("sha256", this.#key).update(handle).digest("base64url")}`;
  }

  /** The handle a request state names, when the gateway minted it. */
  handleOf(state: unknown): string | undefined {
    if (typeof state !== "string" || !state.startsWith(`${TAG}.`)) return undefined;
    const handle = state.split(".")[1] ?? "";
    return this.#mint(handle) === state ? handle : undefined;
  }

  /**
   * Start a call that may ask the client something. `run(ask)` forwards it with `ask` as the
   * server's way to ask; `caps` are the request's declared client capabilities.
   */
  start(
    run: (
      ask: (method: string, params: Json | undefined) => Promise<Json>,
      signal: AbortSignal,
    ) => Promise<Json>,
    caps: Json,
    signal: AbortSignal,
  ): Promise<Json> {
    const handle = randomUUID();
    const p: Parked = { abort: new AbortController(), call: Promise.resolve({ done: {} }) };
    const ask = (method: string, params: Json | undefined) => {
      const need = NEEDS[method];
      if (!need || !caps[need]) {
        // 2026-07-28: a request needing a capability the client did not declare is refused
        // (-32021), and the server's call is cancelled.
        p.wake?.({ method, params, missing: need ?? method });
        p.abort.abort();
        return Promise.reject(rpcError(`${method}: the client did not declare "${need ?? method}"`));
      }
      return new Promise<Json>((resolve, reject) => {
        p.answer = { resolve, reject };
        p.wake?.({ method, params });
      });
    };
    p.call = run(ask, p.abort.signal).then(
      (done) => ({ done }),
      (failed: unknown) => ({ failed }),
    );
    this.#parked.set(handle, p);
    return this.#await(handle, p, signal);
  }

  /** The client's retry of a parked call, with its answer to the question under key `q`. */
  resume(handle: string, inputResponses: Json | undefined, signal: AbortSignal): Promise<Json> {
    const p = this.#parked.get(handle);
    if (!p)
      return Promise.reject(
        rpcError("this request can no longer be resumed (it expired or ended): send it again", -32602),
      );
    clearTimeout(p.timer);
    const answer = inputResponses?.q;
    if (answer && typeof answer === "object") p.answer?.resolve(answer as Json);
    else p.answer?.reject(rpcError("the retry carried no answer to the question", -32602));
    p.answer = undefined;
    return this.#await(handle, p, signal);
  }

  /** Until the call ends (its result) or asks (input_required); the request's cancel cancels it. */
  async #await(handle: string, p: Parked, signal: AbortSignal): Promise<Json> {
    const asked = new Promise<{ method: string; params: Json | undefined; missing?: string }>((resolve) => {
      p.wake = resolve;
    });
    const cancel = () => {
      p.abort.abort();
      this.#parked.delete(handle);
    };
    signal.addEventListener("abort", cancel, { once: true });
    const next = await Promise.race([p.call, asked]).finally(() =>
      signal.removeEventListener("abort", cancel),
    );
    if ("done" in next || "failed" in next) {
      this.#parked.delete(handle);
      if ("failed" in next) throw next.failed;
      return next.done;
    }
    if (next.missing) {
      this.#parked.delete(handle);
      throw Object.assign(
        rpcError(
          `Missing required client capability: ${next.missing} (the server asked ${next.method})`,
          -32021,
        ),
        { data: { requiredCapabilities: { [next.missing]: {} } } },
      );
    }
    // Unanswered in time: the server's question is cancelled, and so is its call.
    p.timer = setTimeout(() => {
      p.answer?.resolve({ action: "cancel" });
      p.abort.abort();
      this.#parked.delete(handle);
    }, PARKED_TTL_MS);
    p.timer.unref();
    const { _meta, ...params } = next.params ?? {};
    return {
      resultType: "input_required",
      inputRequests: {
        q: { method: next.method, ...(Object.keys(params).length > 0 || next.params ? { params } : {}) },
      },
      requestState: this.#mint(handle),
    };
  }

  close(): void {
    for (const p of this.#parked.values()) {
      clearTimeout(p.timer);
      p.abort.abort();
    }
    this.#parked.clear();
  }
}
