/**
 * Which nodes get V8's memory flags on a shared server's command line (entries/shared-node-flags.ts):
 * the majors they were measured on and later ones; never a node of unknown or older version, which
 * could refuse a flag and exit.
 */
import { spawnSync } from "node:child_process";
import { expect, test } from "vitest";
import { sharedNodeFlags } from "../../src/core/entries/shared-node-flags.js";

test("Node 20, 22, 24 and later get the flags; an older or unknown node none", () => {
  for (const v of ["v20.19.0", "v20.20.2", "v22.13.0", "v24.21.0", "v25.0.0", "26.1.0"])
    expect(sharedNodeFlags(v), v).toEqual(["--max-semi-space-size=1"]);
  for (const v of [undefined, "", "v18.20.4", "v19.9.0", "node", "vX.1.2"])
    expect(sharedNodeFlags(v), String(v)).toEqual([]);
});

test("this machine's node accepts them and still runs a script", () => {
  const r = spawnSync(process.execPath, [...sharedNodeFlags(process.version), "-e", "console.log('ran')"], {
    encoding: "utf8",
  });
  expect(r.stderr).toBe("");
  expect([r.status, r.stdout.trim()]).toEqual([0, "ran"]);
});
