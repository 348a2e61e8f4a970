/**
 * A hostile provider: every OAuth request mcp-twin makes (discovery, the needs-a-login check,
 * registration, the code exchange, refresh) reads at most 1 MiB of decoded answer and waits at
 * most 15 s (login's and renewals': MCP_TWIN_OAUTH_TIMEOUT, 2 s here). Real hostile servers on loopback (endless bodies, decompression bombs, silence), real
 * processes whose peak RSS stays bounded, and relays waiting on a token endpoint that never
 * answers: the first gives up, the lock goes, every client gets a readable MCP error.
 */
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { discoverAuthorizationServerMetadata } from "@modelcontextprotocol/client";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import {
  OAUTH_MAX_BYTES,
  OAUTH_TIMEOUT_MS,
  OAuthHttpError,
  oauthFetch,
  oauthTimeoutMs,
} from "../../src/core/oauth/oauth-fetch.js";
import { startOAuthFixture } from "../fixtures/oauth/oauth-server.js";
import { createFakeMachine, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { type HostileServer, type Hostility, startHostileServer } from "../helpers/hostile-http.js";
import { BROWSER } from "../helpers/oauth.js";
import {
  echo,
  loggedIn,
  loginPath,
  session,
  startSilentServer,
  stored,
  storedOrNull,
  untilExpired,
} from "../helpers/oauth-relays.js";
import { runMeasured } from "../helpers/peak-rss.js";

// login and status run in this process (test/helpers/in-process.ts); the relays, and each run whose
// peak memory is measured, are processes of the built binary.
runInProcessByDefault();

const MiB = 1024 * 1024;
/**
 * A relay, `login` or `sync` on an ordinary run peaks well under 120 MiB; reading up to the 1 MiB
 * limit adds little. Past this, the answer was not bounded.
 */
const BOUND_MiB = 160;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const servers = new Map<Hostility, HostileServer>();
beforeAll(async () => {
  for (const kind of ["endless", "gzip", "deflate", "br"] as const)
    servers.set(kind, await startHostileServer(kind));
});
afterAll(async () => {
  for (const s of servers.values()) await s.close();
});

test("the limits stated in docs/remote-servers.md; MCP_TWIN_OAUTH_TIMEOUT sets login's and renewals'", () => {
  expect(OAUTH_MAX_BYTES).toBe(MiB);
  expect(OAUTH_TIMEOUT_MS).toBe(15_000);
  expect(oauthTimeoutMs({})).toBe(15_000);
  expect(oauthTimeoutMs({ MCP_TWIN_OAUTH_TIMEOUT: "2" })).toBe(2_000);
  expect(oauthTimeoutMs({ MCP_TWIN_OAUTH_TIMEOUT: "0" })).toBe(15_000);
  expect(oauthTimeoutMs({ MCP_TWIN_OAUTH_TIMEOUT: "soon" })).toBe(15_000);
});

// The stalled providers below are waited out within this limit rather than the default 15 s (the
// default itself: the test above); each run is given it as a user would set it.
const STALL = { MCP_TWIN_OAUTH_TIMEOUT: "2" };

describe("an OAuth request reads at most 1 MiB of decoded answer (the SDK's own discovery, through it)", () => {
  test.each(["endless", "gzip", "deflate", "br"] as const)("%s", async (kind) => {
    const server = servers.get(kind)!;
    const before = server.sent();
    const fetchFn = oauthFetch();
    const error = await discoverAuthorizationServerMetadata(server.url, { fetchFn }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuthHttpError);
    expect((error as OAuthHttpError).message).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-authorization-server sent an answer larger than 1 MiB$/,
    );
    const sent = server.sent() - before;
    if (kind === "endless") expect(sent).toBeLessThan(32 * MiB);
    else expect(sent).toBeLessThan(4 * MiB); // 4 GiB on offer
    // The step is over: the next request of it fails the same way, without asking again.
    await expect(fetchFn(`${server.url}/again`)).rejects.toBe(error);
    expect(server.sent() - before).toBe(sent);
  });
});

