/**
 * `add` of a remote server that asks for a login: it says so and names `mcp-twin login`; on a
 * terminal it offers to log in right away (a real pseudo-terminal, the scripted browser), and the
 * sync after it gives every client the relay with that login.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { type OAuthFixture, startOAuthFixture } from "../fixtures/oauth/oauth-server.js";
import { createFakeMachine, type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { type McpRegistry, startMcpRegistry } from "../helpers/mcp-registry.js";
import { BROWSER } from "../helpers/oauth.js";
import { KEY, runInPty } from "../helpers/pty.js";

runInProcessByDefault();

let fx: OAuthFixture;
let registry: McpRegistry;
beforeAll(async () => {
  fx = await startOAuthFixture();
  registry = await startMcpRegistry({
    entries: [
      {
        server: {
          name: "com.example/docs",
          version: "1.0.0",
          description: "Docs, behind a login",
          remotes: [{ type: "streamable-http", url: fx.url }],
        } as never,
        _meta: { "io.modelcontextprotocol.registry/official": { status: "active", isLatest: true } },
      },
    ],
  });
});
afterAll(async () => {
  await registry.close();
  await fx.close();
});
const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

function machine(): FakeMachine {
  const m = createFakeMachine({ kind: "linux", mcpRegistryUrl: registry.url });
  machines.push(m);
  return m;
}

test("add says the server needs a login and names the command (--yes: no question, --json: needsLogin)", async () => {
  const m = machine();
  const r = await m.run(["add", "com.example/docs", "--yes", "--json"]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ added: "docs", needsLogin: true });
  const text = await m.run(["add", "com.example/docs", "--yes", "--force"]);
  expect(text.stdout).toContain(
    `▲ docs needs a login (${fx.url} asks for one): \`mcp-twin login docs\` logs in once for every client.`,
  );
});

test("on a terminal, add offers the login right away; the sync after it writes the relay with it", async () => {
  const m = machine();
  const pty = runInPty(["add", "com.example/docs"], { ...m.env, BROWSER }, m.paths.linuxHome);
  await pty.waitFor(/Log in to docs now \(in your browser\)\?/);
  pty.type(`y${KEY.enter}`);
  await pty.waitFor(/Logged in to docs/);
  await pty.waitFor(/Write it into every client now\?/);
  pty.type(`y${KEY.enter}`);
  const { code, output } = await pty.exit;
  expect(code).toBe(0);
  expect(output).toContain("ℹ docs: logged in");
  const login = JSON.parse(readFileSync(path.join(m.paths.home, "oauth", "docs.json"), "utf8"));
  expect(output).not.toContain(login.tokens.access_token);
  const entry = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.docs;
  expect(entry.args.slice(-4)).toEqual(["connect", fx.url, "--auth", "docs"]);
  expect(existsSync(path.join(m.paths.home, "oauth", "docs.json"))).toBe(true);
}, 60_000);

test("init says which servers it set up need a login (in the sync's report, or on its own with --no-sync)", async () => {
  const m = machine();
  mkdirSync(path.join(m.paths.home, "templates"), { recursive: true });
  writeFileSync(
    path.join(m.paths.home, "templates", "docs.jsonc"),
    JSON.stringify({
      name: "docs",
      title: "Docs",
      description: "Docs, behind a login",
      homepage: "https://docs.example",
      categories: ["docs"],
      runtime: "remote",
      server: { url: fx.url },
    }),
  );
  const r = await m.run(["init", "--yes", "--server", "docs"]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain("▲ docs needs a login: run `mcp-twin login docs`");
  const m2 = machine();
  mkdirSync(path.join(m2.paths.home, "templates"), { recursive: true });
  writeFileSync(
    path.join(m2.paths.home, "templates", "docs.jsonc"),
    readFileSync(path.join(m.paths.home, "templates", "docs.jsonc")),
  );
  const quiet = await m2.run(["init", "--yes", "--server", "docs", "--no-sync"]);
  expect(quiet.stdout).toContain("▲ docs needs a login");
});

test("add <url>: the remote server named after its host, its login said; a URL of another scheme or with a password refused, nothing written", async () => {
  const m = machine();
  // A loopback address gives no name: "remote" is a stand-in, said as one.
  const dry = await m.run(["add", fx.url, "--yes", "--dry-run"]);
  expect(dry.code, dry.stderr).toBe(0);
  expect(dry.stdout).toContain(
    "Named remote: its host is an address, which gives no name; --name gives it another name.",
  );
  expect(dry.stdout).not.toContain("after its host");
  const r = await m.run(["add", fx.url, "--yes", "--json"]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({
    added: "remote",
    source: "url",
    server: { url: fx.url },
    needsLogin: true,
  });
  const named = await m.run(["add", fx.url, "--name", "docs", "--yes", "--no-sync"]);
  expect(named.code).toBe(0);
  expect(named.stdout).toContain("✔ Added docs in ");
  expect(named.stdout).not.toContain("after its host");
  expect(named.stdout).toContain("`mcp-twin login docs` logs in once for every client.");
  const manifest = readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8");
  expect(manifest).toContain(`"url": "${fx.url}"`);
  for (const [bad, said] of [
    ["file:///etc/passwd", "must be an http:// or https:// URL (not file:)"],
    ["https://me:hunter2pass@mcp.example.com/mcp", "holds a user name or password"],
  ] as const) {
    const refused = await m.run(["add", bad, "--yes"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(said);
    expect(refused.stderr).not.toContain("hunter2pass");
  }
  expect(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8")).toBe(manifest);
});
