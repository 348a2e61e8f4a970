/**
 * A signal sent while a command waits for its user (SIGTERM from `kill` or a parent, SIGHUP, the
 * hang-up), in commands other than init: the first one ends the wait — a hidden prompt, a
 * question — exit 130, the cursor shown again, nothing written.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { createFakeMachine, type FakeMachine, writeManifest } from "../helpers/fake-machine.js";
import { runInPty } from "../helpers/pty.js";

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

function machine(): FakeMachine {
  const m = createFakeMachine({ kind: "linux" });
  machines.push(m);
  return m;
}

const CURSOR_SHOWN = "\u001b[?25h";

test("secret set: SIGTERM at the hidden value prompt ends it at once, stores nothing", async () => {
  const m = machine();
  const pty = runInPty(["secret", "set", "DOCS_TOKEN"], m.env, m.paths.linuxHome);
  await pty.waitFor(/Value of DOCS_TOKEN/);
  pty.type("tok-12");
  await pty.waitFor(/\[input is masked\]/);
  const before = pty.raw().length;
  pty.kill("SIGTERM");
  const { code, output } = await pty.exitWithin(5_000);
  expect(code, output).toBe(130);
  expect(pty.raw().slice(before)).toContain(CURSOR_SHOWN);
  expect(output).toContain("✖ Stopped before anything was written.");
  expect(existsSync(path.join(m.paths.home, "secrets.json"))).toBe(false);
}, 60_000);

for (const signal of ["SIGTERM", "SIGHUP"] as const)
  test(`uninstall: ${signal} at its question ends it at once, every config as it was`, async () => {
    const m = machine();
    writeManifest(m, { servers: { docs: { url: "https://docs.example.com/mcp" } } });
    expect((await m.run(["sync"])).code).toBe(0);
    const config = readFileSync(m.paths.claudeCodeConfig, "utf8");
    expect(config).toContain("docs.example.com");
    const pty = runInPty(["uninstall"], m.env, m.paths.linuxHome);
    await pty.waitFor(/Change 1 file\?/);
    const before = pty.raw().length;
    pty.kill(signal);
    const { code, output } = await pty.exitWithin(5_000);
    expect(code, output).toBe(130);
    expect(pty.raw().slice(before)).toContain(CURSOR_SHOWN);
    expect(output).toContain("✖ Stopped before anything was written.");
    expect(readFileSync(m.paths.claudeCodeConfig, "utf8")).toBe(config);
  }, 60_000);
