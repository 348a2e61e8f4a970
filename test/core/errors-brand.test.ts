/**
 * `sync` is bundled on its own, so the CLI can meet errors made by a second copy of errors.ts:
 * instanceof must follow the kind of error, not the identity of the class.
 */
import { expect, test } from "vitest";
import * as one from "../../src/core/errors.js";

test("instanceof works across two copies of the error classes, by kind", async () => {
  // A second, separate instance of the module (the query makes it another module for the loader).
  const secondCopy = "../../src/core/errors.js?second-copy";
  const two = (await import(/* @vite-ignore */ secondCopy)) as typeof one;
  expect(two.UsageError).not.toBe(one.UsageError);

  const usage = new two.UsageError("bad", "bad input");
  const list = new two.UsageErrors([usage]);
  const interrupted = new two.InterruptedError();
  expect(usage).toBeInstanceOf(one.UsageError);
  expect(usage).toBeInstanceOf(one.TwinError);
  expect(usage).not.toBeInstanceOf(one.UsageErrors);
  expect(usage).not.toBeInstanceOf(one.OperationError);
  expect(list).toBeInstanceOf(one.UsageErrors);
  expect(list).toBeInstanceOf(one.UsageError);
  expect(interrupted).toBeInstanceOf(one.InterruptedError);
  expect(interrupted).not.toBeInstanceOf(one.UsageError);
  expect(one.isTwinError(list)).toBe(true);
  expect(one.isTwinError(new Error("plain"))).toBe(false);
  expect(new Error("plain")).not.toBeInstanceOf(one.TwinError);
  expect(null).not.toBeInstanceOf(one.TwinError);
  expect(list.name).toBe("UsageErrors");
  expect(usage).toBeInstanceOf(Error);
});