test("an OAuth request that gets no answer ends within its time limit, and so does one whose body stalls", async () => {
  const silent = await startSilentServer();
  cleanups.push(() => silent.close());
  const error = await oauthFetch({ timeoutMs: 300 })(`${silent.url}/token?x=1`).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OAuthHttpError);
  expect((error as Error).message).toBe(`${silent.url}/token did not answer within 300 ms`);

  const endless = servers.get("endless")!;
  const slowly = oauthFetch({ timeoutMs: 300, maxBytes: Number.MAX_SAFE_INTEGER });
  const response = await slowly(endless.url);
  await expect(response.text()).rejects.toThrow(`${endless.url}/ did not answer within 300 ms`);
});

test("a decent answer passes whole: status, headers, JSON", async () => {
  const fx = await startOAuthFixture();
  cleanups.push(() => fx.close());
  const r = await oauthFetch()(`${fx.issuer}/.well-known/oauth-authorization-server`);
  expect(r.status).toBe(200);
  expect(r.headers.get("content-type")).toBe("application/json");
  expect(((await r.json()) as { issuer: string }).issuer).toBe(fx.issuer);
});

describe("a relay renewing against a token endpoint that floods: a readable error, memory bounded", () => {
  test.each(["endless", "gzip"] as const)("%s", async (kind) => {
    const { fx, m } = await loggedIn(cleanups, { accessTtl: 3600 });
    // The provider's token endpoint is now a hostile one, and the token is due.
    const login = stored(m);
    login.metadata.token_endpoint = `${servers.get(kind)!.url}/token`;
    login.expiresAt = Date.now() - 1000;
    writeFileSync(loginPath(m), JSON.stringify(login));
    const r = await runMeasured(["connect", fx.url, "--auth", "docs"], m.env, {
      killAboveMiB: 2 * BOUND_MiB,
    });
    expect(r.killed, `killed at ${r.peakMiB} MiB: the answer was read without bound`).toBe(false);
    expect(r.peakMiB).toBeGreaterThan(0);
    expect(r.peakMiB).toBeLessThan(BOUND_MiB);
    expect(r.stderr).toMatch(
      /The login to docs cannot be renewed \(http:\/\/127\.0\.0\.1:\d+\/token sent an answer larger than 1 MiB; its refresh token may have been used, so it is not sent again\): run `mcp-twin login docs`\./,
    );
    expect(stored(m).failure).toMatchObject({ revoked: true, spent: true });
  });
});

describe("login against a server whose metadata floods: exit 1, what happened, memory bounded", () => {
  test.each(["endless", "gzip"] as const)("%s", async (kind) => {
    const m = createFakeMachine({ kind: "linux" });
    cleanups.push(() => m.cleanup());
    const url = `${servers.get(kind)!.url}/mcp`;
    writeManifest(m, { servers: { docs: { url, auth: "oauth" } } });
    const r = await runMeasured(["login", "docs"], { ...m.env, BROWSER }, { killAboveMiB: 2 * BOUND_MiB });
    expect(r.killed, `killed at ${r.peakMiB} MiB: the answer was read without bound`).toBe(false);
    expect(r.peakMiB).toBeLessThan(BOUND_MiB);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Cannot find how to log in to docs \(.*\): http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp sent an answer larger than 1 MiB\./,
    );
    expect(r.stderr).toContain("Nothing was stored.");
    expect(existsSync(path.join(m.paths.home, "oauth", "docs.json"))).toBe(false);
  });
});

describe("doctor's handshake with a remote whose answer never ends: memory bounded, said as too large", () => {
  test("endless", async () => {
    const m = createFakeMachine({ kind: "linux" });
    cleanups.push(() => m.cleanup());
    writeManifest(m, { servers: { docs: { url: `${servers.get("endless")!.url}/mcp` } } });
    expect((await runMeasured(["sync"], m.env, { killAboveMiB: 2 * BOUND_MiB })).code).toBe(0);
    const r = await runMeasured(["doctor", "--json"], m.env, { killAboveMiB: 2 * BOUND_MiB });
    expect(r.killed, `killed at ${r.peakMiB} MiB: the answer was read without bound`).toBe(false);
    expect(r.peakMiB).toBeLessThan(BOUND_MiB);
    expect(r.stdout).toContain("larger than the 16 MiB limit");
  });
});

