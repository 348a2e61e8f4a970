/**
 * What status (and sync) say of a login without asking the provider: what is stored, never ✔ —
 * an access token whose time is past is said to have expired (with the date when it is not today)
 * and to renew on next use, and a note says the provider was not asked.
 */
import { writeFileSync } from "node:fs";
import { afterEach, expect, test, vi } from "vitest";
import { runInProcessByDefault } from "../helpers/fake-machine.js";
import { runMain } from "../helpers/in-process.js";
import { loggedIn, loginPath, stored } from "../helpers/oauth-relays.js";

runInProcessByDefault();

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const NOTE =
  "As stored: the provider was not asked (it may have ended a login since). `mcp-twin doctor` tries each login.";

function expiresAt(m: Parameters<typeof stored>[0], at: number): void {
  const login = stored(m);
  login.expiresAt = at;
  writeFileSync(loginPath(m), JSON.stringify(login));
}

test("status says what it knows of a login: valid until, expired at (a date when not today), never ✔", async () => {
  const { fx, m } = await loggedIn(cleanups);
  expect((await m.run(["sync"])).code).toBe(0);
  const fresh = await m.run(["status"]);
  expect(fresh.stdout).toMatch(
    /ℹ docs: logged in \(scopes mcp:read mcp:write; token valid until .+, then renewed\)/,
  );
  expect(fresh.stdout).toContain(NOTE);
  expect(fresh.stdout).not.toMatch(/✔ docs/);

  // The clock is the test's own (Date alone: timers and the provider run as they do): a minute ago
  // is today at noon, and yesterday just after midnight. It reaches only a run in this process,
  // so these runs are in-process whatever MCP_TWIN_TEST_CLI says.
  const statusHere = () => runMain(["status"], m.env, m.paths.linuxHome);
  vi.useFakeTimers({ toFake: ["Date"] });
  try {
    // Its time is past: expired, renewed on next use — not "valid until" a time gone by.
    vi.setSystemTime(new Date(2026, 5, 15, 12, 0, 0));
    const past = Date.now() - 60_000;
    expiresAt(m, past);
    const expired = await statusHere();
    expect(expired.stdout).toContain(
      `ℹ docs: logged in (scopes mcp:read mcp:write; the access token expired at ${new Date(past).toLocaleTimeString()}; it is renewed on next use)`,
    );
    expect(expired.stdout).not.toContain("valid until");

    // Just after midnight, a minute ago was yesterday: the date too.
    vi.setSystemTime(new Date(2026, 5, 16, 0, 0, 30));
    const lastNight = Date.now() - 60_000;
    expiresAt(m, lastNight);
    const old = await statusHere();
    expect(old.stdout).toContain(`the access token expired at ${new Date(lastNight).toLocaleString()};`);
  } finally {
    vi.useRealTimers();
  }

  // The provider ends the login: status cannot know, and does not claim it works.
  fx.revokeAll();
  const revoked = await m.run(["status"]);
  expect(revoked.stdout).not.toMatch(/✔ docs/);
  expect(revoked.stdout).toContain(NOTE);
  // sync says it the same way.
  const sync = await m.run(["sync"]);
  expect(sync.stdout).toContain("ℹ docs: logged in (scopes mcp:read mcp:write; the access token expired at");
  expect(sync.stdout).toContain(NOTE);
}, 60_000);
