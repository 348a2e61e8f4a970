/**
 * restore after uninstall: it puts the entries back — the ones to the bridge too — and says what it
 * does not put back (the bridge's process, its start at logon) with what brings each back; an
 * entry uninstall gave back as the person wrote it is not called a hand edit of theirs that went.
 * The pins sync made stay in the home through both, byte for byte and 0600.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
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

describe("restore after uninstall", () => {
  test("says the bridge is not running and no longer starts at logon, with the fix; no false 'edited by hand'", async () => {
    const m = createFakeMachine({ registryUrl: inject("registryUrl") });
    machines.push(m);
    // A person's own entry of the server in Claude Code, which sync --force takes over.
    const cc = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8"));
    cc.mcpServers.fixture = { command: "npx", args: ["-y", inject("fixtureName")] };
    writeFileSync(m.paths.claudeCodeConfig, JSON.stringify(cc, null, 2));
    writeManifest(m, { servers: { fixture: { package: inject("fixtureName"), share: "machine" } } });
    const synced = await m.run(["sync", "--force"]);
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.stdout).toContain("It starts when you log in");
    const pinsFile = path.join(m.paths.home, "pins.json");
    const pins = readFileSync(pinsFile, "utf8");
    expect(Object.keys(JSON.parse(pins).servers)).toContain("fixture");
    const kept = () => {
      expect(readFileSync(pinsFile, "utf8")).toBe(pins);
      expect(statSync(pinsFile).mode & 0o777).toBe(0o600);
    };
    const gone = await m.run(["uninstall", "--yes"]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout).toContain("fixture given back as you wrote it");
    expect(gone.stdout).toContain("Removed the bridge's start at logon");
    kept();

    const r = await m.run(["restore", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("fixture put back");
    kept();
    // What uninstall gave back is its own write, not an edit of the person's that went.
    expect(r.stdout).not.toContain("edited by hand");
    expect(r.stdout).toMatch(
      /The bridge is not running, and restore does not start it: fixture in windows cursor gets no answer until it runs; .*claude-code.* start it on their first call\. `mcp-twin bridge start` starts it; `mcp-twin sync` starts it too\./,
    );
    expect(r.stdout).toContain(
      "The bridge no longer starts when you log in: uninstall removed that, and restore does not put it back. `mcp-twin sync` sets it up again.",
    );

    // The fixes it gives work.
    const again = await m.run(["sync"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("It starts when you log in");
    expect((await m.run(["bridge", "status"])).stdout).toMatch(/^✔ Running/m);
  }, 180_000);
});
