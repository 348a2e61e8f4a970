/**
 * `mcp-twin login <server>` / `logout` against a real OAuth authorization server and protected MCP
 * server on loopback (test/fixtures/oauth), with a scripted browser through `BROWSER`: discovery,
 * dynamic registration, PKCE S256, `state` and `iss` checked, the RFC 8707 resource, the login
 * kept in the home (mode 0600) and never printed; a client id from the manifest, a Client ID
 * Metadata Document, and the refusals (no PKCE, no way to register, a forged iss, a denial).
 */
import { spawn } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import {
  type OAuthFixture,
  type OAuthFixtureOptions,
  startOAuthFixture,
} from "../fixtures/oauth/oauth-server.js";
import {
  BIN,
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { BROWSER, BROWSER_SCRIPT } from "../helpers/oauth.js";

runInProcessByDefault();

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  options: OAuthFixtureOptions = {},
  server: Record<string, unknown> = {},
): Promise<{ fx: OAuthFixture; m: FakeMachine; file: string }> {
  const fx = await startOAuthFixture(options);
  cleanups.push(() => fx.close());
  const m = createFakeMachine({ kind: "linux" });
  cleanups.push(() => m.cleanup());
  writeManifest(m, { servers: { docs: { url: fx.url, ...server } } });
  return { fx, m, file: path.join(m.paths.home, "oauth", "docs.json") };
}

