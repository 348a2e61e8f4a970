/**
 * `logout`, a new `login` and `uninstall` while a relay renews the login (real processes; the
 * provider holds the renewal's answer until the other command is waiting): each takes the lock
 * renewals take, waits for the renewal, and has the last word — no login comes back after a
 * logout or an uninstall, and a new login is never overwritten by the old one's renewed tokens.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import type { OAuthFixture } from "../fixtures/oauth/oauth-server.js";
import type { FakeMachine } from "../helpers/fake-machine.js";
import { BROWSER } from "../helpers/oauth.js";
import { echo, loggedIn, loginPath, session, start, stored, untilExpired } from "../helpers/oauth-relays.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A relay whose next call renews the login, the provider holding that renewal's answer; then
 * `args` run as a process. Once it waits for the renewal (or ended: it did not wait), the provider
 * answers; the relay's call goes through and the command ends.
 */
async function duringRenewal(
  args: string[],
  waiting: RegExp,
): Promise<{ fx: OAuthFixture; m: FakeMachine; output: string; code: number | null; oldGrant: string }> {
  const { fx, m } = await loggedIn(cleanups, { accessTtl: 2 });
  const relay = await session(cleanups, fx, m);
  expect(await echo(relay.client, "before")).toBe("before");
  const oldGrant = fx.grantOf(stored(m).tokens.refresh_token)!;
  let release = () => {};
  let arrived = () => {};
  const arrival = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  fx.holdRefresh = () => {
    arrived();
    return new Promise<void>((resolve) => {
      release = resolve;
    });
  };
  await untilExpired(m);
  const call = echo(relay.client, "during");
  await arrival;
  fx.holdRefresh = undefined;
  const other = start(args, { ...m.env, BROWSER }, cleanups);
  await other.says(waiting);
  release();
  expect(await call).toBe("during");
  const code = await other.exit;
  return { fx, m, output: other.output(), code, oldGrant };
}

test("logout during a renewal waits for it, then the login is gone for good", async () => {
  const { m, output, code } = await duringRenewal(
    ["logout", "docs"],
    /Waiting for the renewal of the login to docs under way to finish…/,
  );
  expect(code).toBe(0);
  expect(output).toContain(
    "✔ Logged out of docs: its provider revoked the login, and its tokens are gone from",
  );
  expect(existsSync(loginPath(m))).toBe(false);
  // And it stays gone: nothing holds a renewal that could bring it back.
  expect((await m.run(["logout", "docs"])).stdout).toContain("mcp-twin holds no login to docs");
  expect(existsSync(path.join(m.paths.home, "oauth", "docs.renewing"))).toBe(false);
}, 60_000);

test("a new login during a renewal waits for it, and the renewed tokens of the old login never replace it", async () => {
  const { fx, m, code, output, oldGrant } = await duringRenewal(
    ["login", "docs"],
    /Waiting for the renewal of the earlier login to docs to finish…/,
  );
  expect(code, output).toBe(0);
  expect(fx.stats.authorizations).toBe(2);
  const newGrant = fx.grants().at(-1)!;
  expect(newGrant).not.toBe(oldGrant);
  const now = stored(m);
  expect(fx.grantOf(now.tokens.refresh_token)).toBe(newGrant);
  expect(fx.grantOf(now.tokens.access_token)).toBe(newGrant);
}, 60_000);

test("uninstall during a renewal waits for it, then no login is left in the home", async () => {
  const { m, output, code } = await duringRenewal(
    ["uninstall", "--yes"],
    /Waiting for the renewal of the login to docs under way to finish…/,
  );
  expect(code, output).toBe(0);
  expect(output).toContain("Forgot the login to docs: its tokens are gone from the home.");
  expect(existsSync(path.join(m.paths.home, "oauth"))).toBe(false);
}, 60_000);
