/**
 * A provider cannot run a command or read a variable through the login page's address: every
 * endpoint it names is https, or plain http to this machine, checked before use and refused naming
 * it and why; the address a browser launcher gets is one no shell or cmd.exe reads as syntax. Pure
 * rules, then logins against the real OAuth fixture on loopback naming hostile endpoints, on a fake
 * Linux machine (`BROWSER`), a fake WSL machine and a fake Windows machine (their cmd.exe and
 * PowerShell stand-ins read quotes, `%VAR%`, `&` and `^` as the real ones do).
 */
import { lookup } from "node:dns/promises";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { launcherUrl } from "../../src/core/oauth/browser.js";
import {
  checkMetadata,
  endpointProblem,
  guardedFetch,
  isLoopbackHost,
} from "../../src/core/oauth/endpoints.js";
import { refreshLogin } from "../../src/core/oauth/refresh.js";
import { readLogin, renewalFile, type StoredLogin, saveLogin } from "../../src/core/oauth/token-store.js";
import { type OAuthFixtureOptions, startOAuthFixture } from "../fixtures/oauth/oauth-server.js";
import { createFakeMachine, runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { BROWSER, BROWSER_SCRIPT } from "../helpers/oauth.js";

runInProcessByDefault();

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

test("loopback is 127.0.0.0/8, ::1 and the name localhost; nothing else", () => {
  for (const host of ["127.0.0.1", "127.8.9.10", "localhost", "[::1]", "[::ffff:7f00:1]"])
    expect(isLoopbackHost(host), host).toBe(true);
  for (const host of ["128.0.0.1", "10.0.0.1", "localhost.", "a.localhost", "vm", "[::2]", "[::ffff:a00:1]"])
    expect(isLoopbackHost(host), host).toBe(false);
  expect(isLoopbackHost(new URL("http://0x7f.1/").hostname)).toBe(true);
});

test("an endpoint is https, or plain http to this machine; anything else says why", () => {
  expect(endpointProblem("https://as.example/token")).toBeUndefined();
  expect(endpointProblem("http://127.0.0.1:8080/token")).toBeUndefined();
  expect(endpointProblem("http://localhost/authorize")).toBeUndefined();
  expect(endpointProblem('ms-x:a"&calc&"')).toBe("its scheme is ms-x:, not https:");
  expect(endpointProblem("file:///usr/bin/id?x")).toBe("its scheme is file:, not https:");
  expect(endpointProblem("javascript:alert(1)")).toBe("its scheme is javascript:, not https:");
  expect(endpointProblem("http://as.example/token", "the code")).toBe(
    "it is plain http to as.example, which is not this machine: the code would cross the network unencrypted",
  );
  expect(endpointProblem('https://a"&calc&"b.example/')).toBe(
    "its host name holds characters no host name has",
  );
  expect(endpointProblem("https://user:pw@as.example/")).toBe("it carries a user name or password");
  expect(endpointProblem("not a url")).toBe("that is not a URL");
  expect(endpointProblem(undefined)).toBe("that is not a URL");
});

test("the metadata: issuer, authorization, token, registration and revocation endpoints each checked", () => {
  const good = {
    issuer: "https://as.example",
    authorization_endpoint: "https://as.example/authorize",
    token_endpoint: "https://as.example/token",
    response_types_supported: ["code"],
  };
  expect(() => checkMetadata("docs", good)).not.toThrow();
  for (const [field, label] of [
    ["issuer", "its issuer"],
    ["authorization_endpoint", "its authorization endpoint"],
    ["token_endpoint", "its token endpoint"],
    ["registration_endpoint", "its registration endpoint"],
    ["revocation_endpoint", "its revocation endpoint"],
  ] as const) {
    expect(() => checkMetadata("docs", { ...good, [field]: "http://as.example/x" }), field).toThrow(
      `names ${label} (${field}) http://as.example/x: it is plain http to as.example, which is not this machine`,
    );
  }
  expect(() => checkMetadata("docs", { ...good, token_endpoint: undefined as never })).toThrow(
    "names its token endpoint (token_endpoint) undefined: that is not a URL",
  );
});

test("every request of a login goes through the rule, and no redirect is followed behind it", async () => {
  const asked: Array<[string, RequestInit | undefined]> = [];
  const inner = async (url: string | URL, init?: RequestInit) => {
    asked.push([String(url), init]);
    return new Response("{}");
  };
  const guarded = guardedFetch(inner, "docs");
  await guarded("https://as.example/.well-known/oauth-authorization-server", { method: "GET" });
  await expect(guarded("http://as.example/token", { method: "POST", body: "code=c" })).rejects.toThrow(
    "The login to docs was to reach http://as.example/token: it is plain http to as.example",
  );
  expect(asked).toEqual([
    ["https://as.example/.well-known/oauth-authorization-server", { method: "GET", redirect: "manual" }],
  ]);
});

test("the address a launcher gets: nothing cmd, PowerShell or a shell could read, the same address for the browser", () => {
  const ok =
    "https://as.example/authorize?response_type=code&client_id=c_1-2.3~4&redirect_uri=http%3A%2F%2F127.0.0.1%3A5%2Fcallback&scope=a+b#top";
  expect(launcherUrl(ok)).toBe(ok);
  expect(launcherUrl("https://evil.example/%USERPROFILE%/x%41")).toBe(
    "https://evil.example/%25USERPROFILE%25/x%41",
  );
  const hostile = launcherUrl("https://as.example/a\"b'c^d!e$f;g*h(i)j`k{l}m|n\\o<p> q?x=%%&y=é#a#b");
  expect(hostile).toBe(
    "https://as.example/a%22b%27c%5Ed%21e%24f%3Bg%2Ah%28i%29j%60k%7Bl%7Dm%7Cn/o%3Cp%3E%20q?x=%25%25&y=%C3%A9#a%23b",
  );
  expect(hostile).toMatch(/^[A-Za-z0-9\-._~/?=&+:@,%#]+$/);
  expect(new URL(hostile).searchParams.get("y")).toBe("é");
  expect(launcherUrl("https://bücher.example/")).toBe("https://xn--bcher-kva.example/");
  for (const bad of [
    'ms-x:a"&calc&"',
    "file:///usr/bin/id?x",
    'https://a"&calc&"b.example/',
    "http://as.example/",
  ])
    expect(() => launcherUrl(bad), bad).toThrow("The login page's address was not opened");
});

/** The fixture with a hostile authorization endpoint, a manifest naming it, on a fresh fake machine. */
async function hostileLogin(kind: "linux" | "wsl" | "windows", options: OAuthFixtureOptions) {
  const fx = await startOAuthFixture(options);
  cleanups.push(() => fx.close());
  const m = createFakeMachine({ kind });
  cleanups.push(() => m.cleanup());
  writeManifest(m, { servers: { docs: { url: fx.url } } });
  return { fx, m, file: path.join(kind === "linux" ? m.paths.home : m.paths.appdata, "oauth", "docs.json") };
}

const CALC = { metadata: () => ({ authorization_endpoint: 'ms-x:a"&calc&"' }) };

test.each(["wsl", "windows"] as const)(
  '%s: an authorization endpoint ms-x:a"&calc&" is refused before anything starts; cmd runs no second command',
  async (kind) => {
    const { fx, m, file } = await hostileLogin(kind, CALC);
    const r = await m.run(["login", "docs"], { env: { FAKE_WINDOWS_BROWSER: BROWSER_SCRIPT } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `names its authorization endpoint (authorization_endpoint) ms-x:a"&calc&": its scheme is ms-x:, not https:. mcp-twin logs in only over https, or over plain http to this machine (127.0.0.0/8, ::1, localhost); nothing was sent there.`,
    );
    expect(
      m.interopCalls().filter((l) => /\t(browser|cmd-chained)\t|Start-Process|\tstart\b/.test(l)),
    ).toEqual([]);
    expect(fx.stats.registrations).toBe(0);
    expect(existsSync(file)).toBe(false);
  },
  30_000,
);

test("inside WSL: an address full of cmd's syntax reaches the browser whole, %USERPROFILE% unexpanded, and the login completes", async () => {
  const { fx, m } = await hostileLogin("wsl", {
    metadata: ({ auth }) => ({
      authorization_endpoint: `${auth}/authorize/%USERPROFILE%/"&calc&"^!x!'$(id)`,
    }),
  });
  const r = await m.run(["login", "docs"], { env: { FAKE_WINDOWS_BROWSER: BROWSER_SCRIPT } });
  expect(r.code, r.stderr).toBe(0);
  const calls = m.interopCalls();
  const opened = calls.find((l) => l.includes("\tbrowser\t"))!.split("\t")[2]!;
  expect(
    opened.startsWith(`${fx.issuer}/authorize/%25USERPROFILE%25/%22&calc&%22%5E%21x%21%27%24%28id%29?`),
  ).toBe(true);
  expect(new URL(opened).searchParams.get("resource")).toBe(fx.url);
  expect(fx.stats.lastAuthorize?.resource).toBe(fx.url);
  expect(calls.filter((l) => l.includes("\tcmd-chained\t"))).toEqual([]);
  expect(opened).not.toContain("C:\\Users");
  expect(calls.filter((l) => /\tcmd\.exe\t.*\bstart\b/.test(l))).toEqual([]);
  expect(fx.stats.codeExchanges).toBe(1);
});

test("on Linux: file:///usr/bin/id never reaches BROWSER", async () => {
  const { fx, m, file } = await hostileLogin("linux", {
    metadata: () => ({ authorization_endpoint: "file:///usr/bin/id?x=1" }),
  });
  const log = path.join(m.root, "browser.log");
  const r = await m.run(["login", "docs"], { env: { BROWSER, OAUTH_BROWSER_LOG: log }, input: "" });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(
    "names its authorization endpoint (authorization_endpoint) file:///usr/bin/id?x=1: its scheme is file:, not https:",
  );
  expect(existsSync(log) ? readFileSync(log, "utf8") : "").toBe("");
  expect(fx.stats.registrations).toBe(0);
  expect(existsSync(file)).toBe(false);
});

test("the resource metadata's authorization server, and the 401's resource metadata address, are checked before they are fetched", async () => {
  const named = await hostileLogin("linux", {
    resourceMetadata: () => ({ authorization_servers: ["file:///etc/passwd"] }),
  });
  const r = await named.m.run(["login", "docs"], { env: { BROWSER }, input: "" });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(
    `docs (${named.fx.url}) names its authorization server (authorization_servers) file:///etc/passwd: its scheme is file:, not https:`,
  );
  expect(named.fx.stats.registrations).toBe(0);

  const hinted = await hostileLogin("linux", { resourceMetadataUrl: "http://192.0.2.1/.well-known/x" });
  const h = await hinted.m.run(["login", "docs"], { env: { BROWSER }, input: "" });
  expect(h.code).toBe(1);
  expect(h.stderr).toContain(
    `docs (${hinted.fx.url}) names its resource metadata (in its 401) http://192.0.2.1/.well-known/x: it is plain http to 192.0.2.1, which is not this machine.`,
  );
  expect(hinted.fx.stats.registrations).toBe(0);
});

/**
 * A name of this machine that is not a loopback name: its host name (which often resolves to
 * 127.0.x.1), else the address of an interface that is not loopback. Where it resolves to.
 */
async function notALoopbackName(): Promise<{ host: string; address: string }> {
  const host = os.hostname().toLowerCase();
  const resolved = await lookup(host, { family: 4 }).catch(() => undefined);
  if (resolved && host !== "localhost" && !/^127\./.test(host)) return { host, address: resolved.address };
  const nic = Object.values(os.networkInterfaces())
    .flat()
    .find((n) => n?.family === "IPv4" && !n.internal);
  if (!nic)
    throw new Error("this machine has neither a resolvable host name nor an interface besides loopback");
  return { host: nic.address, address: nic.address };
}

test("a token endpoint on plain http to another host is refused before the login starts: nothing goes there in clear", async () => {
  const { host, address } = await notALoopbackName();
  const captured: string[] = [];
  const captor = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString();
    });
    req.on("end", () => {
      captured.push(`${req.method} ${req.url} ${body}`);
      res.writeHead(400, { "content-type": "application/json" }).end('{"error":"invalid_request"}');
    });
  });
  await new Promise<void>((resolve) => captor.listen(0, address, resolve));
  cleanups.push(() => new Promise((resolve) => captor.close(resolve)));
  const port = (captor.address() as AddressInfo).port;
  const token = `http://${host}:${port}/token`;
  const { fx, m, file } = await hostileLogin("linux", { metadata: () => ({ token_endpoint: token }) });
  const r = await m.run(["login", "docs"], { env: { BROWSER }, input: "" });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(
    `names its token endpoint (token_endpoint) ${token}: it is plain http to ${host}:${port}, which is not this machine: the code, the PKCE verifier, the client id and the tokens would cross the network unencrypted.`,
  );
  expect(captured).toEqual([]);
  expect(fx.stats).toMatchObject({ registrations: 0, authorizations: 0, codeExchanges: 0 });
  expect(existsSync(file)).toBe(false);
});

