/**
 * Which optimizing compilers a node runs by default (core/system/busy-compilers.ts). What the
 * module does in a real node — the compilers back when busy, no process kept alive, base64 after
 * the media type — is test/entries/shared-node-flags.test.ts's, on the flags that carry it.
 */
import { expect, test } from "vitest";
import { optimizingCompilers } from "../../src/core/system/busy-compilers.js";

test("the optimizing compilers by Node major: Maglev is named only where it is on by default", () => {
  expect(optimizingCompilers(20)).toEqual(["turbofan"]);
  expect(optimizingCompilers(22)).toEqual(["turbofan"]);
  expect(optimizingCompilers(24)).toEqual(["turbofan", "maglev"]);
  expect(optimizingCompilers(26)).toEqual(["turbofan", "maglev"]);
});