test("login: discovery, registration, PKCE, state and iss, the resource; the login kept 0600 in the home and never shown", async () => {
  const { fx, m, file } = await setup({ accessTtl: 600 });
  const r = await m.run(["login", "docs"], { env: { BROWSER } });
  expect(r.stderr).toContain("Log in to docs in the browser");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/✔ Logged in to docs \(http:\/\/127\.0\.0\.1:\d+; scopes mcp:read mcp:write\)/);
  expect(fx.stats).toMatchObject({ registrations: 1, authorizations: 1, codeExchanges: 1 });
  expect(r.stdout).toContain("Run `mcp-twin sync` so that every client reaches docs with this login.");
  const asked = fx.stats.lastAuthorize!;
  expect(asked.code_challenge_method).toBe("S256");
  expect(asked.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(asked.state!.length).toBeGreaterThan(20);
  expect(asked.resource).toBe(fx.url);
  expect(asked.redirect_uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
  expect(fx.stats.lastToken).toMatchObject({ grant_type: "authorization_code", resource: fx.url });
  const login = JSON.parse(readFileSync(file, "utf8"));
  expect(login).toMatchObject({
    server: "docs",
    url: fx.url,
    resource: fx.url,
    client: { source: "registered" },
  });
  expect(login.tokens.access_token).toMatch(/^at_/);
  expect(login.tokens.refresh_token).toMatch(/^rt_/);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  for (const secret of [login.tokens.access_token, login.tokens.refresh_token])
    expect(r.stdout + r.stderr).not.toContain(secret);

  // --json: the facts, no token.
  const again = await m.run(["login", "docs", "--json"], { env: { BROWSER } });
  expect(again.code).toBe(0);
  const json = JSON.parse(again.stdout);
  expect(json).toMatchObject({ server: "docs", loggedIn: true, client: "registered", refreshable: true });
  // Logged in twice, synced never: the clients still lack the entry, so sync is still the next step.
  expect(json.syncNeeded).toBe(true);
  // The registration of the first login is used again where its redirect address is free again.
  expect(fx.stats.registrations).toBeLessThanOrEqual(2);
  const second = JSON.parse(readFileSync(file, "utf8"));
  expect(again.stdout + again.stderr).not.toContain(second.tokens.access_token);

  // Once every client has the relay's entry, a new login reaches them all with no sync.
  expect((await m.run(["sync"])).code).toBe(0);
  const synced = await m.run(["login", "docs"], { env: { BROWSER } });
  expect(synced.code).toBe(0);
  expect(synced.stdout).toContain("✔ Logged in to docs");
  expect(synced.stdout).not.toContain("mcp-twin sync");

  const out = await m.run(["logout", "docs"]);
  expect(out.code).toBe(0);
  expect(out.stdout).toContain("Logged out of docs");
  expect(() => statSync(file)).toThrow();
  const none = await m.run(["logout", "docs"]);
  expect(none.stdout).toContain("mcp-twin holds no login to docs");
});

test("a forged answer (wrong iss) and a denial are refused, and nothing is stored", async () => {
  const { fx, m, file } = await setup();
  // (An answer with another state is not the login's answer at all: test/oauth/callback.test.ts.)
  const iss = await m.run(["login", "docs"], { env: { BROWSER, OAUTH_BROWSER_TAMPER: "iss" } });
  expect(iss.code).toBe(1);
  expect(iss.stderr).toContain("comes from https://evil.example, not from");
  fx.consent = "deny";
  const denied = await m.run(["login", "docs"], { env: { BROWSER } });
  expect(denied.code).toBe(1);
  expect(denied.stderr).toContain(
    "The provider did not grant the login for docs: access_denied (The user said no)",
  );
  expect(fx.stats.codeExchanges).toBe(0);
  expect(() => statSync(file)).toThrow();
});

test("a server that advertises iss but sends another is refused (RFC 9207)", async () => {
  const { m, file } = await setup({ iss: "wrong" });
  const r = await m.run(["login", "docs"], { env: { BROWSER } });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("comes from https://evil.example");
  expect(() => statSync(file)).toThrow();
});

test("no PKCE advertised, or no way to register: refused with what to do; a client id from the manifest works", async () => {
  const noPkce = await setup({ pkce: false });
  const r = await noPkce.m.run(["login", "docs"], { env: { BROWSER } });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain("does not advertise PKCE S256");

  const closed = await setup({
    registration: false,
    clients: [{ id: "by-hand", secret: "s3cr3t-value-1234" }],
  });
  const refused = await closed.m.run(["login", "docs"], { env: { BROWSER } });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("lets no client register itself");
  expect(refused.stderr).toContain('"oauth": { "clientId": "…" } under servers.docs');
  writeManifest(closed.m, {
    servers: {
      docs: {
        url: closed.fx.url,
        auth: "oauth",
        oauth: { clientId: "by-hand", clientSecret: "${secret:DOCS_CLIENT_SECRET}" },
      },
    },
  });
  writeSecrets(closed.m, { DOCS_CLIENT_SECRET: "s3cr3t-value-1234" });
  const ok = await closed.m.run(["login", "docs"], { env: { BROWSER } });
  expect(ok.stderr).toBe(ok.stderr.replace("s3cr3t-value-1234", ""));
  expect(ok.code).toBe(0);
  expect(JSON.parse(readFileSync(closed.file, "utf8")).client).toMatchObject({
    client_id: "by-hand",
    source: "manifest",
  });
  expect(closed.fx.stats.registrations).toBe(0);
});

test("a Client ID Metadata Document is the client id where the server takes them", async () => {
  const doc = "https://mcp-twin.example/oauth/client.json";
  const { fx, m, file } = await setup(
    { metadataDocuments: true },
    { auth: "oauth", oauth: { clientMetadataUrl: doc } },
  );
  const r = await m.run(["login", "docs"], { env: { BROWSER } });
  expect(r.code).toBe(0);
  expect(fx.stats.registrations).toBe(0);
  expect(fx.stats.lastAuthorize?.client_id).toBe(doc);
  expect(JSON.parse(readFileSync(file, "utf8")).client).toMatchObject({
    client_id: doc,
    source: "metadata-document",
  });
});

test("--no-browser: the address is printed and the one the browser ended on is pasted back", async () => {
  const { fx, m, file } = await setup();
  const saved = path.join(m.root, "callback.txt");
  const child = spawn(process.execPath, [BIN, "login", "docs", "--no-browser"], {
    env: { ...m.env },
    cwd: m.paths.linuxHome,
    stdio: ["pipe", "pipe", "pipe"],
  });
  cleanups.push(() => child.kill());
  let stderr = "";
  let stdout = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  const url = await new Promise<string>((resolve) => {
    child.stderr.on("data", (d) => {
      stderr += d;
      const found = /(http:\/\/127\.0\.0\.1:\d+\/authorize\?\S+)\n/.exec(stderr);
      if (found) resolve(found[1]!);
    });
  });
  // The person opens it on another machine: the browser ends on an address this one must be given.
  await new Promise<void>((resolve, reject) => {
    const b = spawn(process.execPath, [BROWSER_SCRIPT, url], {
      env: { ...process.env, OAUTH_BROWSER_SAVE: saved },
    });
    b.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`browser exited ${code}`))));
  });
  child.stdin.write("not an address\n");
  child.stdin.write(`${readFileSync(saved, "utf8")}\n`);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  expect(stderr).toContain("paste here the address the browser ends on");
  expect(stderr).toContain("That is not an address starting with");
  expect(code).toBe(0);
  expect(stdout).toContain("Logged in to docs");
  expect(fx.stats.codeExchanges).toBe(1);
  expect(statSync(file).mode & 0o777).toBe(0o600);
});

