/**
 * add, remove, secret — main in this process (MCP_TWIN_TEST_CLI=binary: the built binary), the
 * prompts through the built binary in a real terminal: comments and line endings of the manifest
 * survive, secrets are private and never printed, --yes fails clearly, --dry-run writes nothing,
 * and the prompts work in a real terminal (including a wrong answer and Ctrl-C).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, inject, test } from "vitest";
import { runCli } from "../helpers/fake-machine.js";
import { runMain } from "../helpers/in-process.js";
import { KEY, runInPty } from "../helpers/pty.js";

let root: string;
let env: Record<string, string>;
const home = () => path.join(root, "twin");
const manifest = () => path.join(home(), "mcp-twin.jsonc");
const SECRET = "tvly-dev-4b7e19a0c3d2";
beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-cmds-"));
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
const cli = (args: string[], input?: string) =>
  process.env.MCP_TWIN_TEST_CLI === "binary"
    ? runCli(args, env, root, input)
    : runMain(args, env, root, input);

test("add and remove edit only their entry: comments, tabs and CRLF survive", async () => {
  mkdirSync(home(), { recursive: true });
  const original =
    '// my servers\r\n{\r\n\t"servers": {\r\n\t\t// notes on raw\r\n\t\t"raw": { "command": "uvx", "args": ["x"] }\r\n\t}\r\n}\r\n';
  writeFileSync(manifest(), original);
  const added = await cli(["add", "memory", "--yes"]);
  expect(added.code).toBe(0);
  const text = readFileSync(manifest(), "utf8");
  expect(
    text.startsWith(
      '// my servers\r\n{\r\n\t"servers": {\r\n\t\t// notes on raw\r\n\t\t"raw": { "command": "uvx", "args": ["x"] },\r\n\t\t"memory": {\r\n\t\t\t"package": "@modelcontextprotocol/server-memory@',
    ),
  ).toBe(true);
  expect(text.includes("\n") && !/[^\r]\n/.test(text)).toBe(true);
  expect((await cli(["remove", "memory"])).code).toBe(0);
  expect(readFileSync(manifest(), "utf8")).toBe(original);
});

test("a catalogue server with a secret: --yes without it is exit 2 naming it, nothing written", async () => {
  const r = await cli(["add", "tavily", "--yes"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain("Secret TAVILY_API_KEY is needed");
  expect(r.stderr).toContain("https://app.tavily.com");
  expect(existsSync(manifest())).toBe(false);
  const wrong = await cli(["add", "tavily", "--yes", "--secret", "TAVILY_API_KEY=your-api-key"]);
  expect(wrong.code).toBe(2);
  expect(wrong.stderr).toContain("looks like a placeholder");
  // A name the template does not use (a typo) is named, not dropped while the real one is missing.
  const typo = await cli(["add", "tavily", "--yes", "--secret", `TAVLY_API_KEY=${SECRET}`]);
  expect(typo.code).toBe(2);
  expect(typo.stderr).toContain(
    "--secret TAVLY_API_KEY: tavily does not use it. Did you mean TAVILY_API_KEY?",
  );
  expect(typo.stdout + typo.stderr).not.toContain(SECRET);
  expect(existsSync(manifest())).toBe(false);
});

test("--secret NAME takes it from the environment; the secrets file is 0600; values never printed", async () => {
  env.TAVILY_API_KEY = SECRET;
  const r = await cli(["add", "tavily", "--secret", "TAVILY_API_KEY", "--json"]);
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toMatchObject({ added: "tavily", secrets: ["TAVILY_API_KEY"] });
  const secrets = path.join(home(), "secrets.json");
  expect(statSync(secrets).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(secrets, "utf8")).secrets.TAVILY_API_KEY).toBe(SECRET);
  const list = await cli(["secret", "list"]);
  expect(list.stdout).toContain("TAVILY_API_KEY");
  expect(list.stdout).toContain("used by tavily");
  for (const out of [
    r,
    list,
    await cli(["secret", "list", "--json"]),
    await cli(["add", "tavily", "--force", "--dry-run", "--secret", "TAVILY_API_KEY"]),
  ]) {
    expect(out.stdout + out.stderr).not.toContain(SECRET);
  }
});

test("secret set reads stdin (never argv), secret rm removes it", async () => {
  const set = await cli(["secret", "set", "MY_TOKEN"], "s3cr3t-value-99\n");
  expect(set.code).toBe(0);
  expect(set.stdout + set.stderr).not.toContain("s3cr3t-value-99");
  expect(JSON.parse(readFileSync(path.join(home(), "secrets.json"), "utf8")).secrets).toEqual({
    MY_TOKEN: "s3cr3t-value-99",
  });
  expect((await cli(["secret", "rm", "MY_TOKEN"])).code).toBe(0);
  expect(JSON.parse(readFileSync(path.join(home(), "secrets.json"), "utf8")).secrets).toEqual({});
  expect((await cli(["secret", "rm", "MY_TOKEN"])).code).toBe(2);
  expect((await cli(["secret", "set", "bad name"], "x")).code).toBe(2);
});

test("secret set/rm --dry-run: what would change is planned (•), not done (✔); nothing written", async () => {
  const set = await cli(["secret", "set", "MY_TOKEN", "--dry-run"], "abc123-real-looking");
  expect(set.code, set.stderr).toBe(0);
  expect(set.stdout).toMatch(/^• Would store MY_TOKEN in /);
  expect(existsSync(path.join(home(), "secrets.json"))).toBe(false);
  expect((await cli(["secret", "set", "MY_TOKEN"], "abc123-real-looking")).code).toBe(0);
  const rm = await cli(["secret", "rm", "MY_TOKEN", "--dry-run"]);
  expect(rm.code, rm.stderr).toBe(0);
  expect(rm.stdout).toBe("• Would remove MY_TOKEN.\n");
  expect(JSON.parse(readFileSync(path.join(home(), "secrets.json"), "utf8")).secrets).toHaveProperty(
    "MY_TOKEN",
  );
});

test("secret rm of a key a server still uses says that sync stops on it now, not at the next sync", async () => {
  mkdirSync(home(), { recursive: true });
  writeFileSync(
    manifest(),
    JSON.stringify({
      servers: { tool: { command: "node", args: ["x.js"], env: { T: "${secret:MY_TOKEN}" } } },
    }),
  );
  expect((await cli(["secret", "set", "MY_TOKEN"], "abc123-real-looking")).code).toBe(0);
  const dry = await cli(["secret", "rm", "MY_TOKEN", "--dry-run", "--json"]);
  expect(JSON.parse(dry.stdout)).toEqual({ removed: "MY_TOKEN", dryRun: true, usedBy: ["tool"] });
  const rm = await cli(["secret", "rm", "MY_TOKEN"]);
  expect(rm.code, rm.stderr).toBe(0);
  expect(rm.stderr).toContain(
    "tool still uses MY_TOKEN: until it is set again (`mcp-twin secret set MY_TOKEN`) or that server is removed (`mcp-twin remove tool`), `mcp-twin sync` stops (exit 2) before writing any client config.",
  );
  // True: with a client config to write, sync stops on it.
  mkdirSync(path.join(root, "h", ".cursor"), { recursive: true });
  writeFileSync(path.join(root, "h", ".cursor", "mcp.json"), "{}\n");
  const sync = await cli(["sync", "--dry-run"]);
  expect(sync.code).toBe(2);
  expect(sync.stderr).toContain("servers.tool: secret MY_TOKEN is not set.");
  // secret list exits 1 for it, and says how to set it.
  const list = await cli(["secret", "list"]);
  expect(list.code).toBe(1);
  expect(list.stdout).toContain("✖ MY_TOKEN");
  expect(list.stderr).toContain(
    "Set it with `mcp-twin secret set MY_TOKEN` (or export MY_TOKEN): until then, `mcp-twin sync` stops (exit 2) before writing any client config.",
  );
});

test("--dry-run shows the diff and writes nothing; unknown names are exit 2", async () => {
  const r = await cli(["add", "filesystem", "--arg", `folder=${root}`, "--dry-run"]);
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('+    "filesystem": {');
  expect(existsSync(home())).toBe(false);
  expect((await cli(["add", "no-such-thing"])).code).toBe(2);
  expect((await cli(["remove", "nothing"])).code).toBe(2);
  const badFolder = await cli(["add", "filesystem", "--arg", `folder=${path.join(root, "missing")}`]);
  expect(badFolder.code).toBe(2);
  expect(badFolder.stderr).toContain("does not exist");
});

test("an --arg that answers none of the server's inputs is exit 2 naming it, nothing written", async () => {
  // A typo of `folder` must not fall back to the default (the whole home) without a word.
  const typo = await cli(["add", "filesystem", "--arg", `foldr=${root}`, "--yes"]);
  expect(typo.code).toBe(2);
  expect(typo.stderr).toContain("--arg foldr: not an input of filesystem. Did you mean folder?");
  expect(typo.stderr).toContain("The inputs: folder.");
  const none = await cli(["add", "memory", "--arg", "x=1", "--yes"]);
  expect(none.code).toBe(2);
  expect(none.stderr).toContain("--arg x: not an input of memory.");
  expect(none.stderr).toContain("memory takes no --arg.");
  const pkg = await cli(["add", `${inject("fixtureName")}@1.0.0`, "--arg", "x=1", "--yes"]);
  expect(pkg.code).toBe(2);
  expect(pkg.stderr).toContain("is an npm package, not a catalogue entry, so it has no inputs to answer.");
  expect(existsSync(manifest())).toBe(false);
});

test("a catalogue name with a version is that catalogue entry at that version, not npm's package of the same name", async () => {
  const r = await cli(["add", "memory@2026.8.31", "--yes", "--no-sync"]);
  expect(r.code, r.stderr).toBe(0);
  expect(JSON.parse(readFileSync(manifest(), "utf8").replace(/^\/\/.*$/gm, "")).servers.memory).toEqual({
    package: "@modelcontextprotocol/server-memory@2026.8.31",
    share: "machine",
  });
  expect(r.stdout).toContain(
    "memory is the catalogue's @modelcontextprotocol/server-memory (pinned at 2026.8.31).",
  );
  const latest = await cli(["add", "memory@latest", "--name", "m2", "--yes", "--no-sync"]);
  expect(latest.code, latest.stderr).toBe(0);
  expect(latest.stdout).toContain(
    "memory is the catalogue's @modelcontextprotocol/server-memory (at latest, as asked; the catalogue pins 2026.8.31).",
  );
  const remote = await cli(["add", "github@1.0.0", "--yes", "--no-sync"]);
  expect(remote.code).toBe(2);
  expect(remote.stderr).toContain(
    "github is the catalogue's server with no npm package, so it takes no version",
  );
});

test("an npm package that is not in the catalogue is looked up in the registry", async () => {
  const r = await cli(["add", `${inject("fixtureName")}@1.0.0`, "--yes"]);
  expect(r.code).toBe(0);
  expect(readFileSync(manifest(), "utf8")).toContain(
    `"mcp-twin-fixture-server": {\n      "package": "${inject("fixtureName")}@1.0.0"`,
  );
  const typo = await cli(["add", "tavly", "--yes"]);
  expect(typo.code).toBe(2);
  expect(typo.stderr).toContain(
    `"tavly" is not in the catalogue, and npm's registry (${inject("registryUrl")}) has no package of that name.`,
  );
  expect(typo.stderr).toContain("Did you mean tavily?");
});

test("in a terminal: a masked secret prompt that rejects a bad value, then accepts a good one", async () => {
  const pty = runInPty(["add", "tavily"], env, root);
  await pty.waitFor(/Tavily API key.*get one at/);
  pty.type(`abc${KEY.enter}`);
  await pty.waitFor(/does not look like a TAVILY_API_KEY/);
  pty.type(`${KEY.backspace.repeat(3)}${SECRET}${KEY.enter}`);
  // then the offer to sync right away: declined
  await pty.waitFor(/Install it and write it into every client now\?/);
  pty.type(`n${KEY.enter}`);
  const { code, output } = await pty.exit;
  expect(code).toBe(0);
  expect(output).toContain("Added tavily");
  expect(output).not.toContain(SECRET);
  expect(JSON.parse(readFileSync(path.join(home(), "secrets.json"), "utf8")).secrets.TAVILY_API_KEY).toBe(
    SECRET,
  );
});

test("in a terminal: the offer to sync says what sync will do (a uvx server: nothing to install)", async () => {
  const pty = runInPty(["add", "time"], env, root);
  await pty.waitFor(/now\?/);
  pty.type(`n${KEY.enter}`);
  const { code, output } = await pty.exit;
  expect(code).toBe(0);
  expect(output).toContain("Write it into every client now?");
  expect(output).not.toContain("Install it");
  expect(output).toContain("Run `mcp-twin sync` to write it into every client.");
  expect(output).not.toContain("to install it");
});

test("in a terminal: Ctrl-C at a prompt exits 130 and writes nothing", async () => {
  const pty = runInPty(["add", "filesystem"], env, root);
  await pty.waitFor(/A folder the server may read and write/);
  pty.type(KEY.ctrlC);
  const { code } = await pty.exit;
  expect(code).toBe(130);
  expect(existsSync(manifest())).toBe(false);
});

test("secret set of a name no server uses says so (with a did-you-mean), not 'Run mcp-twin sync to use it'", async () => {
  mkdirSync(home(), { recursive: true });
  writeFileSync(
    manifest(),
    JSON.stringify({
      servers: { tool: { command: "node", args: ["x.js"], env: { T: "${secret:MY_SERVICE_TOKEN}" } } },
    }),
  );
  const typo = await cli(["secret", "set", "MY_SERVIC_TOKEN"], "abc123-real-looking");
  expect(typo.code, typo.stderr).toBe(0);
  expect(typo.stdout).toContain(
    "No server in the manifest uses it yet (did you mean MY_SERVICE_TOKEN?): sync writes it where a server's spec says `${secret:MY_SERVIC_TOKEN}`.",
  );
  expect(typo.stdout).not.toContain("to use it");
  const json = await cli(["secret", "set", "MY_SERVIC_TOKEN", "--json"], "abc123-real-looking");
  expect(JSON.parse(json.stdout)).toMatchObject({ set: "MY_SERVIC_TOKEN", usedBy: [] });
  // The name the server does use: sync is what uses it.
  const right = await cli(["secret", "set", "MY_SERVICE_TOKEN", "--json"], "abc123-real-looking");
  expect(JSON.parse(right.stdout)).toMatchObject({ set: "MY_SERVICE_TOKEN", usedBy: ["tool"] });
  const text = await cli(["secret", "set", "MY_SERVICE_TOKEN"], "abc123-real-looking");
  expect(text.stdout).toContain("Run `mcp-twin sync` to use it.");
  for (const r of [typo, json, right, text]) expect(r.stdout + r.stderr).not.toContain("abc123-real-looking");
});