test("a login stored before the rule, whose token endpoint is plain http to another host, is never refreshed there: refused before its refresh token is recorded or sent", async () => {
  const { host, address } = await notALoopbackName();
  const captured: string[] = [];
  const captor = createServer((req, res) => {
    captured.push(`${req.method} ${req.url}`);
    res.writeHead(400, { "content-type": "application/json" }).end('{"error":"invalid_grant"}');
  });
  await new Promise<void>((resolve) => captor.listen(0, address, resolve));
  cleanups.push(() => new Promise((resolve) => captor.close(resolve)));
  const port = (captor.address() as AddressInfo).port;
  const oauthDir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-oauth-"));
  cleanups.push(() => rmSync(oauthDir, { recursive: true, force: true }));
  const token = `http://${host}:${port}/token`;
  const stored: StoredLogin = {
    version: 1,
    server: "docs",
    url: "https://docs.example/mcp",
    authorizationServer: "https://as.example",
    metadata: {
      issuer: "https://as.example",
      authorization_endpoint: "https://as.example/a",
      token_endpoint: token,
      response_types_supported: ["code"],
    },
    client: { client_id: "c", source: "registered" },
    tokens: { access_token: "old-access", token_type: "Bearer", refresh_token: "the-refresh-token" },
    issuedAt: 0,
    expiresAt: 1,
  };
  await saveLogin(oauthDir, stored);
  const refreshing = refreshLogin({ oauthDir, server: "docs", url: stored.url, stale: "old-access" });
  await expect(refreshing).rejects.toThrow(`it is plain http to ${host}:${port}, which is not this machine`);
  expect(captured).toEqual([]);
  expect(existsSync(renewalFile(oauthDir, "docs"))).toBe(false);
  expect(readLogin(oauthDir, "docs")?.tokens.refresh_token).toBe("the-refresh-token");
});
