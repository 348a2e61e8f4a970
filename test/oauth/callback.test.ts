/**
 * The login's loopback callback cannot be aborted by another local program: the port and the state
 * are in the browser's command line, so a racer can hit the callback first — another path, another
 * method, no state, another state, no code — and gets a harmless page while the login goes on; the
 * browser's answer still completes it. A failure's reason is never empty. The real OAuth fixture on
 * loopback, a scripted browser that races itself first, real HTTP.
 */
import { readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { OAuthError } from "@modelcontextprotocol/client";
import { afterEach, expect, test } from "vitest";
import { checkResponse } from "../../src/core/oauth/authorize.js";
import { notTheAnswer } from "../../src/core/oauth/callback.js";
import { reason } from "../../src/core/oauth/discovery.js";
import { type OAuthFixtureOptions, startOAuthFixture } from "../fixtures/oauth/oauth-server.js";
import { createFakeMachine, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { BROWSER } from "../helpers/oauth.js";

runInProcessByDefault();

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: OAuthFixtureOptions = {}) {
  const fx = await startOAuthFixture(options);
  cleanups.push(() => fx.close());
  const m = createFakeMachine({ kind: "linux" });
  cleanups.push(() => m.cleanup());
  writeManifest(m, { servers: { docs: { url: fx.url } } });
  return { fx, m, file: path.join(m.paths.home, "oauth", "docs.json") };
}

test("which requests are the answer: the callback's path, GET, this login's state, a code or an error", () => {
  const at = (q: string, p = "/callback") => new URL(`http://127.0.0.1:5${p}${q}`);
  expect(notTheAnswer("GET", at("?code=c&state=s1"), "s1")).toBeUndefined();
  expect(notTheAnswer("GET", at("?error=access_denied&state=s1"), "s1")).toBeUndefined();
  expect(notTheAnswer("GET", at("?code=c&state=s1", "/"), "s1")).toBe("another address");
  expect(notTheAnswer("POST", at("?code=c&state=s1"), "s1")).toBe("another address");
  expect(notTheAnswer("GET", at("?code=c"), "s1")).toBe("no state");
  expect(notTheAnswer("GET", at("?code=c&state=s2"), "s1")).toBe("another login's state");
  expect(notTheAnswer("GET", at("?code=c&state=s"), "s1")).toBe("another login's state");
  expect(notTheAnswer("GET", at("?state=s1"), "s1")).toBe("no code");
  expect(notTheAnswer("GET", at("?code=&state=s1"), "s1")).toBe("no code");
});

test("a racer that hits the callback first is answered with a harmless page; the browser's answer completes the login", async () => {
  const { fx, m, file } = await setup();
  const raced = path.join(m.root, "race.txt");
  const r = await m.run(["login", "docs"], { env: { BROWSER, OAUTH_BROWSER_RACE: raced } });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain("✔ Logged in to docs");
  expect(r.stderr).toContain(
    "A request to the login's callback was ignored (another address); still waiting for the browser.",
  );
  expect(readFileSync(raced, "utf8").trim().split("\n")).toEqual([
    "404 GET /",
    "404 GET /favicon.ico",
    "404 GET /%ZZ",
    "400 GET /callback",
    "400 POST /callback?code=stolen&state=<state>",
    "400 GET /callback?code=stolen&state=forged",
    "400 GET /callback?code=stolen",
    "400 GET /callback?state=<state>",
    "400 GET /callback?error=access_denied",
    "400 GET /callback?error=&state=forged",
  ]);
  expect(fx.stats).toMatchObject({ authorizations: 1, codeExchanges: 1 });
  expect(statSync(file).isFile()).toBe(true);
});

test("a failure's reason is never empty: a nameless error, a blank one, an OAuth error without a description", async () => {
  const expect_ = { state: "s", issuer: "https://as.example", issAdvertised: false, server: "docs" };
  expect(() => checkResponse(new URLSearchParams("error=%20&state=s"), expect_)).toThrow(
    "The provider did not grant the login for docs: an error without a name.",
  );
  expect(() =>
    checkResponse(new URLSearchParams("error=%1B%5B2K&error_description=%0A&state=s"), expect_),
  ).toThrow("The provider did not grant the login for docs: \\x1B[2K.");
  expect(reason(new OAuthError("invalid_grant", ""))).toBe("invalid_grant (no description given)");
  // The SDK's error for `{"error":"invalid_grant"}`: the code stands in for the missing description.
  expect(reason(OAuthError.fromResponse({ error: "invalid_grant" }))).toBe(
    "invalid_grant (no description given)",
  );
  expect(reason(new Error(" "))).toBe("no reason given");

  // A token endpoint (on this machine) that answers the exchange with a bare error.
  const bare = createServer((req, res) => {
    req.resume();
    req.on("end", () =>
      res.writeHead(400, { "content-type": "application/json" }).end('{"error":"invalid_grant"}'),
    );
  });
  await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => bare.close(resolve)));
  const token = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/token`;
  const { m } = await setup({ metadata: () => ({ token_endpoint: token }) });
  const r = await m.run(["login", "docs"], { env: { BROWSER } });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(
    /did not give tokens for the login to docs: invalid_grant \(no description given\)\./,
  );
});
