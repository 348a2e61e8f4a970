/**
 * sync tells the running gateway to read the manifest again; when the gateway cannot read it (the
 * user-level manifest broken while sync ran on another with `--manifest`), sync says so and fails —
 * never "it read the manifest again".
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";

runInProcessByDefault();

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

test("a gateway that could not read the manifest: sync says it runs what it ran before, and fails", async () => {
  const m = createFakeMachine({ kind: "linux", cursor: false, claudeDesktop: false });
  machines.push(m);
  const servers = { fx: { command: process.execPath, args: [inject("fixtureScript")], share: "machine" } };
  const user = writeManifest(m, { servers });
  const env = { MCP_TWIN_BRIDGE_HOME: path.join(m.root, "bridge-state") };
  try {
    const first = await m.run(["sync"], { env });
    expect(first.code, first.stderr).toBe(0);
    const other = path.join(m.root, "other.jsonc");
    writeFileSync(other, JSON.stringify({ servers }));
    writeFileSync(user, '{ "servers": { "fx": ');
    const r = await m.run(["sync", "--manifest", other], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("it read the manifest again");
    expect(r.stdout).toMatch(
      /^✖ Gateway for 1 shared server running at http:\/\/127\.0\.0\.1:\d+\/mcp \(pid \d+\), but it could not read the manifest \(.+mcp-twin\.jsonc:1:22: value expected; the manifest is not valid JSON \(JSONC\)\): it runs the shared servers it ran before\. Fix the manifest, then run `mcp-twin sync`\.$/m,
    );
    const json = await m.run(["sync", "--manifest", other, "--json"], { env });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as {
      gateway: { gateway: { state: string; error: string } };
      errors: Array<{ code: string }>;
    };
    expect(report.gateway.gateway).toMatchObject({
      state: "unread",
      error: expect.stringContaining(":1:22:"),
    });
    expect(report.errors.map((e) => e.code)).toContain("gateway-manifest-unread");
    // Fixed, the next sync's reload reads it.
    writeManifest(m, { servers });
    const fixed = await m.run(["sync"], { env });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain("it read the manifest again");
  } finally {
    await m.run(["bridge", "stop"], { env });
  }
}, 120_000);
