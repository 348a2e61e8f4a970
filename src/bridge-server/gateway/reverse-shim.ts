/**
 * A 2025-11-25 server's question (elicitation, sampling, roots) put to a 2026-07-28 client: the
 * server's call is parked, the client is answered `input_required`, and its retry resumes the call.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { RPC, rpcError } from "../../core/jsonrpc/codes.js";
import { CallStop, onAbort } from "../call-stop.js";
import { type Clock, realClock, type Timer } from "../clock.js";
import { NEEDS } from "./asks.js";
import type { Json } from "./wire-json.js";

/** A parked call waits this long for the client's retry; then the question is cancelled. */
const PARKED_TTL_MS = 5 * 60 * 1000;
/**
 * Calls of one shared server parked at once, each holding the server's call: past it, a call that
 * asks is answered with an error, and the server's call is cancelled.
 */
const PARKED_PER_UPSTREAM = 64;
const TAG = "gw1";

interface Parked {
  /** Its key in the parked calls, given when it first asks (a call that never asks has none). */
  handle?: string;
  call: Promise<{ done: Json } | { failed: unknown }>;
  /** The server's current question, waiting for the client's answer. */
  answer?: { resolve(value: Json): void; reject(error: Error): void };
  /** Wakes the waiting request when the server asks (again), or asks what the client cannot answer. */
  wake?: (question: Question) => void;
  abort: CallStop;
  timer?: Timer;
}

interface Question {
  method: string;
  params: Json | undefined;
  missing?: string;
}

/**
 * The calls parked for 2026-07-28 clients of one shared server. `requestState` is
 * `gw1.<handle>.<HMAC>`: signed, so a client can only resume a call the gateway parked for it.
 */
export class ReverseShim {
  readonly #clock: Clock;
  readonly #key = randomBytes(32);
  readonly #parked = new Map<string, Parked>();
  /** Every call started and not ended, parked or not (closing the shim gives them all up). */
  readonly #live = new Set<Parked>();

  constructor(clock: Clock = realClock) {
    this.#clock = clock;
  }

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
   * Start a call that may ask the client something. `run(ask, stop)` forwards it with `ask` as
   * the server's way to ask, and gives it up when `stop` aborts; `caps` are the request's declared
   * client capabilities. Most calls never ask: they cost no handle and no parking.
   */
  start(
    run: (ask: (method: string, params: Json | undefined) => Promise<Json>, stop: CallStop) => Promise<Json>,
    caps: Json,
    signal: AbortSignal | CallStop,
  ): Promise<Json> {
    const p: Parked = { abort: new CallStop(), call: Promise.resolve({ done: {} }) };
    const ask = (method: string, params: Json | undefined, signal?: AbortSignal) => {
      const need = NEEDS[method];
      if (!need || !caps[need]) {
        // 2026-07-28: a request needing a capability the client did not declare is refused
        // (-32021), and the server's call is cancelled; the 2025-11-25 server's question is
        // refused as a refusal (its era has no code for it; nothing in the bridge went wrong).
        p.wake?.({ method, params, missing: need ?? method });
        p.abort.abort();
        return Promise.reject(
          rpcError(`${method}: the client did not declare "${need ?? method}"`, RPC.serverError),
        );
      }
      // One answer comes back per retry: a second question while one waits would lose the first.
      if (p.answer)
        return Promise.reject(
          rpcError(
            `${method}: a 2026-07-28 client is asked one thing at a time, and this call already waits for an answer`,
            RPC.serverError,
          ),
        );
      return new Promise<Json>((resolve, reject) => {
        const answer = { resolve, reject };
        p.answer = answer;
        // Given up (asks.ts's timeout): the client's late answer goes nowhere.
        signal?.addEventListener(
          "abort",
          () => {
            if (p.answer !== answer) return;
            p.answer = undefined;
            reject(signal.reason);
          },
          { once: true },
        );
        p.wake?.({ method, params });
      });
    };
    this.#live.add(p);
    p.call = run(ask, p.abort).then(
      (done) => ({ done }),
      (failed: unknown) => ({ failed }),
    );
    return this.#await(p, signal);
  }

  /** The client's retry of a parked call, with its answer to the question under key `q`. */
  resume(handle: string, inputResponses: Json | undefined, signal: AbortSignal | CallStop): Promise<Json> {
    const p = this.#parked.get(handle);
    if (!p)
      return Promise.reject(
        rpcError(
          "this request can no longer be resumed (it expired or ended): send it again",
          RPC.invalidParams,
        ),
      );
    p.timer?.cancel();
    const answer = inputResponses?.q;
    if (answer && typeof answer === "object") p.answer?.resolve(answer as Json);
    else p.answer?.reject(rpcError("the retry carried no answer to the question", RPC.invalidParams));
    p.answer = undefined;
    return this.#await(p, signal);
  }

  /** The call is over (ended, refused, cancelled or expired): nothing can resume it. */
  #unpark(p: Parked): void {
    this.#live.delete(p);
    if (p.handle !== undefined) this.#parked.delete(p.handle);
  }

  /** Until the call ends (its result) or asks (input_required); the request's cancel cancels it. */
  async #await(p: Parked, signal: AbortSignal | CallStop): Promise<Json> {
    const off = onAbort(signal, () => {
      p.abort.abort();
      this.#unpark(p);
    });
    let next: { done: Json } | { failed: unknown } | Question;
    try {
      next = await new Promise<{ done: Json } | { failed: unknown } | Question>((resolve) => {
        p.wake = resolve;
        void p.call.then(resolve);
      });
    } finally {
      off();
    }
    if ("done" in next || "failed" in next) {
      this.#unpark(p);
      if ("failed" in next) throw next.failed;
      return next.done;
    }
    if (next.missing) {
      this.#unpark(p);
      throw Object.assign(
        rpcError(
          `Missing required client capability: ${next.missing} (the server asked ${next.method})`,
          RPC.missingCapability,
        ),
        { data: { requiredCapabilities: { [next.missing]: {} } } },
      );
    }
    if (p.handle === undefined && this.#parked.size >= PARKED_PER_UPSTREAM) {
      p.answer?.reject(
        rpcError(`${next.method}: too many calls wait for their clients' answers`, RPC.serverError),
      );
      p.abort.abort();
      this.#unpark(p);
      throw rpcError(
        `the shared server asked ${next.method}, and ${PARKED_PER_UPSTREAM} calls of it already wait for their clients' answers (the most it may have): send the request again later`,
        RPC.serverError,
      );
    }
    p.handle ??= randomUUID();
    const handle = p.handle;
    this.#parked.set(handle, p);
    // Unanswered in time: the server's question is cancelled, and so is its call.
    p.timer = this.#clock.after(PARKED_TTL_MS, () => {
      p.answer?.resolve({ action: "cancel" });
      p.abort.abort();
      this.#unpark(p);
    });
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
    for (const p of this.#live) {
      p.timer?.cancel();
      p.abort.abort();
    }
    this.#live.clear();
    this.#parked.clear();
  }
}
