/**
 * init and the MCP Registry: the picker searches the registry as the user types (the catalogue
 * first, no network until a term is typed), a registry that cannot be reached is one line and the
 * catalogue goes on working, and `--server` takes registry names too.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, expect, inject, test } from "vitest";
import { createFakeMachine, type FakeMachine, runInProcessByDefault } from "../helpers/fake-machine.js";
import { type McpRegistry, startMcpRegistry } from "../helpers/mcp-registry.js";
import { freePort } from "../helpers/net.js";
import { KEY, runInPty } from "../helpers/pty.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const TOKEN = "fx-3e8b0d6a2c41";
let registry: McpRegistry;
const machines: FakeMachine[] = [];
beforeAll(async () => {
  registry = await startMcpRegistry();
});
afterAll(() => registry.close());
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
  registry.requests.length = 0;
});
function machine(mcpRegistryUrl = registry.url, bridgePort?: false): FakeMachine {
  const m = createFakeMachine({
    registryUrl: inject("registryUrl"),
    mcpRegistryUrl,
    ...(bridgePort === false ? { bridgePort } : {}),
  });
  machines.push(m);
  return m;
}
const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const manifestOf = (m: FakeMachine) =>
  JSON.parse(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8").replace(/^\/\/.*$/gm, ""));

test("the picker finds a registry server as the user types; its key is asked masked; both sides reach it through the bridge, no key in their files", async () => {
  const m = machine();
  const pty = runInPty(["init"], m.env, m.paths.linuxHome);
  await pty.waitFor(/Add servers from the catalogue or the MCP Registry/);
  expect(registry.requests).toEqual([]); // nothing typed yet: no network
  pty.type("fixture");
  await pty.waitFor(/❯\s+io\.github\.mcp-twin\/fixture-server/);
  expect(pty.output()).toContain("npm mcp-twin-fixture-server@1.1.0 · needs FIXTURE_TOKEN");
  pty.type(KEY.enter);
  await pty.waitFor(/Done — go on with io\.github\.mcp-twin\/fixture-server/);
  pty.type(KEY.enter);
  await pty.waitFor(/How many extra tools/);
  pty.type(KEY.enter); // its default, 2
  await pty.waitFor(/Token the fixture server reports/);
  pty.type(`${TOKEN}${KEY.enter}`);
  await pty.waitFor(/share memory, notes and a hand-off queue/);
  pty.type(KEY.enter);
  await pty.waitFor(/Write these files, install the packages and write the client configs\?/);
  // Its key in env: run once in the bridge (installed where the bridge runs), no client holding it.
  expect(pty.output()).toContain("install mcp-twin-fixture-server@1.1.0 in wsl:Ubuntu\n");
  expect(pty.output()).toContain("fixture-server: Shared per machine");
  expect(pty.output()).toContain(
    "fixture-server: npm package mcp-twin-fixture-server@1.1.0: sync installs it",
  );
  pty.type(KEY.enter);
  const { code, output } = await pty.exit;
  expect(code).toBe(0);
  expect(output).not.toContain(TOKEN);
  expect(manifestOf(m).servers["fixture-server"]).toMatchObject({
    package: "mcp-twin-fixture-server@1.1.0",
    args: ["--tools", "2"],
  });
  for (const f of [m.paths.claudeCodeConfig, m.paths.claudeDesktopConfig]) {
    expect(json(f).mcpServers["fixture-server"], f).toBeDefined();
    expect(readFileSync(f, "utf8"), f).not.toContain(TOKEN);
  }
}, 180_000);

test("Ctrl-C after the picker asked the registry leaves nothing behind: its answers were held in memory", async () => {
  // No gateway port recorded either: the home does not exist before, and must not after.
  const m = machine(registry.url, false);
  const pty = runInPty(["init"], m.env, m.paths.linuxHome);
  await pty.waitFor(/Add servers from the catalogue or the MCP Registry/);
  pty.type("fixture");
  await pty.waitFor(/❯\s+io\.github\.mcp-twin\/fixture-server/);
  expect(registry.requests.length).toBeGreaterThan(0);
  pty.type(KEY.enter);
  await pty.waitFor(/Done — go on with io\.github\.mcp-twin\/fixture-server/);
  pty.type(KEY.enter);
  await pty.waitFor(/How many extra tools/);
  pty.type(KEY.ctrlC);
  const { code } = await pty.exit;
  expect(code).toBe(130);
  // No home at all (no registry answers, no environment facts), and no locator in ~/.cache.
  expect(existsSync(m.paths.home)).toBe(false);
  expect(existsSync(path.join(m.paths.linuxHome, ".cache", "mcp-twin"))).toBe(false);
}, 60_000);

test("no registry: one line in the list, not said again after it; the catalogue works; Ctrl-C writes nothing", async () => {
  const m = machine(`http://127.0.0.1:${await freePort()}`);
  const pty = runInPty(["init"], m.env, m.paths.linuxHome);
  await pty.waitFor(/Add servers from the catalogue/);
  pty.type("memory");
  await pty.waitFor(/- MCP Registry: http:\/\/127\.0\.0\.1:\d+ refused the con\s*nection/);
  expect(pty.output()).toContain("(the catalogue still works)");
  await pty.waitFor(/❯\s+memory/);
  pty.type(KEY.enter);
  await pty.waitFor(/Done — go on with memory/);
  pty.type(KEY.enter);
  await pty.waitFor(/share memory, notes and a hand-off queue/);
  // Said where the search failed, in the list; the answered picker is not followed by it again.
  expect(pty.output()).not.toMatch(/could not be searched/);
  pty.type(KEY.ctrlC);
  const { code } = await pty.exit;
  expect(code).toBe(130);
  expect(existsSync(path.join(m.paths.home, "mcp-twin.jsonc"))).toBe(false);
}, 60_000);

test("init --yes --server takes an MCP Registry name; an unknown one is exit 2", async () => {
  const m = machine();
  const r = await m.run([
    "init",
    "--yes",
    "--server",
    "io.github.domdomegg/time-mcp-pypi",
    "--server",
    "memory",
    "--no-sync",
  ]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("time-mcp-pypi: A Python package: mcp-twin does not install it.");
  expect(Object.keys(manifestOf(m).servers)).toEqual(["time-mcp-pypi", "memory"]);
  const unknown = await m.run(["init", "--yes", "--server", "io.github.nobody/nothing"]);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain("io.github.nobody/nothing is not in the MCP Registry");
});
