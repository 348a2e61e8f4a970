/**
 * The relay with a login (`connect <url> --auth <server>`), as clients start it — real processes
 * against the OAuth fixture, whose tokens live a few seconds and whose refresh tokens rotate (a
 * reused one revokes the whole login): it sends the token and renews it; several relays renewing
 * at once send no refresh token twice and the login survives; a login that is missing, revoked at
 * the provider, or cannot be renewed (the provider is down) becomes an MCP error the client shows,
 * said on stderr too, and the relay ends.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
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
} from "../helpers/fake-machine.js";
import { BROWSER } from "../helpers/oauth.js";

// login and status run in this process (test/helpers/in-process.ts); every relay is a process of
// the built binary.
runInProcessByDefault();

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function loggedIn(options: OAuthFixtureOptions = {}): Promise<{ fx: OAuthFixture; m: FakeMachine }> {
  const fx = await startOAuthFixture(options);
  cleanups.push(() => fx.close());
  const m = createFakeMachine({ kind: "linux" });
  cleanups.push(() => m.cleanup());
  writeManifest(m, { servers: { docs: { url: fx.url } } });
  const r = await m.run(["login", "docs"], { env: { BROWSER } });
  expect(r.code, r.stderr).toBe(0);
  return { fx, m };
}

/** A client session through a relay, as Claude Desktop starts one. */
async function session(fx: OAuthFixture, m: FakeMachine): Promise<{ client: Client; stderr: () => string }> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "connect", fx.url, "--auth", "docs"],
    env: m.env,
    stderr: "pipe",
  });
  let err = "";
  transport.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const client = new Client({ name: "claude-desktop", version: "1.0.0" });
  cleanups.push(() => client.close());
  await client.connect(transport);
  return { client, stderr: () => err };
}

const stored = (m: FakeMachine) =>
  JSON.parse(readFileSync(path.join(m.paths.home, "oauth", "docs.json"), "utf8")) as {
    tokens: { access_token: string; refresh_token: string };
    expiresAt: number;
    failure?: { revoked: boolean; message: string };
  };

/** Until the stored access token has expired (its lifetime is a few seconds). */
async function untilExpired(m: FakeMachine): Promise<void> {
  const { expiresAt } = stored(m);
  while (Date.now() <= expiresAt + 50) await new Promise((r) => setTimeout(r, 100));
}

const echo = async (client: Client, text: string) => {
  const r = await client.callTool({ name: "echo", arguments: { text } });
  return (r.content as Array<{ text: string }>)[0]?.text;
};

test("several relays renewing at once: one refresh, no refresh token sent twice, the login survives", async () => {
  const { fx, m } = await loggedIn({ accessTtl: 2 });
  const relays = await Promise.all([1, 2, 3, 4].map(() => session(fx, m)));
  for (const [i, r] of relays.entries()) expect(await echo(r.client, `hello ${i}`)).toBe(`hello ${i}`);
  const first = stored(m).tokens;
  for (let round = 0; round < 2; round++) {
    await untilExpired(m);
    const before = fx.stats.refreshes;
    // Every relay's next request finds the token expired (401) at the same moment.
    const answers = await Promise.all(relays.map((r, i) => echo(r.client, `round ${round} ${i}`)));
    expect(answers).toEqual(relays.map((_, i) => `round ${round} ${i}`));
    expect(fx.stats.refreshes - before).toBe(1);
  }
  expect(fx.stats.reuse).toBe(0);
  const now = stored(m).tokens;
  expect(now.refresh_token).not.toBe(first.refresh_token);
  for (const r of relays) {
    expect(r.stderr()).not.toContain(first.access_token);
    expect(r.stderr()).not.toContain(now.refresh_token);
  }
}, 60_000);

test("no login: the client gets an MCP error that says to run `mcp-twin login docs`, stderr says it, and the relay ends", async () => {
  const fx = await startOAuthFixture();
  cleanups.push(() => fx.close());
  const m = createFakeMachine({ kind: "linux" });
  cleanups.push(() => m.cleanup());
  writeManifest(m, { servers: { docs: { url: fx.url } } });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, "connect", fx.url, "--auth", "docs"],
    env: m.env,
    stderr: "pipe",
  });
  const client = new Client({ name: "claude-desktop", version: "1.0.0" });
  await expect(client.connect(transport)).rejects.toThrow(
    "Not logged in to docs: run `mcp-twin login docs`.",
  );
  await client.close();

  // As a process: the answer, the same words on stderr, and an orderly end (exit 1) once it is given.
  const child = spawn(process.execPath, [BIN, "connect", fx.url, "--auth", "docs"], { env: m.env });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  child.stdin.write(
    `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } })}\n`,
  );
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  expect(code).toBe(1);
  expect(JSON.parse(out.trim()).error.message).toBe("Not logged in to docs: run `mcp-twin login docs`.");
  expect(err).toContain("Not logged in to docs: run `mcp-twin login docs`.");
  expect(fx.stats.mcpRequests).toBe(0);
});

test("revoked at the provider: the relay says to log in again; status shows the failure; a new login works", async () => {
  const { fx, m } = await loggedIn({ accessTtl: 600 });
  const { client, stderr } = await session(fx, m);
  expect(await echo(client, "before")).toBe("before");
  fx.revokeAll();
  await expect(echo(client, "after")).rejects.toThrow(
    /The provider of docs refused to renew the login \(.*\): run `mcp-twin login docs`\./,
  );
  expect(stderr()).toContain("run `mcp-twin login docs`");
  expect(stored(m).failure).toMatchObject({ revoked: true });
  const status = await m.run(["status"]);
  expect(status.stdout).toMatch(/✖ docs: renewing the login fails \(.*\): run `mcp-twin login docs`/);
  expect((await m.run(["login", "docs"], { env: { BROWSER } })).code).toBe(0);
  const again = await session(fx, m);
  expect(await echo(again.client, "again")).toBe("again");
});

test("the provider is down: the relay says it cannot renew the login, and nothing is lost — once it answers, the login works", async () => {
  const { fx, m } = await loggedIn({ accessTtl: 2 });
  const { client } = await session(fx, m);
  expect(await echo(client, "up")).toBe("up");
  await fx.stopAuthServer();
  await untilExpired(m);
  await expect(echo(client, "down")).rejects.toThrow(
    /Cannot renew the login to docs: its provider at http:\/\/127\.0\.0\.1:\d+ cannot be reached \(connection refused\)\./,
  );
  expect(stored(m).failure).toMatchObject({ revoked: false });
  await fx.startAuthServer();
  const later = await session(fx, m);
  expect(await echo(later.client, "back")).toBe("back");
  expect(fx.stats.reuse).toBe(0);
  expect(stored(m).failure).toBeUndefined();
}, 60_000);
