/**
 * A fast-lane call's cancel (the client closing its response early): an AbortController's part for
 * those calls without making one per call; a real AbortSignal only for code that asks (a handler).
 */
export class CallStop {
  // Node's AbortController and its signal (an EventTarget) cost microseconds to make and to listen
  // on, and outlive the call in the young generation often enough to be promoted; an ordinary call
  // is never cancelled.
  #aborted = false;
  #reason: unknown;
  #listeners: Array<() => void> | undefined;
  #controller: AbortController | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** An AbortSignal that aborts with this stop (aborted already, when this one is). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /**
   * `listener` runs once, when this stops; as with an AbortSignal's "abort" listener, never when
   * it has stopped already. The function returned takes it off.
   */
  onAbort(listener: () => void): () => void {
    if (this.#aborted) return () => {};
    const listeners = this.#listeners ?? [];
    this.#listeners = listeners;
    listeners.push(listener);
    return () => {
      const at = listeners.indexOf(listener);
      if (at !== -1) listeners.splice(at, 1);
    };
  }

  abort(reason?: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason ?? new DOMException("This operation was aborted", "AbortError");
    const listeners = this.#listeners ?? [];
    this.#listeners = undefined;
    this.#controller?.abort(this.#reason);
    for (const listener of listeners) listener();
  }
}

/** `listener` on an AbortSignal's "abort" or a CallStop's: the function returned takes it off. */
export function onAbort(source: AbortSignal | CallStop, listener: () => void): () => void {
  if (source instanceof CallStop) return source.onAbort(listener);
  source.addEventListener("abort", listener, { once: true });
  return () => source.removeEventListener("abort", listener);
}
