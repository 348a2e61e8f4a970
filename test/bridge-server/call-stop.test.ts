/** CallStop: an AbortController's behaviour for the fast lanes, its signal made only when asked for. */
import { expect, test } from "vitest";
import { CallStop, onAbort } from "../../src/bridge-server/call-stop.js";

test("listeners run once, in order, when it aborts; one taken off does not run", () => {
  const stop = new CallStop();
  const ran: string[] = [];
  stop.onAbort(() => ran.push("a"));
  const off = stop.onAbort(() => ran.push("b"));
  stop.onAbort(() => ran.push("c"));
  off();
  expect(stop.aborted).toBe(false);
  stop.abort("why");
  stop.abort("again");
  expect(ran).toEqual(["a", "c"]);
  expect(stop.aborted).toBe(true);
  expect(stop.reason).toBe("why");
});

test("as with an AbortSignal, a listener added after the abort never runs", () => {
  const stop = new CallStop();
  stop.abort();
  let ran = false;
  stop.onAbort(() => {
    ran = true;
  })();
  expect(ran).toBe(false);
  expect((stop.reason as DOMException).name).toBe("AbortError");
  const controller = new AbortController();
  controller.abort();
  controller.signal.addEventListener("abort", () => {
    ran = true;
  });
  expect(ran).toBe(false);
});

test("its signal follows it, whether asked for before or after the abort", () => {
  const before = new CallStop();
  const signal = before.signal;
  expect(signal).toBeInstanceOf(AbortSignal);
  expect(before.signal).toBe(signal);
  expect(signal.aborted).toBe(false);
  before.abort("cancelled");
  expect(signal.aborted).toBe(true);
  expect(signal.reason).toBe("cancelled");

  const after = new CallStop();
  after.abort("late");
  expect(after.signal.aborted).toBe(true);
  expect(after.signal.reason).toBe("late");
});

test("onAbort listens alike on an AbortSignal and on a CallStop, and takes the listener off", () => {
  for (const make of [
    () => {
      const c = new AbortController();
      return { source: c.signal, abort: () => c.abort() };
    },
    () => {
      const s = new CallStop();
      return { source: s, abort: () => s.abort() };
    },
  ]) {
    const kept = make();
    const dropped = make();
    let count = 0;
    onAbort(kept.source, () => count++);
    onAbort(dropped.source, () => count++)();
    kept.abort();
    dropped.abort();
    expect(count).toBe(1);
  }
});
