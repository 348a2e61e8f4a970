/**
 * runHost: the host of the run in progress (main's, runOn), which the keychain reads — each of two
 * runs at once its own — and this process's outside any run.
 */
import { expect, test } from "vitest";
import { hostFrom, runHost, runOn } from "../../src/core/system/host.js";

test("inside a run, runHost is that run's host, each of two concurrent runs its own; outside, this process's", async () => {
  const a = hostFrom({ MCP_TWIN_KEYCHAIN: "on", WHO: "a" }, "/a", "bin");
  const b = hostFrom({ WHO: "b" }, "/b", "bin");
  const seen = async (host: typeof a) =>
    runOn(host, async () => {
      // Both runs are in flight here: each reads its own after the other has started.
      await new Promise(setImmediate);
      return [runHost().env.WHO, runHost().cwd];
    });
  expect(await Promise.all([seen(a), seen(b)])).toEqual([
    ["a", "/a"],
    ["b", "/b"],
  ]);
  expect(runHost().env.WHO).toBe(process.env.WHO);
  expect(runHost().cwd).toBe(process.cwd());
});
