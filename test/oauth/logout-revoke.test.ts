/**
 * `logout` revokes the login at its provider (RFC 7009) where the authorization server advertises a
 * revocation endpoint, and says plainly when only the local copy was forgotten: a provider with no
 * endpoint, one that refuses, floods or never answers (each request bounded: 1 MiB, 15 s), or an
 * endpoint the rule refuses (nothing sent). No output holds a token.
 */
import { existsSync, writeFileSync } from "node:fs";
import http from "node:http";
import { afterEach, expect, test } from "vitest";
import type { OAuthFixture } from "../fixtures/oauth/oauth-server.js";
import { runInProcessByDefault } from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";
import { loggedIn, loginPath, startSilentServer, stored } from "../helpers/oauth-relays.js";

runInProcessByDefault();

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Does the protected MCP server take this access token? */
async function accepted(fx: OAuthFixture, token: string): Promise<boolean> {
  const r = await fetch(fx.url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } },
    }),
  });
  await r.body?.cancel();
  return r.status === 200;
}

const tokensOf = (login: ReturnType<typeof stored>) => [
  login.tokens.access_token,
  login.tokens.refresh_token,
];

test("a provider with a revocation endpoint: logout revokes the login there, then forgets it", async () => {
  const { fx, m } = await loggedIn(cleanups);
  const login = stored(m);
  expect(await accepted(fx, login.tokens.access_token)).toBe(true);
  const dry = await m.run(["logout", "docs", "--dry-run"]);
  expect(dry.stdout).toContain("Would revoke the login to docs at its provider, then forget it");
  expect(fx.stats.revocations).toBe(0);

  const r = await m.run(["logout", "docs"]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(
    "✔ Logged out of docs: its provider revoked the login, and its tokens are gone from",
  );
  // The refresh token first (it ends the grant), then the access token; as a public client.
  expect(fx.stats.revokedHints).toEqual(["refresh_token", "access_token"]);
  expect(fx.stats.lastRevokeAuth).toBe("none");
  expect(fx.revoked(login.tokens.refresh_token)).toBe(true);
  expect(await accepted(fx, login.tokens.access_token)).toBe(false);
  expect(existsSync(loginPath(m))).toBe(false);
  for (const t of tokensOf(login)) expect(r.stdout + r.stderr).not.toContain(t);
}, 60_000);

test("--json says what the provider was told", async () => {
  const { fx, m } = await loggedIn(cleanups);
  const r = await m.run(["logout", "docs", "--json"]);
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ server: "docs", loggedOut: true, revocation: "revoked" });
  expect(fx.stats.revocations).toBe(2);
}, 60_000);

test("a provider with no revocation endpoint: only the local copy is forgotten, and logout says so", async () => {
  const { fx, m } = await loggedIn(cleanups, { revocation: false });
  const login = stored(m);
  const dry = await m.run(["logout", "docs", "--dry-run"]);
  expect(dry.stdout).toContain("its provider offers no way to revoke it, so it would not be told");
  const r = await m.run(["logout", "docs"]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(
    `✔ Forgot the login to docs: its tokens are gone from ${loginPath(m)}. Only this copy was forgotten: its provider offers no way to revoke a login (no revocation endpoint). The tokens it issued stay valid until they expire; to end them sooner, revoke mcp-twin's access at the provider (${fx.issuer}).`,
  );
  expect(r.stdout).not.toContain("Logged out");
  // What it said is so: the provider still takes the token.
  expect(await accepted(fx, login.tokens.access_token)).toBe(true);
  expect(existsSync(loginPath(m))).toBe(false);
  const j = await (await loggedIn(cleanups, { revocation: false })).m.run(["logout", "docs", "--json"]);
  expect(JSON.parse(j.stdout)).toMatchObject({ loggedOut: true, revocation: "not-offered" });
}, 60_000);

/** A revocation endpoint that answers 400 with a body that never ends. */
async function floodingEndpoint(): Promise<string> {
  const port = await freePort();
  const server = http.createServer((_req, res) => {
    res.writeHead(400, { "content-type": "application/json" });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const fill = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once("drain", fill);
    };
    res.on("error", () => {});
    fill();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${port}/revoke`;
}

/** The stored login's provider now names `endpoint` for revocations. */
function revokeAt(m: Parameters<typeof stored>[0], endpoint: string): ReturnType<typeof stored> {
  const login = stored(m);
  login.metadata.revocation_endpoint = endpoint;
  writeFileSync(loginPath(m), JSON.stringify(login));
  return login;
}

test("a revocation endpoint that floods, or that the rule refuses: the answer is bounded, the local copy forgotten, said plainly (exit 1)", async () => {
  const { m } = await loggedIn(cleanups);
  const login = revokeAt(m, await floodingEndpoint());
  const r = await m.run(["logout", "docs"]);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(
    /▲ Forgot the login to docs \(its tokens are gone from .*\), but its provider could not revoke it: http:\/\/127\.0\.0\.1:\d+\/revoke sent an answer larger than 1 MiB\. The tokens it issued stay valid until they expire/,
  );
  expect(existsSync(loginPath(m))).toBe(false);
  for (const t of tokensOf(login)) expect(r.stdout + r.stderr).not.toContain(t);

  // Plain http to another host would carry the tokens in clear: refused, nothing sent.
  const again = await loggedIn(cleanups);
  revokeAt(again.m, "http://revoke.example.invalid/revoke");
  const refused = await again.m.run(["logout", "docs", "--json"]);
  expect(refused.code).toBe(1);
  const doc = JSON.parse(refused.stdout);
  expect(doc).toMatchObject({ loggedOut: true, revocation: "failed" });
  expect(doc.error).toContain("it is plain http to revoke.example.invalid, which is not this machine");
  expect(doc.error).toContain("nothing was sent there");
}, 60_000);

test("a revocation endpoint that never answers: logout ends within its limit (MCP_TWIN_OAUTH_TIMEOUT, 2 s here; 15 s by default)", async () => {
  const { m } = await loggedIn(cleanups);
  const silent = await startSilentServer();
  cleanups.push(() => silent.close());
  revokeAt(m, `${silent.url}/revoke`);
  const r = await m.run(["logout", "docs"], { env: { MCP_TWIN_OAUTH_TIMEOUT: "2" } });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain(
    `but its provider could not revoke it: ${silent.url}/revoke did not answer within 2 s.`,
  );
  expect(silent.requests()).toBe(1);
  expect(existsSync(loginPath(m))).toBe(false);
}, 60_000);

test("a provider that revokes only refresh tokens (RFC 7009 §2.2.1): its unsupported_token_type for the access token is no failure", async () => {
  const { m } = await loggedIn(cleanups);
  const hints: string[] = [];
  const port = await freePort();
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const hint = new URLSearchParams(body).get("token_type_hint") ?? "";
      hints.push(hint);
      if (hint === "refresh_token") return res.writeHead(200).end();
      res.writeHead(400, { "content-type": "application/json" }).end('{"error":"unsupported_token_type"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  revokeAt(m, `http://127.0.0.1:${port}/revoke`);
  const r = await m.run(["logout", "docs", "--json"]);
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ loggedOut: true, revocation: "revoked" });
  expect(hints).toEqual(["refresh_token", "access_token"]);
}, 60_000);