test("inside WSL: Windows' default browser opens the whole address (through PowerShell, never cmd) and comes back to the login", async () => {
  const fx = await startOAuthFixture();
  cleanups.push(() => fx.close());
  const m = createFakeMachine({ kind: "wsl" });
  cleanups.push(() => m.cleanup());
  writeManifest(m, { servers: { docs: { url: fx.url } } });
  const r = await m.run(["login", "docs"], { env: { FAKE_WINDOWS_BROWSER: BROWSER_SCRIPT } });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain("opened through Windows' default browser");
  expect(m.interopCalls().filter((l) => /\tcmd\.exe\t.*\bstart\b/.test(l))).toEqual([]);
  const opened = m
    .interopCalls()
    .find((l) => l.includes("\tbrowser\t"))!
    .split("\t")[2]!;
  expect(opened).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/authorize\?response_type=code&client_id=.+&resource=/);
  expect(new URL(opened).searchParams.get("resource")).toBe(fx.url);
  // The login is in the home Windows and every WSL distro share.
  expect(statSync(path.join(m.paths.appdata, "mcp-twin", "oauth", "docs.json")).isFile()).toBe(true);
  expect(r.stdout).toContain("for every client on Windows and WSL");

  // With localhost forwarding off, a Windows browser cannot come back: the address is pasted.
  writeFileSync(path.join(m.paths.profile, ".wslconfig"), "[wsl2]\nlocalhostForwarding=false\n");
  const off = await m.run(["login", "docs"], { env: { FAKE_WINDOWS_BROWSER: BROWSER_SCRIPT }, input: "" });
  expect(off.stderr).toContain("WSL's localhost forwarding is off");
  expect(off.stderr).toContain("Open this address in a browser and log in to docs:");
});

test("on Windows: the default browser opens through PowerShell's Start-Process, the address whole", async () => {
  const fx = await startOAuthFixture();
  cleanups.push(() => fx.close());
  const m = createFakeMachine({ kind: "windows" });
  cleanups.push(() => m.cleanup());
  writeManifest(m, { servers: { docs: { url: fx.url } } });
  const r = await m.run(["login", "docs"], { env: { FAKE_WINDOWS_BROWSER: BROWSER_SCRIPT } });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain("opened through the default browser");
  const opened = m
    .interopCalls()
    .find((l) => l.includes("\tbrowser\t"))!
    .split("\t")[2]!;
  expect(new URL(opened).searchParams.get("resource")).toBe(fx.url);
  expect(statSync(path.join(m.paths.appdata, "mcp-twin", "oauth", "docs.json")).isFile()).toBe(true);
});
