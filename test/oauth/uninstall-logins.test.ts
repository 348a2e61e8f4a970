/**
 * uninstall forgets the logins, and says so where it matters: in its question on a terminal
 * ("… and forget the login to docs?"), and in its closing line, which names what `restore` does
 * not give back.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { startOAuthFixture } from "../fixtures/oauth/oauth-server.js";
import { createFakeMachine, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { BROWSER } from "../helpers/oauth.js";
import { runInPty } from "../helpers/pty.js";

runInProcessByDefault();

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

test("on a terminal uninstall asks to forget the login, and says restore does not bring it back", async () => {
  const fx = await startOAuthFixture();
  cleanups.push(() => fx.close());
  const m = createFakeMachine({ kind: "linux" });
  cleanups.push(() => m.cleanup());
  writeManifest(m, { servers: { docs: { url: fx.url } } });
  expect((await m.run(["sync"])).code).toBe(0);
  expect((await m.run(["login", "docs"], { env: { BROWSER } })).code).toBe(0);

  const question = "Change 1 file and forget the login to docs?";
  const u = runInPty(["uninstall"], m.env, m.paths.linuxHome);
  await u.waitFor(new RegExp(question.replace(/[.?]/g, "\\$&")));
  u.type("y\r");
  const done = await u.exit;
  expect(done.code, done.output).toBe(0);
  expect(done.output).toContain("• The login to docs will be forgotten (its tokens leave the home).");
  expect(done.output).toContain("✔ Forgot the login to docs: its tokens are gone from the home.");
  expect(done.output).toContain(
    "`mcp-twin restore` puts these entries back, not the login (`mcp-twin login docs` logs in again).",
  );
  expect(existsSync(path.join(m.paths.home, "oauth"))).toBe(false);
}, 60_000);

test("a login left with no entry to remove is still asked about and forgotten", async () => {
  const fx = await startOAuthFixture();
  cleanups.push(() => fx.close());
  const m = createFakeMachine({ kind: "linux" });
  cleanups.push(() => m.cleanup());
  writeManifest(m, { servers: { docs: { url: fx.url } } });
  expect((await m.run(["sync"])).code).toBe(0);
  expect((await m.run(["login", "docs"], { env: { BROWSER } })).code).toBe(0);
  // The entries are gone already: an uninstall limited to one client keeps the login.
  expect((await m.run(["uninstall", "--client", "claude-code", "--yes"])).code).toBe(0);
  expect(existsSync(path.join(m.paths.home, "oauth", "docs.json"))).toBe(true);

  const u = runInPty(["uninstall"], m.env, m.paths.linuxHome);
  await u.waitFor(/Forget the login to docs\?/);
  u.type("y\r");
  const done = await u.exit;
  expect(done.code, done.output).toBe(0);
  expect(existsSync(path.join(m.paths.home, "oauth"))).toBe(false);
}, 60_000);
