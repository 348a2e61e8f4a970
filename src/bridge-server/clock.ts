/**
 * The time the bridge's timers run on: the real one, or one a test moves forward (so a test of a
 * timeout waits for the timer's own event, never for a fixed time).
 */
export interface Timer {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Run `fn` once, `ms` from now (the timer never keeps the process alive). */
  after(ms: number, fn: () => void): Timer;
}

export const realClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
