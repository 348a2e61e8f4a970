/**
 * What sync writes and says for a remote server that needs a login: found out by asking it once (a
 * 401 with a Bearer challenge), its entry in every client is mcp-twin's relay with the login
 * (`connect <url> --auth <server>`, no token in any config), and the report names the state and
 * `mcp-twin login <server>`. `"auth": "client"` keeps native url entries; a static Authorization
 * header keeps working as before, and such a server is never asked.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { type OAuthFixture, startOAuthFixture } from "../fixtures/oauth/oauth-server.js";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { BROWSER } from "../helpers/oauth.js";

runInProcessByDefault();

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function machine(kind: "linux" | "wsl" = "linux"): Promise<{ fx: OAuthFixture; m: FakeMachine }> {
  const fx = await startOAuthFixture();
  cleanups.push(() => fx.close());
  const m = createFakeMachine({ kind });
  cleanups.push(() => m.cleanup());
  return { fx, m };
}

const claudeCode = (m: FakeMachine) => JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers;

test("a server that answers 401 with a Bearer challenge gets the relay with the login in every client, and sync says to log in", async () => {
  const { fx, m } = await machine();
  writeManifest(m, { servers: { docs: { url: fx.url } } });
  const r = await m.run(["sync"]);
  expect(r.code).toBe(0);
  const entry = claudeCode(m).docs;
  expect(entry.type).toBe("stdio");
  expect(entry.args.slice(-4)).toEqual(["connect", fx.url, "--auth", "docs"]);
  expect(JSON.stringify(entry)).not.toMatch(/Bearer|at_/);
  expect(r.stdout).toContain("Logins");
  expect(r.stdout).toContain(
    "▲ docs needs a login: run `mcp-twin login docs` (every client then reaches it through mcp-twin's relay)",
  );
  const asked = fx.stats.mcpRequests;
  expect(asked).toBeGreaterThan(0);

  // Asked once: the next run knows (and changes nothing).
  const again = await m.run(["sync", "--json"]);
  expect(fx.stats.mcpRequests).toBe(asked);
  const json = JSON.parse(again.stdout);
  expect(json.logins).toEqual([{ server: "docs", mode: "oauth", state: "none", fix: "mcp-twin login docs" }]);
  expect(json.targets[0].action).toBe("unchanged");

  const login = await m.run(["login", "docs"], { env: { BROWSER } });
  expect(login.code).toBe(0);
  expect(login.stdout).not.toContain("Run `mcp-twin sync`");
  const after = await m.run(["sync"]);
  expect(after.stdout).toMatch(
    /ℹ docs: logged in \(scopes mcp:read mcp:write; token valid until .+, then renewed\)/,
  );
  const status = await m.run(["status", "--json"]);
  expect(JSON.parse(status.stdout)[0]).toMatchObject({
    server: "docs",
    state: "synced",
    login: { state: "ok" },
  });
});

test('"auth": "client" writes native url entries and says each client asks; a static key is never asked about', async () => {
  const { fx, m } = await machine();
  writeManifest(m, {
    servers: {
      docs: { url: fx.url, auth: "client" },
      keyed: { url: `${fx.url}?keyed`, headers: { Authorization: "Bearer sk-static-key-0123456789" } },
    },
  });
  const r = await m.run(["sync"]);
  expect(r.code).toBe(0);
  const entries = claudeCode(m);
  expect(entries.docs).toEqual({ type: "http", url: fx.url });
  expect(entries.keyed).toMatchObject({
    type: "http",
    headers: { Authorization: "Bearer sk-static-key-0123456789" },
  });
  expect(r.stdout).toContain('ℹ docs: "auth": "client": each client asks for its own login');
  expect(r.stdout).not.toContain("keyed needs a login");
  // One request only: keyed listed with its own key for its first pins (docs, behind each client's
  // login, is not asked); the fixture refuses that key, and sync says it is not pinned, never a login.
  expect(fx.stats.mcpRequests).toBe(1);
  expect(r.stdout).toMatch(/keyed: not pinned: .*401/);
});

test("from WSL, Windows clients get the relay too (through wsl.exe), with the same login in the shared home, and their lines say so", async () => {
  const { fx, m } = await machine("wsl");
  writeManifest(m, { servers: { docs: { url: fx.url } } });
  const r = await m.run(["sync"]);
  expect(r.code).toBe(0);
  const desktop = JSON.parse(readFileSync(m.paths.claudeDesktopConfig, "utf8")).mcpServers.docs;
  expect(desktop.command).toBe("wsl.exe");
  expect(desktop.args.slice(-4)).toEqual(["connect", fx.url, "--auth", "docs"]);
  const cursor = JSON.parse(readFileSync(m.paths.cursorConfig, "utf8")).mcpServers.docs;
  expect(cursor.args.slice(-4)).toEqual(["connect", fx.url, "--auth", "docs"]);
  // Each Windows client's line says how docs reaches it and that it then needs WSL and mcp-twin
  // there (Claude Code's, in WSL itself, is what the login line says already).
  expect(r.stdout).toContain(
    "docs is a remote server, and Claude Desktop takes only stdio servers: it goes through mcp-twin's relay (`mcp-twin connect`) in wsl:Ubuntu, started by wsl.exe, so Claude Desktop needs WSL and mcp-twin in wsl:Ubuntu for it",
  );
  expect(r.stdout).toContain(
    "docs needs the login mcp-twin holds: it goes through mcp-twin's relay (`mcp-twin connect`) in wsl:Ubuntu, started by wsl.exe, so Cursor needs WSL and mcp-twin in wsl:Ubuntu for it",
  );
  expect(r.stdout.match(/mcp-twin's relay \(`mcp-twin connect`\)/g)).toHaveLength(2);
});

test("uninstall forgets the logins: no file of the home (backups included) holds a token after it", async () => {
  const { fx, m } = await machine();
  writeManifest(m, { servers: { docs: { url: fx.url } } });
  await m.run(["sync"]);
  expect((await m.run(["login", "docs"], { env: { BROWSER } })).code).toBe(0);
  const login = JSON.parse(readFileSync(path.join(m.paths.home, "oauth", "docs.json"), "utf8"));
  const tokens = [login.tokens.access_token, login.tokens.refresh_token];
  await m.run(["sync"]);
  const preview = await m.run(["uninstall", "--dry-run"]);
  expect(preview.stdout).toContain("The login to docs would be forgotten");
  expect(existsSync(path.join(m.paths.home, "oauth", "docs.json"))).toBe(true);
  const r = await m.run(["uninstall", "--yes"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("✔ Forgot the login to docs: its tokens are gone from the home.");
  expect(existsSync(path.join(m.paths.home, "oauth"))).toBe(false);
  for (const file of filesUnder(m.paths.home)) {
    const text = readFileSync(file, "utf8");
    for (const t of tokens) expect(text.includes(t), file).toBe(false);
  }
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : [],
  );
}
