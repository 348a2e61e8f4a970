/**
 * doctor and remote servers: each remote is contacted once, with a real MCP handshake through the
 * path the relay uses (its login included), and judged once for every client that reaches it — a
 * url entry and a relay entry alike; a failure names its cause; a check that did not run is not a
 * pass; and a server that needs a login shows its login's state.
 */
import { writeFileSync } from "node:fs";
import { afterEach, expect, test } from "vitest";
import { type OAuthFixture, startOAuthFixture } from "../fixtures/oauth/oauth-server.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";
import { BROWSER } from "../helpers/oauth.js";

runInProcessByDefault();

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Check {
  id: string;
  status: string;
  message: string;
  fix?: string;
  server?: string;
  client?: string;
  env?: string;
  places?: Array<{ env: string; client: string }>;
}

async function doctor(m: FakeMachine, args: string[] = []): Promise<{ code: number; checks: Check[] }> {
  const r = await m.run(["doctor", "--json", ...args]);
  return { code: r.code, checks: JSON.parse(r.stdout).checks as Check[] };
}

function wsl(): FakeMachine {
  const m = createFakeMachine({ kind: "wsl" });
  cleanups.push(() => m.cleanup());
  return m;
}

test("a url that does not resolve is contacted once and fails with its cause for every client, relay or not", async () => {
  const m = wsl();
  writeManifest(m, { servers: { docs: { url: "https://example.invalid/mcp" } } });
  expect((await m.run(["sync"])).code).toBe(0);
  const { code, checks } = await doctor(m);
  expect(code).toBe(1);
  const probes = checks.filter((c) => c.id === "probe.handshake" && c.server === "docs");
  // Claude Code in WSL, Cursor on Windows (url entries) and Claude Desktop (a relay through
  // wsl.exe): one contact, one finding for all three (no environment of its own).
  expect(probes.map((p) => p.env)).toEqual([undefined]);
  for (const p of probes) {
    expect(p.status).toBe("fail");
    expect(p.message).toMatch(
      /^the host name example\.invalid does not resolve; one contact for Claude Code \(wsl:Ubuntu\), Claude Desktop \(windows\) and Cursor \(windows\)\. In 3 client configs: Claude Code \(wsl:Ubuntu\), Claude Desktop \(windows\), Cursor \(windows\)\./,
    );
    expect(p.fix).toBe(
      "Check docs's url in the manifest: the host name does not resolve (a typo, or a network that needs a VPN).",
    );
  }
  expect(checks.filter((c) => c.server === "docs" && /not started by doctor/.test(c.message))).toEqual([]);
});

test("connection refused is named; --no-probe leaves the handshake a skip, never a pass", async () => {
  const m = createFakeMachine({ kind: "linux" });
  cleanups.push(() => m.cleanup());
  const port = await freePort();
  writeManifest(m, { servers: { docs: { url: `http://127.0.0.1:${port}/mcp` } } });
  await m.run(["sync"]);
  const { checks } = await doctor(m);
  const probe = checks.find((c) => c.id === "probe.handshake" && c.server === "docs")!;
  expect(probe).toMatchObject({
    status: "fail",
    message: `connection refused: nothing listens at 127.0.0.1:${port}.`,
  });
  const quiet = await doctor(m, ["--no-probe"]);
  expect(quiet.checks.find((c) => c.id === "probe.handshake")).toMatchObject({ status: "skip" });
});

test("a server that needs a login: doctor says so and names `mcp-twin login`; once logged in, the relay's handshake passes", async () => {
  const fx: OAuthFixture = await startOAuthFixture();
  cleanups.push(() => fx.close());
  const m = wsl();
  writeManifest(m, { servers: { docs: { url: fx.url } } });
  await m.run(["sync"]);
  const before = await doctor(m);
  expect(before.code).toBe(1);
  expect(before.checks.find((c) => c.id === "login.state")).toMatchObject({
    status: "fail",
    server: "docs",
    message: `${fx.url} needs a login, and mcp-twin holds none.`,
    fix: "Run `mcp-twin login docs`.",
  });
  // One cause, one finding: the relays' probes point at it.
  for (const p of before.checks.filter((c) => c.id === "probe.handshake" && c.server === "docs"))
    expect(p).toMatchObject({ status: "skip", message: expect.stringContaining("(see login.state)") });

  expect((await m.run(["login", "docs"], { env: { BROWSER } })).code).toBe(0);
  const requests = fx.stats.mcpRequests;
  const after = await doctor(m);
  expect(after.checks.find((c) => c.id === "login.state")).toMatchObject({
    status: "pass",
    message: expect.stringMatching(
      /^logged in with scopes mcp:read mcp:write; its token is valid until \d{4}-\d\d-\d\dT[\d:.]+Z, then renewed\.$/,
    ),
  });
  const probes = after.checks.filter((c) => c.id === "probe.handshake" && c.server === "docs");
  expect(probes.length).toBeGreaterThan(0);
  for (const p of probes)
    expect(p.message).toMatch(
      new RegExp(
        `^handshake with ${fx.url.replace(/[.]/g, "\\.")} \\(through mcp-twin's relay with the login to docs\\) in [\\d.]+ ?m?s: 2 tools \\(mcp-twin-oauth-fixture\\), protocol 2025-11-25; one contact for `,
      ),
    );
  // One handshake (initialize, initialized, tools/list, and the session's end) for every client.
  expect(fx.stats.mcpRequests - requests).toBeLessThanOrEqual(5);
  expect(after.code).toBe(0);
});

test('"auth": "client": the server answers and asks for a login the client does itself; not a failure, not a pass', async () => {
  const fx: OAuthFixture = await startOAuthFixture();
  cleanups.push(() => fx.close());
  const m = createFakeMachine({ kind: "linux" });
  cleanups.push(() => m.cleanup());
  writeManifest(m, { servers: { docs: { url: fx.url, auth: "client" } } });
  await m.run(["sync"]);
  const { code, checks } = await doctor(m);
  expect(checks.find((c) => c.id === "probe.handshake" && c.server === "docs")).toMatchObject({
    status: "skip",
    message: `${fx.url} answers and asks for a login, which Claude Code does itself ("auth": "client"); doctor cannot log in as it.`,
  });
  expect(checks.find((c) => c.id === "login.state")).toMatchObject({ status: "skip" });
  expect(code).toBe(0);
});

test("a url entry of a server not known to need a login: contacted once, the 401 named, and the login's command", async () => {
  const fx: OAuthFixture = await startOAuthFixture();
  cleanups.push(() => fx.close());
  const m = createFakeMachine({ kind: "linux" });
  cleanups.push(() => m.cleanup());
  writeManifest(m, { servers: { docs: { url: fx.url } } });
  writeFileSync(
    m.paths.claudeCodeConfig,
    JSON.stringify({ numStartups: 1, mcpServers: { docs: { type: "http", url: fx.url } } }),
  );
  const { checks } = await doctor(m);
  expect(checks.find((c) => c.id === "probe.handshake" && c.server === "docs")).toMatchObject({
    status: "fail",
    message: "the server asks for a login (HTTP 401, WWW-Authenticate: Bearer).",
    fix: "Run `mcp-twin login docs`, then `mcp-twin sync`: every client then reaches it with that login.",
  });
  // One request: the handshake's first, refused.
  expect(fx.stats.mcpRequests).toBe(1);
});
