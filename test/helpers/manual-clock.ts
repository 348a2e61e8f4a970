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

export function manualClock(start = 0): ManualClock {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    after(ms, fn) {
      const id = seq++;
      timers.set(id, { at: now + ms, fn });
      return { cancel: () => void timers.delete(id) };
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers]
          .filter(([, t]) => t.at <= end)
          .sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
    get pending() {
      return timers.size;
    },
  };
}
