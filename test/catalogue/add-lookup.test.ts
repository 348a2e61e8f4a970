/**
 * What `add <name>` makes of a name (issue 11, item 11): a catalogue package becomes the
 * catalogue's entry, pinned as the catalogue pins it; a valid name npm's registry does not have is
 * said so (naming that registry), apart from a name that cannot be a package at all; a missing
 * version is said so; `--sync` installs and writes right after adding.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { afterEach, beforeEach, expect, inject, test } from "vitest";
import { parseNpmView } from "../../src/core/packages/npm-view.js";
import { createFakeMachine, REPO, runCli, runInProcessByDefault } from "../helpers/fake-machine.js";
import { runMain } from "../helpers/in-process.js";

runInProcessByDefault();

let root: string;
let env: Record<string, string>;
const home = () => path.join(root, "twin");
const manifest = () =>
  JSON.parse(readFileSync(path.join(home(), "mcp-twin.jsonc"), "utf8").replace(/^\/\/.*$/gm, ""));
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-add-"));
  mkdirSync(path.join(root, "h"), { recursive: true });
  env = {
    HOME: path.join(root, "h"),
    PATH: process.env.PATH ?? "",
    MCP_TWIN_HOME: home(),
    NO_COLOR: "1",
    LANG: "C.UTF-8",
    npm_config_registry: inject("registryUrl"),
    npm_config_cache: path.join(root, "npm-cache"),
  };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));
// main in this process; MCP_TWIN_TEST_CLI=binary runs the built binary.
const run = (args: string[], runEnv: Record<string, string>, cwd: string) =>
  process.env.MCP_TWIN_TEST_CLI === "binary" ? runCli(args, runEnv, cwd) : runMain(args, runEnv, cwd);
const cli = (args: string[]) => run(args, env, root);
const catalogueSpec = () =>
  (
    parseJsonc(readFileSync(path.join(REPO, "templates", "sequential-thinking.jsonc"), "utf8")) as {
      server: { package: string };
    }
  ).server.package;

test("a package the catalogue has becomes its entry, pinned as the catalogue pins it (no lookup needed)", async () => {
  const pinned = catalogueSpec();
  expect(pinned).toMatch(/^@modelcontextprotocol\/server-sequential-thinking@\d/);
  // npm pointed at nothing: the catalogue answers without asking it
  const r = await run(
    ["add", "@modelcontextprotocol/server-sequential-thinking", "--yes"],
    { ...env, npm_config_registry: "http://127.0.0.1:9/" },
    root,
  );
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("Added sequential-thinking");
  expect(r.stdout).toContain(
    `@modelcontextprotocol/server-sequential-thinking is the catalogue's sequential-thinking (pinned at ${pinned.split("@")[2]}).`,
  );
  // The catalogue's share default, said with its reason.
  expect(manifest().servers).toEqual({ "sequential-thinking": { package: pinned, share: "session" } });
  expect(r.stdout).toContain(
    "Shared per session (one process per client session, started on its first call, in the bridge): a thinking scratchpad: its thoughts are one conversation's.",
  );
  // a version given explicitly is kept, and said to differ from the catalogue's
  const mine = await cli([
    "add",
    "@modelcontextprotocol/server-sequential-thinking@1.0.0",
    "--name",
    "st",
    "--yes",
  ]);
  expect(mine.code).toBe(0);
  expect(mine.stdout).toContain("(at 1.0.0, as asked; the catalogue pins");
  expect(manifest().servers.st).toEqual({
    package: "@modelcontextprotocol/server-sequential-thinking@1.0.0",
    share: "session",
  });
});

test("not published, invalid, no such version: three different answers, all exit 2, nothing written", async () => {
  const missing = await cli(["add", "this-does-not-exist-xyz123", "--yes"]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain(
    `"this-does-not-exist-xyz123" is not in the catalogue, and npm's registry (${inject("registryUrl")}) has no package of that name.`,
  );
  const invalid = await cli(["add", "Not A Package!", "--yes"]);
  expect(invalid.code).toBe(2);
  expect(invalid.stderr).toContain(
    '"Not A Package!" is not a catalogue name, an MCP Registry name (namespace/name) or a valid npm package name.',
  );
  const version = await cli(["add", `${inject("fixtureName")}@9.9.9`, "--yes", "--json"]);
  expect(version.code).toBe(2);
  expect(JSON.parse(version.stdout).errors[0]).toMatchObject({
    code: "unknown-version",
    message: `npm has ${inject("fixtureName")}, but no version matching 9.9.9.`,
  });
  expect(existsSync(path.join(home(), "mcp-twin.jsonc"))).toBe(false);
});

test("an unpinned npm package: added as given, with the version npm has now", async () => {
  const r = await cli(["add", inject("fixtureName"), "--yes"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain(
    `npm has ${inject("fixtureName")}@1.1.0; sync installs that version wherever a client runs it (pin it with ${inject("fixtureName")}@1.1.0).`,
  );
  expect(manifest().servers["mcp-twin-fixture-server"]).toEqual({ package: inject("fixtureName") });
});

test("--sync: installs and writes every client right after adding", async () => {
  const m = createFakeMachine({ registryUrl: inject("registryUrl") });
  try {
    const r = await m.run(["add", `${inject("fixtureName")}@1.0.0`, "--name", "fixture", "--yes", "--sync"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Added fixture");
    expect(r.stdout).toMatch(/wsl:Ubuntu claude-code .* (created|updated) \+fixture/);
    expect(r.stdout).toMatch(/windows claude-desktop .* (created|updated) \+fixture/);
    expect(r.stdout).not.toContain("Run `mcp-twin sync`");
    const entry = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.fixture;
    expect(entry.command).toBe("/usr/bin/node");
    // --dry-run --sync previews the sync too, and writes nothing
    const dry = await m.run(["add", "memory", "--yes", "--sync", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+    "memory": {');
    expect(dry.stdout).toMatch(/claude-code .* would be updated \+memory/);
    // Not done yet, so no ✔: a planned change gets a bullet.
    expect(dry.stdout).toMatch(/^ {2}• wsl:Ubuntu claude-code .* would be updated/m);
    expect(JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.memory).toBeUndefined();
  } finally {
    m.cleanup();
  }
}, 180_000);

test("npm view's answers, as npm 10 prints them", () => {
  const notFound = (url: string, spec: string) =>
    JSON.stringify({
      error: {
        code: "E404",
        summary: `Not Found - GET ${url} - Not found`,
        detail: `The requested resource '${spec}@*' could not be found or you do not have permission to access it.`,
      },
    });
  expect(parseNpmView(1, notFound("https://registry.npmjs.org/nope-xyz", "nope-xyz"), "")).toEqual({
    found: false,
    why: "no-package",
    registry: "https://registry.npmjs.org/",
  });
  expect(parseNpmView(1, notFound("http://127.0.0.1:4873/npm/@scope%2fthing", "@scope/thing"), "")).toEqual({
    found: false,
    why: "no-package",
    registry: "http://127.0.0.1:4873/npm/",
  });
  expect(
    parseNpmView(
      1,
      JSON.stringify({ error: { code: "E404", summary: "No match found for version 99.0.0" } }),
      "",
    ),
  ).toMatchObject({ found: false, why: "no-version" });
  expect(parseNpmView(0, '{"name":"tavily-mcp","version":"0.2.22"}', "")).toEqual({
    found: true,
    name: "tavily-mcp",
    version: "0.2.22",
  });
  expect(
    parseNpmView(0, '[{"name":"a","version":"1.0.0"},{"name":"a","version":"1.1.0"}]', ""),
  ).toMatchObject({
    version: "1.1.0",
  });
  expect(
    parseNpmView(
      1,
      JSON.stringify({ error: { code: "ECONNREFUSED", summary: "request to http://x failed" } }),
      "",
    ),
  ).toEqual({ found: false, why: "unknown", detail: "request to http://x failed" });
});