describe("sync asking a remote whether it needs a login, whose metadata floods: memory bounded", () => {
  test.each(["endless", "gzip"] as const)("%s", async (kind) => {
    const m = createFakeMachine({ kind: "linux" });
    cleanups.push(() => m.cleanup());
    writeManifest(m, { servers: { docs: { url: `${servers.get(kind)!.url}/mcp` } } });
    const r = await runMeasured(["sync"], m.env, { killAboveMiB: 2 * BOUND_MiB });
    expect(r.killed, `killed at ${r.peakMiB} MiB: the answer was read without bound`).toBe(false);
    expect(r.peakMiB).toBeLessThan(BOUND_MiB);
    expect(r.code, r.stderr).toBe(0);
  });
});

test("registration that floods and a code exchange that never answers: each ends the login with what happened; nothing stored", async () => {
  const gzip = servers.get("gzip")!;
  const flood = await startOAuthFixture({ endpoints: { registration: `${gzip.url}/register` } });
  cleanups.push(() => flood.close());
  const m = createFakeMachine({ kind: "linux" });
  cleanups.push(() => m.cleanup());
  writeManifest(m, { servers: { docs: { url: flood.url } } });
  const r = await runMeasured(["login", "docs"], { ...m.env, BROWSER }, { killAboveMiB: 2 * BOUND_MiB });
  expect(r.killed, `killed at ${r.peakMiB} MiB`).toBe(false);
  expect(r.peakMiB).toBeLessThan(BOUND_MiB);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(
    /refused to register mcp-twin as a client of docs: http:\/\/127\.0\.0\.1:\d+\/register sent an answer larger than 1 MiB\./,
  );

  const silent = await startSilentServer();
  cleanups.push(() => silent.close());
  const stall = await startOAuthFixture({ endpoints: { token: `${silent.url}/token` } });
  cleanups.push(() => stall.close());
  writeManifest(m, { servers: { docs: { url: stall.url } } });
  const started = Date.now();
  const again = await m.run(["login", "docs"], { env: { BROWSER, ...STALL } });
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(
    /did not give tokens for the login to docs: http:\/\/127\.0\.0\.1:\d+\/token did not answer within 2 s\./,
  );
  expect(again.stderr).toContain("Nothing was stored.");
  expect(silent.requests()).toBe(1);
  expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
  expect(storedOrNull(m)).toBeNull();
}, 60_000);

test("a token endpoint that never answers, four relays renewing at once: the first gives up after its limit and lets the lock go; every client gets a readable MCP error, no refresh token goes twice", async () => {
  const { fx, m } = await loggedIn(cleanups, { accessTtl: 2 });
  const relays = await Promise.all([1, 2, 3, 4].map(() => session(cleanups, fx, m, STALL)));
  for (const [i, r] of relays.entries()) expect(await echo(r.client, `hello ${i}`)).toBe(`hello ${i}`);
  fx.holdRefresh = () => new Promise<void>(() => {});
  const before = fx.stats.refreshRequests;
  await untilExpired(m);
  const started = Date.now();
  const outcomes = await Promise.all(
    relays.map((r, i) =>
      echo(r.client, `late ${i}`).then(
        () => ({ error: "", ms: Date.now() - started }),
        (e: Error) => ({ error: e.message, ms: Date.now() - started }),
      ),
    ),
  );
  const said =
    /The login to docs cannot be renewed \(http:\/\/127\.0\.0\.1:\d+\/token did not answer within 2 s; its refresh token may have been used, so it is not sent again\): run `mcp-twin login docs`\./;
  for (const o of outcomes) {
    expect(o.error).toMatch(said);
    // Not the lock's 60 s: the holder's 2 s, and the others right after it.
    expect(o.ms).toBeLessThan(40_000);
  }
  expect(fx.stats.refreshRequests - before).toBe(1);
  expect(fx.stats.resent).toBe(0);
  expect(existsSync(path.join(m.paths.home, "oauth", "docs.lock"))).toBe(false);
  for (const r of relays) expect(r.stderr()).toContain("run `mcp-twin login docs`");
  const status = await m.run(["status"]);
  expect(status.stdout).toMatch(
    /✖ docs: renewing the login fails \(.*did not answer within 2 s.*\): run `mcp-twin login docs`/,
  );
}, 120_000);
