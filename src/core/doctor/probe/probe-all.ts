/**
 * Probes run a few at a time, in input order, each with its own signal linked to the command's:
 * on Ctrl-C every running probe's process tree is killed before the error goes up.
 */
import { setMaxListeners } from "node:events";
import { InterruptedError } from "../../errors.js";
import type { ProbeResult } from "./live-probe.js";

/**
 * Run probes with at most `concurrency` at once; results in input order.
 *
 * In parallel with a bound, each with a timeout, always cleaned up — also on Ctrl-C, when every
 * running probe's process tree is killed before the error goes up.
 */
export async function probeAll<T>(
  items: readonly T[],
  run: (item: T, signal?: AbortSignal) => Promise<ProbeResult>,
  options: { concurrency: number; signal?: AbortSignal; onDone?: (done: number) => void },
): Promise<ProbeResult[]> {
  const results: ProbeResult[] = new Array(items.length);
  const count = Math.max(1, Math.min(options.concurrency, items.length));
  // Each running probe listens for Ctrl-C while it runs and stops listening when it ends: up to
  // `count` listeners at once, which is no leak, but past 10 on one signal Node prints
  // MaxListenersExceededWarning. They listen on the run's own signal, told to expect that many,
  // and linked to the command's by one listener.
  const parent = options.signal;
  const local = new AbortController();
  setMaxListeners(count * LISTENERS_PER_PROBE + 10, local.signal);
  const onAbort = () => local.abort(parent?.reason);
  if (parent?.aborted) onAbort();
  else parent?.addEventListener("abort", onAbort, { once: true });
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      if (local.signal.aborted) throw new InterruptedError();
      const i = next++;
      const item = items[i];
      if (item === undefined) break;
      results[i] = await run(item, parent ? local.signal : undefined);
      options.onDone?.(++done);
    }
  };
  try {
    const settled = await Promise.allSettled(Array.from({ length: count }, worker));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failure) throw failure.reason;
    return results;
  } finally {
    parent?.removeEventListener("abort", onAbort);
  }
}

/** The listeners one probe adds to the signal it is given at most (its attempt's, a fetch's). */
const LISTENERS_PER_PROBE = 2;
