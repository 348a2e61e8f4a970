/**
 * The module that turns V8's compilers back on when a process works hard (core/system/busy-compilers.ts),
 * in a real node: it never keeps a process alive, and names Maglev only where Maglev runs by default.
 * What it does to the compilers, in a shared server's node, is test/entries/shared-node-flags.test.ts's.
 */
import { spawnSync } from "node:child_process";
import { expect, test } from "vitest";
import { compilersWhenBusy, optimizingCompilers } from "../../src/core/system/busy-compilers.js";

test("its timer keeps nothing alive, and its module is base64 after the media type", () => {
  const url = compilersWhenBusy(optimizingCompilers(24), 60_000);
  expect(url).toMatch(/^data:text\/javascript;base64,[A-Za-z0-9+/=]+$/);
  const r = spawnSync(process.execPath, ["--import", url, "-e", "console.log('done')"], {
    encoding: "utf8",
    timeout: 10_000,
  });
  expect([r.status, r.signal, r.stdout.trim()]).toEqual([0, null, "done"]);
});

test("the optimizing compilers by Node major: Maglev is named only where it is on by default", () => {
  expect(optimizingCompilers(20)).toEqual(["turbofan"]);
  expect(optimizingCompilers(22)).toEqual(["turbofan"]);
  expect(optimizingCompilers(24)).toEqual(["turbofan", "maglev"]);
  expect(optimizingCompilers(26)).toEqual(["turbofan", "maglev"]);
});
