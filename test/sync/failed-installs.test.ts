/**
 * A shared server that cannot run in the bridge because its package did not install there in this
 * very sync is said as that (sayFailedInstalls), not with the bridge's fix for a package sync never
 * tried to install. The whole path, through a real sync, is in test/e2e/shared-entries.test.ts.
 */
import { expect, test } from "vitest";
import { type GatewayReport, sayFailedInstalls } from "../../src/core/sync/gateway-sync.js";

const BRIDGE_SAYS =
  "x-pkg is not installed in linux. Run `mcp-twin sync --env linux` first: naming the environment installs the manifest's packages there, whether a client runs there or not.";

const report = (): GatewayReport => ({
  shares: ["x", "y"],
  warmed: [],
  warmFailed: [
    { name: "x", error: BRIDGE_SAYS, cannotRun: true },
    { name: "y", error: "spawn y ENOENT" },
  ],
});
const packages = new Map([
  ["x", "x-pkg"],
  ["y", "y-pkg"],
]);

test("a failed install in the bridge's environment: said as that, with the retry", () => {
  const r = report();
  sayFailedInstalls(r, [{ env: "linux", package: "x-pkg", action: "failed" }], packages, "linux");
  expect(r.warmFailed[0]).toEqual({
    name: "x",
    cannotRun: true,
    error:
      "its package x-pkg could not be installed in linux in this sync (npm's error is reported with that package; `mcp-twin sync` tries again)",
  });
  // A server that can run (its list only not cached) keeps its own words.
  expect(r.warmFailed[1]).toEqual({ name: "y", error: "spawn y ENOENT" });
});

test("a version that could not be looked up (env -): said as that", () => {
  const r = report();
  sayFailedInstalls(r, [{ env: "-", package: "x-pkg", action: "failed" }], packages, "linux");
  expect(r.warmFailed[0]?.error).toBe(
    "its package x-pkg's version could not be looked up in this sync (npm's error is reported with that package; `mcp-twin sync` tries again)",
  );
});

test("a failure elsewhere, or an install that worked, leaves the bridge's words", () => {
  for (const installs of [
    [{ env: "windows", package: "x-pkg", action: "failed" }],
    [{ env: "linux", package: "x-pkg", action: "installed" }],
    [{ env: "linux", package: "other-pkg", action: "failed" }],
    [],
  ]) {
    const r = report();
    sayFailedInstalls(r, installs, packages, "linux");
    expect(r.warmFailed[0]?.error).toBe(BRIDGE_SAYS);
  }
});

test("a failed row that names the package with its version is matched by name", () => {
  const r = report();
  sayFailedInstalls(r, [{ env: "linux", package: "x-pkg@1.2.3", action: "failed" }], packages, "linux");
  expect(r.warmFailed[0]?.error).toMatch(/^its package x-pkg could not be installed in linux/);
});
