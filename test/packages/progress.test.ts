/**
 * Progress where people wait, against a deliberately slow loopback registry (every answer takes
 * 1.5 s, as a slow network does): in a terminal, a live line per environment with the package,
 * the time so far and npm's phase; what sync looked at before its first install (the environments,
 * Windows through interop) and how long it took; without a terminal plain lines; with --json
 * nothing but the JSON document on stdout and nothing on stderr. Each on a machine of its own, the
 * three at once (most of their time is the registry's waits).
 */
import { afterAll, beforeAll, describe, inject, type TestContext, test } from "vitest";
import { createFakeMachine, type FakeMachine, writeManifest } from "../helpers/fake-machine.js";
import { runInPty } from "../helpers/pty.js";
import { type Registry, startRegistry } from "../helpers/registry.js";

let slow: Registry;
beforeAll(async () => {
  slow = await startRegistry(
    [
      {
        name: inject("fixtureName"),
        version: "1.0.0",
        tgz: inject("fixtureTgz"),
        bin: { "mcp-twin-fixture-server": "dist/server.js" },
      },
    ],
    { delayMs: 1_500 },
  );
});
afterAll(() => slow?.close());

/** A machine of the test's own, cleaned up when it finishes. */
function machine({ onTestFinished }: TestContext): FakeMachine {
  const m = createFakeMachine({ registryUrl: slow.url });
  onTestFinished(() => m.cleanup());
  writeManifest(m, { servers: { fixture: { package: `${inject("fixtureName")}@1.0.0` } } });
  return m;
}
const spec = () => `${inject("fixtureName")}@1.0.0`;

describe.concurrent("sync's progress", () => {
  test("in a terminal: what it looks at first, then a live line per environment with elapsed time and npm's phase", async (t) => {
    const { expect } = t;
    const m = machine(t);
    const pty = runInPty(["sync"], m.env, m.paths.linuxHome);
    // Before any install: the environments it looked at afresh (Windows through WSL interop).
    await pty.waitFor(/✔ Looked at wsl:Ubuntu, windows \(through WSL interop\) \(\d+\.\ds\)/, 60_000);
    await pty.waitFor(/Installing in 2 environments/, 60_000);
    // One line per environment: its time so far, npm's phase, its package.
    const live = (env: string, what: string) =>
      new RegExp(`${env}\\s+\\d+s\\s+${what}\\s+${spec().replace(/[.@]/g, "\\$&")}`);
    await pty.waitFor(live("wsl:Ubuntu", "(resolving|adding)"), 60_000);
    await pty.waitFor(live("windows", "(resolving|adding)"), 60_000);
    // The time moves on while npm waits for the registry.
    await pty.waitFor(/wsl:Ubuntu\s+[1-9]\d*s\s+/, 60_000);
    // npm's own phase: after the tree is resolved (1 package), its tarball is taken up — and the
    // registry takes 1.5 s to send it.
    await pty.waitFor(live("(wsl:Ubuntu|windows)", "fetching and unpacking 1 package"), 60_000);
    const { code, output } = await pty.exit;
    expect(code, output).toBe(0);
    expect(output).toMatch(
      new RegExp(`✔ Installed ${spec().replace(/[.@]/g, "\\$&")} in wsl:Ubuntu \\(\\d+s\\)`),
    );
    expect(output).toMatch(
      new RegExp(`✔ Installed ${spec().replace(/[.@]/g, "\\$&")} in windows \\(\\d+s\\)`),
    );
  }, 120_000);

  test("without a terminal: plain lines, one as each environment starts and one as it ends", async (t) => {
    const { expect } = t;
    const m = machine(t);
    const r = await m.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`• Installing ${spec()} in wsl:Ubuntu`);
    expect(r.stderr).toContain(`• Installing ${spec()} in windows`);
    expect(r.stderr).toMatch(
      new RegExp(`✔ Installed ${spec().replace(/[.@]/g, "\\$&")} in windows \\(\\d+s\\)`),
    );
    expect(r.stderr).not.toMatch(/\u001b\[/);
    // The report shows the manifest as Windows shows it, like the Windows targets under it.
    expect(r.stdout).toContain("Manifest: C:\\Users\\alice\\AppData\\Roaming\\mcp-twin\\mcp-twin.jsonc");
  }, 120_000);

  test("with --json: one JSON document on stdout, nothing on stderr", async (t) => {
    const { expect } = t;
    const m = machine(t);
    const r = await m.run(["sync", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).installs).toHaveLength(2);
    expect(r.stderr).toBe("");
  }, 120_000);
});
