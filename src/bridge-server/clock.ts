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
  /** Run `fn` every `ms` until cancelled (never keeping the process alive). */
  every(ms: number, fn: () => void): Timer;
}

/** setTimeout's largest delay: a longer one fires at once. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export const realClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.min(ms, MAX_DELAY_MS)).unref();
    return { cancel: () => clearTimeout(t) };
  },
  every(ms, fn) {
    const t = setInterval(fn, Math.min(ms, MAX_DELAY_MS)).unref();
    return { cancel: () => clearInterval(t) };
  },
};
