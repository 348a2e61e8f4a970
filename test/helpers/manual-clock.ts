/**
 * A clock a test moves forward by hand (`advance`): the bridge's timers given it fire in order as
 * their time comes, and never otherwise.
 */
import type { Clock } from "../../src/bridge-server/clock.js";

export interface ManualClock extends Clock {
  advance(ms: number): void;
  /** Timers not yet fired or cancelled. */
  readonly pending: number;
}

export function manualClock(start = Date.now()): ManualClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void; every?: number }>();
  const add = (ms: number, fn: () => void, every?: number) => {
    const id = seq++;
    timers.set(id, { at: now + ms, fn, ...(every === undefined ? {} : { every }) });
    return { cancel: () => void timers.delete(id) };
  };
  return {
    now: () => now,
    after: (ms, fn) => add(ms, fn),
    // A period of 0 would fire without end within one advance.
    every: (ms, fn) => add(Math.max(1, ms), fn, Math.max(1, ms)),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers]
          .filter(([, t]) => t.at <= end)
          .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!due) break;
        const [id, timer] = due;
        now = timer.at;
        if (timer.every === undefined) timers.delete(id);
        else timer.at += timer.every;
        timer.fn();
      }
      now = end;
    },
    get pending() {
      return timers.size;
    },
  };
}
