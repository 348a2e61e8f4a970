/**
 * The pure parts of logging in: `BROWSER` as a command, PowerShell's encoded Start-Process, an
 * address pasted back, the authorization response's checks (state, RFC 9207 iss, errors), when a
 * token is due, and a login's state as reports show it.
 */
import { expect, test } from "vitest";
import { checkResponse } from "../../src/core/oauth/authorize.js";
import { browserCommand, encodedStartProcess } from "../../src/core/oauth/browser.js";
import { pastedResponse, portOf } from "../../src/core/oauth/callback.js";
import { loginState, refreshDue, type StoredLogin } from "../../src/core/oauth/token-store.js";

test("BROWSER: the URL last, or in place of %s; quoted words stay whole", () => {
  const url = "https://as.example/authorize?a=1&b=2";
  expect(browserCommand("firefox", url)).toEqual(["firefox", url]);
  expect(browserCommand('"/opt/My Browser/run" --new-tab', url)).toEqual([
    "/opt/My Browser/run",
    "--new-tab",
    url,
  ]);
  expect(browserCommand("chrome --app=%s", url)).toEqual(["chrome", `--app=${url}`]);
});

test("PowerShell gets the URL encoded, its quotes doubled", () => {
  const decoded = Buffer.from(encodedStartProcess("https://x/?q='a'&b"), "base64").toString("utf16le");
  expect(decoded).toBe("Start-Process 'https://x/?q=''a''&b'");
});

test("a pasted address: the whole redirected address or its query, and only this login's", () => {
  const redirect = "http://127.0.0.1:4567/callback";
  expect(pastedResponse(`${redirect}?code=c1&state=s1`, redirect)?.get("code")).toBe("c1");
  expect(pastedResponse("  ?code=c2&state=s2 ", redirect)?.get("state")).toBe("s2");
  expect(pastedResponse("code=c3&state=s3", redirect)?.get("code")).toBe("c3");
  expect(pastedResponse("http://127.0.0.1:9999/callback?code=x", redirect)).toBeUndefined();
  expect(pastedResponse("hello", redirect)).toBeUndefined();
  expect(portOf(["http://127.0.0.1:4567/callback"])).toBe(4567);
  expect(portOf(["https://elsewhere/cb"])).toBe(0);
});

test("the response: state must match, iss must be the issuer's (and present when promised), errors said", () => {
  const expect_ = { state: "s", issuer: "https://as.example", issAdvertised: true, server: "docs" };
  const p = (q: string) => new URLSearchParams(q);
  expect(checkResponse(p("code=c&state=s&iss=https%3A%2F%2Fas.example%2F"), expect_)).toBe("c");
  expect(() => checkResponse(p("code=c&state=s"), expect_)).toThrow("does not say which server sent it");
  expect(() => checkResponse(p("code=c&state=s&iss=https://evil"), expect_)).toThrow(
    "comes from https://evil",
  );
  expect(() => checkResponse(p("code=c&state=x&iss=https://as.example"), expect_)).toThrow(
    "does not carry the state",
  );
  expect(checkResponse(p("code=c&state=s"), { ...expect_, issAdvertised: false })).toBe("c");
  expect(() => checkResponse(p("error=access_denied&state=s&iss=https://as.example"), expect_)).toThrow(
    "did not grant the login for docs: access_denied",
  );
});

const login = (over: Partial<StoredLogin> = {}): StoredLogin => ({
  version: 1,
  server: "docs",
  url: "https://docs.example/mcp",
  authorizationServer: "https://as.example",
  metadata: {
    issuer: "https://as.example",
    authorization_endpoint: "x",
    token_endpoint: "y",
    response_types_supported: ["code"],
  },
  client: { client_id: "c", source: "registered" },
  tokens: { access_token: "at", token_type: "Bearer", refresh_token: "rt", scope: "read write" },
  issuedAt: 0,
  expiresAt: 3_600_000,
  ...over,
});

test("a token is due a quarter of its lifetime (at most a minute) before it expires", () => {
  expect(refreshDue(login(), 3_600_000 - 61_000)).toBe(false);
  expect(refreshDue(login(), 3_600_000 - 59_000)).toBe(true);
  expect(refreshDue(login({ expiresAt: 4000 }), 2999)).toBe(false);
  expect(refreshDue(login({ expiresAt: 4000 }), 3000)).toBe(true);
  expect(refreshDue(login({ expiresAt: undefined }), 1e12)).toBe(false);
});

test("a login's state: none, for another URL, ok (scopes), expired without a refresh token, failing", () => {
  const url = "https://docs.example/mcp";
  expect(loginState(undefined, url, 0)).toEqual({ state: "none" });
  expect(loginState(login(), "https://other.example/mcp", 0)).toMatchObject({ state: "other-url" });
  expect(loginState(login({ url: "https://docs.example:443/mcp" }), url, 0).state).toBe("ok");
  expect(loginState(login(), url, 0)).toEqual({
    state: "ok",
    expiresAt: 3_600_000,
    scopes: ["read", "write"],
    refreshable: true,
  });
  const noRefresh = login({ tokens: { access_token: "at", token_type: "Bearer" } });
  expect(loginState(noRefresh, url, 4_000_000)).toEqual({ state: "expired", expiresAt: 3_600_000 });
  expect(
    loginState(login({ failure: { at: 1, message: "invalid_grant", revoked: true } }), url, 0),
  ).toMatchObject({
    state: "failing",
    revoked: true,
  });
});
