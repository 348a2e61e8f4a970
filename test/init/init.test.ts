/**
 * init, unattended and in a real terminal: from nothing to both sides installed and configured,
 * import of what is already there, exit 2 for a missing answer, Ctrl-C (or a signal) exits 130 with
 * nothing written, and a second run adds to the manifest instead of starting over.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  type FakeMachineOptions,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { handshake } from "../helpers/mcp.js";
import { KEY, runInPty } from "../helpers/pty.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const TOKEN = "fx-token-51c9a2e8d7b3";
/** init's flags for the test catalogue's fixture server, with its key. */
const FIXTURE = ["--server", "fixture", "--secret", `FIXTURE_TOKEN=${TOKEN}`];
/** The same server with no key: not shared, so its package goes where its clients run it. */
const PLAIN = ["--server", "plain"];
const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

/** A machine whose home has a third-party catalogue entry for the fixture server (one file). */
function machine(options: FakeMachineOptions = {}): FakeMachine {
  const m = createFakeMachine({ registryUrl: inject("registryUrl"), ...options });
  machines.push(m);
  mkdirSync(path.join(m.paths.home, "templates"), { recursive: true });
  writeFileSync(
    path.join(m.paths.home, "templates", "fixture.jsonc"),
    JSON.stringify({
      name: "fixture",
      title: "Fixture",
      description: "mcp-twin's test server",
      homepage: "https://example.com/fixture",
      runtime: "node",
      server: {
        package: `${inject("fixtureName")}@1.0.0`,
        env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
      },
      secrets: [
        {
          name: "FIXTURE_TOKEN",
          description: "Fixture token",
          url: "https://example.com/token",
          pattern: "^fx-",
        },
      ],
    }),
  );
  writeFileSync(
    path.join(m.paths.home, "templates", "plain.jsonc"),
    JSON.stringify({
      name: "plain",
      title: "Plain",
      description: "a test server with no key",
      homepage: "https://example.com/fixture",
      runtime: "node",
      server: { package: `${inject("fixtureName")}@1.0.0` },
    }),
  );
  return m;
}
/**
 * Nothing written anywhere: no manifest, secrets or state in the home, and no cache either —
 * neither the home's (environment facts, registry answers) nor the Linux one that remembers where
 * the Windows home is. (The home holds only what the test put there: its templates folder, and the
 * gateway port the fake machine recorded — unchanged.)
 */
const expectNothingWritten = (m: FakeMachine) => {
  expect(readdirSync(m.paths.home).filter((f) => f !== "templates" && f !== "bridge.json")).toEqual([]);
  expect(JSON.parse(readFileSync(path.join(m.paths.home, "bridge.json"), "utf8"))).toEqual({
    port: m.bridgePort,
  });
  expect(existsSync(path.join(m.paths.linuxHome, ".cache", "mcp-twin"))).toBe(false);
};
/** Windows Claude Desktop set up by hand, as READMEs say: `cmd /c npx -y` and the key inline. */
function desktopHasFixture(m: FakeMachine, token: string): void {
  mkdirSync(path.dirname(m.paths.claudeDesktopConfig), { recursive: true });
  const fixture = {
    command: "cmd",
    args: ["/c", "npx", "-y", inject("fixtureName")],
    env: { FIXTURE_TOKEN: token },
  };
  writeFileSync(m.paths.claudeDesktopConfig, JSON.stringify({ mcpServers: { fixture } }, null, 2));
}
const json = (f: string) => JSON.parse(readFileSync(f, "utf8"));

/** `init` on a terminal with the fixture picked from the catalogue, at its hidden key prompt. */
async function initAtKeyPrompt(m: FakeMachine) {
  const pty = runInPty(["init"], m.env, m.paths.linuxHome);
  await pty.waitFor(/Add servers from the catalogue/);
  // Type to filter, Enter adds the highlighted server; then Enter on "Done".
  pty.type("fixture");
  await pty.waitFor(/❯\s+fixture/);
  pty.type(KEY.enter);
  await pty.waitFor(/Done — go on with fixture/);
  pty.type(KEY.enter);
  await pty.waitFor(/Fixture token/);
  return pty;
}
const manifestOf = (m: FakeMachine) =>
  JSON.parse(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8").replace(/^\/\/.*$/gm, ""));

describe("init --yes", () => {
  test("the plan says each client's budget from the catalogue's figures: its limit, what it defers", async () => {
    const m = machine();
    const file = path.join(m.paths.home, "templates", "fixture.jsonc");
    // Share off: what is judged is the plan's budget lines, not the bridge a key would start.
    const share = { mode: "off", why: "each client keeps its own entry" };
    writeFileSync(file, JSON.stringify({ ...json(file), budget: { tools: 140, tokens: 31250 }, share }));
    const r = await m.run(["init", "--yes", "--server", "fixture", "--secret", `FIXTURE_TOKEN=${TOKEN}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("tools each client will load (the catalogue's figures;");
    expect(r.stdout).toMatch(/^ {6}Claude Code: 140 tools, ≈31,250 tokens, deferred: its tool search$/m);
    // Cursor searches its tools itself (toolSearch refuses it): deferred, not warned.
    expect(r.stdout).toMatch(
      /^ {6}Cursor: 140 tools, ≈31,250 tokens, deferred: its dynamic context discovery$/m,
    );
    expect(r.stdout).toMatch(
      /^ {6}Claude Desktop: 140 tools, ≈31,250 tokens: over the 25,000 tokens doctor warns at$/m,
    );
  });

  test("from nothing to every client configured: a server with a key runs in the bridge, its key in no client's file", async () => {
    const m = machine();
    try {
      const r = await m.run(["init", "--yes", "--server", "fixture", "--secret", `FIXTURE_TOKEN=${TOKEN}`]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(TOKEN);
      // A template with no share default, but a key in its env: shared, said with how to undo it.
      expect(r.stdout).toContain(
        "fixture: Shared per machine (one process for every client session, in the bridge): its key stays in mcp-twin's home, the bridge adding it. `mcp-twin share fixture <mode>|off` changes it.",
      );
      // The plan is the run's: installed where the bridge runs, the bridge started, no file warned of.
      expect(r.stdout).toContain(`• install ${inject("fixtureName")}@1.0.0 in wsl:Ubuntu\n`);
      expect(r.stdout).toContain("start the bridge in the background");
      expect(r.stdout).not.toContain("will hold a key");
      expect(manifestOf(m).servers.fixture).toEqual({
        package: `${inject("fixtureName")}@1.0.0`,
        env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
      });
      expect(existsSync(path.join(m.paths.linuxPrefix, "lib", "node_modules", inject("fixtureName")))).toBe(
        true,
      );
      for (const f of [m.paths.claudeDesktopConfig, m.paths.cursorConfig, m.paths.claudeCodeConfig])
        expect(readFileSync(f, "utf8"), f).not.toContain(TOKEN);
      // Claude Code's entry (its file readable by others: the relay) reaches it, and the key came.
      const s = await handshake(json(m.paths.claudeCodeConfig).mcpServers.fixture, {
        baseEnv: { ...m.env, PATH: m.env.PATH ?? "" },
      });
      try {
        expect(s.tools).toContain("echo");
        expect(JSON.parse(await s.call("env", { name: "FIXTURE_TOKEN" }))).toEqual({
          set: true,
          length: TOKEN.length,
        });
      } finally {
        await s.close();
      }
    } finally {
      await m.run(["bridge", "stop"]);
    }
  });

  test("a missing answer is exit 2 naming it, and nothing is written", async () => {
    const m = machine();
    const r = await m.run(["init", "--yes", "--server", "fixture"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Secret FIXTURE_TOKEN is needed");
    expectNothingWritten(m);
    const unknown = await m.run(["init", "--yes", "--server", "nope"]);
    expect(unknown.code).toBe(2);
  });

  test("a --secret no chosen server uses (a typo) is named with a did-you-mean, exit 2, nothing written", async () => {
    const m = machine();
    // The typo alone: named first, not only "FIXTURE_TOKEN is needed" as if it had not been given.
    const typo = await m.run(["init", "--yes", "--server", "fixture", "--secret", `FIXTURE_TOKN=${TOKEN}`]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(
      "--secret FIXTURE_TOKN: no server this init sets up uses it. Did you mean FIXTURE_TOKEN?",
    );
    expect(typo.stdout + typo.stderr).not.toContain(TOKEN);
    expectNothingWritten(m);
    // Beside the right one, an extra name is not dropped without a word either (--json: one document).
    const extra = await m.run(["init", "--yes", "--json", ...FIXTURE, "--secret", "UNUSED_KEY=abc"]);
    expect(extra.code).toBe(2);
    const errors = JSON.parse(extra.stdout).errors as Array<{ code: string; message: string }>;
    expect(errors.map((e) => e.code)).toEqual(["unknown-secret"]);
    expect(errors[0]!.message).toBe("--secret UNUSED_KEY: no server this init sets up uses it.");
    expect(extra.stdout + extra.stderr).not.toContain(TOKEN);
    expectNothingWritten(m);
  });

  test("on a configured home, a --secret typo of a kept server's key gets the did-you-mean a fresh home gives", async () => {
    const m = machine();
    writeManifest(m, {
      servers: {
        fixture: { package: inject("fixtureName"), env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" } },
      },
    });
    const manifest = readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8");
    const r = await m.run(["init", "--yes", "--server", "fixture", "--secret", `FIXTURE_TOKN=${TOKEN}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "--secret FIXTURE_TOKN: no server this init sets up uses it. Did you mean FIXTURE_TOKEN?",
    );
    expect(r.stderr).toContain(
      "FIXTURE_TOKEN is used by fixture, kept as it is: `mcp-twin secret set FIXTURE_TOKEN` stores its key.",
    );
    expect(r.stderr).not.toContain("stores one for later");
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8")).toBe(manifest);
  });

  test("a --secret typo of the key of the one server named, already kept: one message, none of it contradicting", async () => {
    const m = machine();
    writeManifest(m, {
      servers: {
        fixture: { package: inject("fixtureName"), env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" } },
      },
    });
    const r = await m.run(["init", "--yes", "--server", "fixture", "--secret", `FIXTURE_TOKN=${TOKEN}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        "✖ --secret FIXTURE_TOKN: no server this init sets up uses it. Did you mean FIXTURE_TOKEN?",
        "ℹ FIXTURE_TOKEN is used by fixture, kept as it is: `mcp-twin secret set FIXTURE_TOKEN` stores its key.",
        "",
      ].join("\n"),
    );
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  test("an --arg for a server the manifest has already: it is kept, said so, with the command that changes its folder", async () => {
    const m = machine();
    const data = path.join(m.paths.linuxHome, "data");
    mkdirSync(data);
    writeManifest(m, {
      servers: { filesystem: { package: "@modelcontextprotocol/server-filesystem", args: ["~"] } },
    });
    const manifest = readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8");
    const r = await m.run([
      "init",
      "--yes",
      "--server",
      "filesystem",
      "--arg",
      `filesystem.folder=${data}`,
      "--no-sync",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        "✖ --arg filesystem.folder: filesystem is in the manifest already and init keeps it as it is, so init does not take its folder.",
        `ℹ \`mcp-twin add filesystem --force --arg folder=${data}\` replaces it with the catalogue's, with that folder; then \`mcp-twin sync\`.`,
        "",
      ].join("\n"),
    );
    expect(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8")).toBe(manifest);
    // What it says to run does it.
    const add = await m.run(["add", "filesystem", "--force", "--arg", `folder=${data}`, "--no-sync"]);
    expect(add.code, add.stderr).toBe(0);
    const after = JSON.parse(
      readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8").replace(/^\s*\/\/.*$/gm, ""),
    );
    expect(after.servers.filesystem.args).toEqual([data]);
  });

  test("--yes without a folder for filesystem: the plan says it gets the whole home, and the flag that gives another", async () => {
    const m = machine();
    const r = await m.run(["init", "--yes", "--server", "filesystem", "--no-sync"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    const plan = lines.indexOf("Plan");
    const said = lines.indexOf(
      "  filesystem: folder ~ (your whole home folder), the catalogue's default; `--arg filesystem.folder=<folder>` gives another.",
    );
    expect(said).toBeGreaterThan(0);
    expect(said).toBeLessThan(plan);
    // Given a folder, nothing of the sort.
    const other = machine();
    mkdirSync(path.join(other.paths.linuxHome, "data"));
    const given = await other.run([
      "init",
      "--yes",
      "--server",
      "filesystem",
      "--arg",
      `filesystem.folder=${path.join(other.paths.linuxHome, "data")}`,
      "--no-sync",
    ]);
    expect(given.code, given.stderr).toBe(0);
    expect(given.stdout).not.toContain("the catalogue's default");
  });

  test("an --arg that answers no chosen server's input is exit 2 naming it, not a silent default", async () => {
    const m = machine();
    // A typo of filesystem's `folder`: the default (the whole home) must not be taken instead.
    const typo = await m.run([
      "init",
      "--yes",
      "--server",
      "filesystem",
      "--arg",
      "foldr=/data",
      "--no-sync",
    ]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("--arg foldr: not an input of filesystem. Did you mean folder?");
    expect(typo.stderr).toContain("The inputs: filesystem.folder.");
    const qualified = await m.run([
      "init",
      "--yes",
      "--server",
      "filesystem",
      "--arg",
      "memory.folder=/data",
      "--no-sync",
    ]);
    expect(qualified.code).toBe(2);
    expect(qualified.stderr).toContain("--arg memory.folder: not an input of filesystem.");
    const none = await m.run(["init", "--yes", "--bridge", "--arg", "folder=/data", "--no-sync", "--json"]);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout).errors[0]).toMatchObject({
      code: "unknown-input",
      message: "--arg folder: no server is being added, so nothing takes it.",
    });
    expectNothingWritten(m);
  });

  test("a --prefer-client no one knows is exit 2 with a did-you-mean, as import says it, nothing written", async () => {
    const m = machine();
    const r = await m.run(["init", "--yes", "--import", "--prefer-client", "curosr", "--no-sync"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--prefer-client curosr: not a client mcp-twin knows. Did you mean cursor?");
    const env = await m.run(["init", "--yes", "--prefer-client", "mars:cursor", "--no-sync"]);
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('--prefer-client mars:cursor: "mars" is not an environment');
    expectNothingWritten(m);
  });

  test("--dry-run shows the plan and the diffs, writes and installs nothing", async () => {
    const m = machine();
    const r = await m.run(["init", "--yes", "--dry-run", ...FIXTURE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Plan");
    expect(r.stdout).toContain("+++ C:\\Users\\alice\\.cursor\\mcp.json");
    expect(r.stdout).not.toContain(TOKEN);
    expectNothingWritten(m);
    expect(existsSync(path.join(m.paths.linuxPrefix, "lib", "node_modules"))).toBe(false);
  });

  test("--dry-run of a server the manifest has already: the sync a real run would do, and one JSON document", async () => {
    const m = machine();
    expect((await m.run(["init", "--yes", ...FIXTURE, "--no-sync"])).code).toBe(0);
    const file = path.join(m.paths.home, "mcp-twin.jsonc");
    const manifest = readFileSync(file, "utf8");
    const configs = () =>
      [m.paths.claudeDesktopConfig, m.paths.cursorConfig, m.paths.claudeCodeConfig].map((f) =>
        existsSync(f) ? readFileSync(f, "utf8") : null,
      );
    const before = configs();
    const asJson = await m.run(["init", "--yes", "--server", "fixture", "--dry-run", "--json"]);
    expect(asJson.code, asJson.stderr).toBe(0);
    const doc = JSON.parse(asJson.stdout);
    expect(doc).toMatchObject({ manifest: file, servers: [] });
    // A real run syncs what the manifest has (nothing new to add does not mean nothing to do).
    expect(
      doc.sync.targets.some((t: { added: string[] }) => t.added.includes("fixture")),
      asJson.stdout,
    ).toBe(true);
    const text = await m.run(["init", "--yes", "--server", "fixture", "--dry-run"]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("fixture is in the manifest already: kept as it is");
    expect(text.stdout).toContain("Targets (dry run: nothing written)");
    expect(text.stdout).toMatch(/would be (created|updated) \+fixture/);
    expect(readFileSync(file, "utf8")).toBe(manifest);
    expect(configs()).toEqual(before);
    expect(existsSync(path.join(m.paths.linuxPrefix, "lib", "node_modules"))).toBe(false);
  });

  test("--no-sync --dry-run previews the manifest only: no sync's actions in the text or the JSON", async () => {
    const m = machine();
    const text = await m.run(["init", "--yes", "--dry-run", "--no-sync", ...FIXTURE]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("write client configs: later, with `mcp-twin sync`");
    expect(text.stdout).toContain("+++ C:\\Users\\alice\\AppData\\Roaming\\mcp-twin\\mcp-twin.jsonc\n");
    // The manifest's diff only: none of a client config.
    expect(text.stdout.match(/^\+\+\+ /gm)).toHaveLength(1);
    expect(text.stdout).not.toContain("Targets");
    expect(text.stdout).not.toContain("would be");
    expect(text.stdout).toContain("Dry run: nothing was written.");
    const asJson = await m.run(["init", "--yes", "--dry-run", "--no-sync", "--json", ...FIXTURE]);
    expect(asJson.code, asJson.stderr).toBe(0);
    expect(JSON.parse(asJson.stdout)).toEqual({
      manifest: path.join(m.paths.home, "mcp-twin.jsonc"),
      servers: ["fixture"],
      synced: false,
    });
    expectNothingWritten(m);
    // The server there already, --no-sync: still one document, saying nothing is added or synced.
    expect((await m.run(["init", "--yes", ...FIXTURE, "--no-sync"])).code).toBe(0);
    const kept = await m.run(["init", "--yes", "--server", "fixture", "--dry-run", "--no-sync", "--json"]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(JSON.parse(kept.stdout)).toEqual({
      manifest: path.join(m.paths.home, "mcp-twin.jsonc"),
      servers: [],
      synced: false,
    });
  });

  test("a second run adds to the manifest and keeps what is there", async () => {
    const m = machine();
    expect((await m.run(["init", "--yes", ...FIXTURE, "--no-sync"])).code).toBe(0);
    const again = await m.run([
      "init",
      "--yes",
      "--server",
      "filesystem",
      "--arg",
      `folder=${m.paths.linuxHome}`,
      "--no-sync",
    ]);
    expect(again.code).toBe(0);
    expect(Object.keys(manifestOf(m).servers)).toEqual(["fixture", "filesystem"]);
    expect(manifestOf(m).bridge).toBeUndefined();
  });

  test("--server naming a server the manifest has already keeps it as it is (edited by hand), and says so", async () => {
    const m = machine();
    const file = path.join(m.paths.home, "mcp-twin.jsonc");
    mkdirSync(m.paths.home, { recursive: true });
    const mine = `{
  "servers": {
    // two folders, one env var: written by hand
    "filesystem": { "package": "@modelcontextprotocol/server-filesystem@2026.8.31", "args": ["${m.paths.linuxHome}", "${m.root}"], "env": { "X": "1" } }
  }
}
`;
    writeFileSync(file, mine);
    const r = await m.run(["init", "--yes", "--server", "filesystem", "--no-sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "filesystem is in the manifest already: kept as it is (`mcp-twin add filesystem --force` replaces it with the catalogue's).",
    );
    expect(readFileSync(file, "utf8")).toBe(mine);
  });

  test("--secret for a server init keeps as it is is exit 2 naming it and `secret set`, not dropped", async () => {
    const m = machine();
    expect((await m.run(["init", "--yes", ...FIXTURE, "--no-sync"])).code).toBe(0);
    const manifestBefore = readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8");
    const secretsBefore = readFileSync(path.join(m.paths.home, "secrets.json"), "utf8");
    const NEW = "fx-token-0000aaaa1111";
    const r = await m.run([
      "init",
      "--yes",
      "--server",
      "fixture",
      "--secret",
      `FIXTURE_TOKEN=${NEW}`,
      "--no-sync",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "--secret FIXTURE_TOKEN: fixture is in the manifest already and init keeps it as it is, so init does not take a key for it.",
    );
    expect(r.stderr).toContain("`mcp-twin secret set FIXTURE_TOKEN` replaces the stored key");
    expect(r.stdout + r.stderr).not.toContain(NEW);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8")).toBe(manifestBefore);
    expect(readFileSync(path.join(m.paths.home, "secrets.json"), "utf8")).toBe(secretsBefore);
  });

  test("keys going to the file for want of a keychain: init says so once, with why and where", async () => {
    const m = machine();
    // The tests' keychain is off (vitest.config.ts): the file is used, and that is why.
    const r = await m.run(["init", "--yes", ...FIXTURE, "--no-sync"]);
    expect(r.code, r.stderr).toBe(0);
    const said = (r.stdout + r.stderr).match(
      /No OS keychain: MCP_TWIN_KEYCHAIN=off; keys go to \S+secrets\.json\./g,
    );
    expect(said?.length).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    // A run that sets no key says nothing of it.
    const again = await m.run(["init", "--yes", "--bridge", "--no-sync"]);
    expect(again.stdout + again.stderr).not.toContain("No OS keychain");
  });

  test("--bridge enables the bridge in the manifest, alone or with servers", async () => {
    const m = machine();
    const r = await m.run(["init", "--yes", "--bridge", "--no-sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("the bridge");
    expect(manifestOf(m).bridge).toEqual({ enabled: true });
    expect(manifestOf(m).servers).toEqual({});
    // A second run with --bridge changes nothing about it.
    const again = await m.run(["init", "--yes", "--bridge", ...FIXTURE, "--no-sync"]);
    expect(again.code, again.stderr).toBe(0);
    expect(manifestOf(m).bridge).toEqual({ enabled: true });
    expect(Object.keys(manifestOf(m).servers)).toEqual(["fixture"]);
  });
});

describe("init --yes --import", () => {
  test("a placeholder key in an imported config is filled from --secret, stored, and synced", async () => {
    const m = machine();
    desktopHasFixture(m, "YOUR_FIXTURE_TOKEN");
    const r = await m.run(["init", "--yes", "--import", "--secret", `FIXTURE_TOKEN=${TOKEN}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect(manifestOf(m).servers.fixture.env).toEqual({ FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" });
    expect(json(path.join(m.paths.home, "secrets.json")).secrets.FIXTURE_TOKEN).toBe(TOKEN);
    // Adopted, so sync rewrote the entry: to the bridge, which holds the key (no client file does).
    const entry = json(m.paths.claudeDesktopConfig).mcpServers.fixture;
    expect(entry.command).toBe("wsl.exe");
    expect(entry.args).toContain("connect");
    expect(readFileSync(m.paths.claudeDesktopConfig, "utf8")).not.toContain(TOKEN);
    await m.run(["bridge", "stop"]);
  }, 120_000);
});

describe("init --port: the bridge's port, pinned before the sync starts it", () => {
  /** The fixture's catalogue entry, shared per machine: a sync starts the bridge for it. */
  function sharedFixture(m: FakeMachine): void {
    const file = path.join(m.paths.home, "templates", "fixture.jsonc");
    writeFileSync(file, JSON.stringify({ ...json(file), share: { mode: "machine", why: "a test server" } }));
  }

  test("the plan says the port before anything starts; --port pins it in the manifest; a bad one is exit 2", async () => {
    const fresh = machine({ bridgePort: false });
    sharedFixture(fresh);
    const plan = await fresh.run(["init", "--yes", ...FIXTURE, "--dry-run"]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      "start the bridge in the background on port 7760 (the default, or the first free one above it; `--port <n>` pins another) for fixture",
    );
    const m = machine();
    sharedFixture(m);
    const pinned = await m.run(["init", "--yes", ...FIXTURE, "--port", "7788", "--dry-run"]);
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(pinned.stdout).toContain(
      "start the bridge in the background on port 7788 (bridge.port) for fixture",
    );
    const written = await m.run(["init", "--yes", ...FIXTURE, "--port", "7788", "--no-sync"]);
    expect(written.code, written.stderr).toBe(0);
    expect(manifestOf(m).bridge).toEqual({ port: 7788 });
    const bad = await m.run(["init", "--yes", "--port", "70000", "--no-sync"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--port 70000: expected a port number from 1 to 65535.");
  });
});

describe("init --secret and secret set: one rule for a key's format", () => {
  test("a --secret for an imported placeholder that the catalogue's format refuses is refused, as secret set refuses it", async () => {
    const m = machine();
    desktopHasFixture(m, "YOUR_FIXTURE_TOKEN");
    const bad = "not-a-fixture-token-4711";
    const set = await m.run(["secret", "set", "FIXTURE_TOKEN"], { input: bad });
    expect(set.code).toBe(2);
    const r = await m.run(["init", "--yes", "--import", "--no-sync", "--secret", `FIXTURE_TOKEN=${bad}`]);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toContain("--secret FIXTURE_TOKEN: the value is not in the format of a FIXTURE_TOKEN.");
    expect(r.stderr).toContain("`mcp-twin secret set FIXTURE_TOKEN --force` stores it");
    expect(r.stdout + r.stderr).not.toContain(bad);
    expect(existsSync(path.join(m.paths.home, "secrets.json"))).toBe(false);
  });
});

describe("init in a terminal", () => {
  test("offers the server found in Claude Desktop, imports it, and syncs both sides", async () => {
    const m = machine();
    desktopHasFixture(m, TOKEN);
    const pty = runInPty(["init"], m.env, m.paths.linuxHome);
    // The question names where they were found: the answered line keeps it on screen.
    await pty.waitFor(
      /A server found in windows claude-desktop: bring it into the manifest \(one entry, for every client\)\?/,
    );
    pty.type(KEY.enter);
    await pty.waitFor(/Add servers from the catalogue/);
    pty.type(KEY.enter); // "Done" is first: nothing from the catalogue
    // Windows and WSL both here: the bridge is offered (default no).
    await pty.waitFor(/share memory, notes and a hand-off queue/);
    pty.type(KEY.enter);
    // One question for all of it: the files, the packages, the client configs.
    await pty.waitFor(/Write these files, install the packages and write the client configs\?/);
    expect(pty.output()).toContain("fixture (imported)");
    // ~/.claude.json (mode 644) receives no key: the imported server, its key in its env, runs
    // in the bridge (said in the plan, before the question).
    expect(pty.output()).not.toContain("will hold a key");
    expect(pty.output()).toContain("start the bridge in the background");
    pty.type(KEY.enter);
    const { code, output } = await pty.exit;
    expect(code).toBe(0);
    expect(output).not.toContain(TOKEN);
    // …and after the write, where the key stays.
    expect(output).not.toContain("now holds a key");
    expect(output).toContain("1 server with a key is now reached through the bridge (fixture)");
    expect(output).not.toMatch(
      /Write these files and go on|Install the packages and write every client config now/,
    );
    for (const file of [m.paths.claudeDesktopConfig, m.paths.claudeCodeConfig])
      expect(readFileSync(file, "utf8")).not.toContain(TOKEN);
    expect(json(m.paths.claudeCodeConfig).mcpServers.fixture.args).toContain("connect");
    expect(json(path.join(m.paths.home, "secrets.json")).secrets.FIXTURE_TOKEN).toBe(TOKEN);
    await m.run(["bridge", "stop"]);
  }, 120_000);

  test("the picker says a server chosen for import is being imported (there is no manifest yet), not 'already in the manifest'", async () => {
    const m = machine();
    desktopHasFixture(m, TOKEN);
    const pty = runInPty(["init"], m.env, m.paths.linuxHome);
    await pty.waitFor(/bring it into the manifest/);
    pty.type(KEY.enter);
    await pty.waitFor(/Add servers from the catalogue/);
    pty.type("fixture");
    await pty.waitFor(/being imported from windows claude-desktop \(chosen above\)/);
    expect(pty.output()).not.toContain("already in the manifest");
    pty.type(KEY.ctrlC);
    expect((await pty.exit).code).toBe(130);
    expectNothingWritten(m);
  }, 60_000);

  test("a server being imported cannot be chosen again in the picker: no answer line claims it was added", async () => {
    const m = machine();
    desktopHasFixture(m, TOKEN);
    const pty = runInPty(["init"], m.env, m.paths.linuxHome);
    await pty.waitFor(/bring it into the manifest/);
    pty.type(KEY.enter);
    await pty.waitFor(/Add servers from the catalogue/);
    pty.type("fixture");
    await pty.waitFor(/being imported from windows claude-desktop \(chosen above\)/);
    // The registry answered (it cannot be reached here): the list is settled.
    await pty.waitFor(/the catalogue still works\)/);
    // Enter does not pick it (it is shown, greyed, with why): the picker goes on.
    pty.type(KEY.enter);
    await pty.waitFor(/share memory, notes and a hand-off queue/);
    expect(pty.output()).not.toMatch(/✔ Add servers from the catalogue[^\n]*fixture/);
    pty.type(KEY.ctrlC);
    expect((await pty.exit).code).toBe(130);
    expectNothingWritten(m);
  }, 60_000);

  test("picks from the catalogue, asks the key hidden (not even its length), and Ctrl-C at a prompt writes nothing (exit 130)", async () => {
    const m = machine();
    const pty = await initAtKeyPrompt(m);
    pty.type(TOKEN);
    await pty.waitFor(/\[input is masked\]/);
    // No mask character per key typed: the screen does not tell the key's length.
    expect(pty.output()).not.toMatch(/\*{3,}/);
    expect(pty.output()).not.toContain(TOKEN);
    pty.type(KEY.ctrlC);
    const { code, output } = await pty.exit;
    expect(code).toBe(130);
    expectNothingWritten(m);
    // It says what is true of this run: nothing was written, so there is nothing "to finish".
    expect(output).toContain("✖ Stopped before anything was written.");
    expect(output).not.toMatch(/Interrupted|run the command again/);
  }, 60_000);

  // A signal, not a keypress: `kill`, or a parent process that goes (SIGHUP: a hang-up). The first
  // one ends the prompt on screen; nothing waits for a second.
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const)
    test(`${signal} sent at the first prompt ends it at once: exit 130, the cursor shown, nothing written`, async () => {
      const m = machine();
      const pty = runInPty(["init"], m.env, m.paths.linuxHome);
      await pty.waitFor(/Add servers from the catalogue/);
      const before = pty.raw().length;
      pty.kill(signal);
      const { code, output } = await pty.exitWithin(5_000);
      expect(code, output).toBe(130);
      // The prompt ended as a prompt ends: its line closed, the cursor shown again.
      expect(pty.raw().slice(before)).toContain("\u001b[?25h");
      expect(output).toContain("✖ Stopped before anything was written.");
      expectNothingWritten(m);
    }, 60_000);

  test("SIGTERM sent at the hidden key prompt (the cursor hidden) shows the cursor again and writes nothing", async () => {
    const m = machine();
    const pty = await initAtKeyPrompt(m);
    // Keys typed, then Enter: the refusal proves the prompt has read them. Without it the signal
    // could come first, and keys `script` passes on after the exit are echoed by the terminal
    // itself, its echo on again (as it must be once mcp-twin ends).
    const typed = `zz${TOKEN.slice(0, 6)}`;
    pty.type(`${typed}${KEY.enter}`);
    await pty.waitFor(/does not look like a FIXTURE_TOKEN/);
    const before = pty.raw().length;
    // The hidden input hides the cursor: a terminal left so would have none after mcp-twin exits.
    expect(pty.raw().lastIndexOf("\u001b[?25l")).toBeGreaterThan(pty.raw().lastIndexOf("\u001b[?25h"));
    pty.kill("SIGTERM");
    const { code, output } = await pty.exitWithin(5_000);
    expect(code, output).toBe(130);
    expect(pty.raw().slice(before)).toContain("\u001b[?25h");
    expect(output).not.toContain(typed);
    expect(output).toContain("✖ Stopped before anything was written.");
    expectNothingWritten(m);
  }, 60_000);

  test("the plan marks what is planned with a bullet, shows Windows files as Windows does; No writes nothing", async () => {
    const m = machine();
    const pty = await initAtKeyPrompt(m);
    pty.type(`${TOKEN}${KEY.enter}`);
    await pty.waitFor(/share memory, notes and a hand-off queue/);
    pty.type(KEY.enter);
    await pty.waitFor(/Write these files, install the packages and write the client configs\?/);
    const screen = pty.output();
    const home = "C:\\Users\\alice\\AppData\\Roaming\\mcp-twin";
    expect(screen).toContain(`Manifest: ${home}\\mcp-twin.jsonc (new)`);
    expect(screen).toContain(`  • create ${home}\\mcp-twin.jsonc: fixture`);
    // On the Windows drive mode bits mean nothing: the profile's ACL is what keeps it private.
    expect(screen).toContain(
      `  • store FIXTURE_TOKEN in ${home}\\secrets.json (in your Windows profile, which its ACL keeps to your Windows account)`,
    );
    expect(screen).not.toContain("0600");
    // Its key in its env: it runs in the bridge (WSL), so only WSL gets it.
    expect(screen).toContain(`  • install ${inject("fixtureName")}@1.0.0 in wsl:Ubuntu\n`);
    expect(screen).toContain("  • write wsl:Ubuntu Claude Code, windows Claude Desktop, windows Cursor");
    expect(screen).not.toMatch(/✔ (create|store|install|write) /);
    expect(screen).not.toContain("/mnt/c/");
    pty.type(`n${KEY.enter}`);
    const { code, output } = await pty.exit;
    expect(code).toBe(0);
    expect(output).toContain("Nothing written.");
    expectNothingWritten(m);
  }, 60_000);
});

describe("packages go only where a client runs them", () => {
  const linuxCopy = (m: FakeMachine) =>
    path.join(m.paths.linuxPrefix, "lib", "node_modules", inject("fixtureName"));
  const windowsCopy = (m: FakeMachine) =>
    path.join(m.paths.windowsPrefix, "node_modules", inject("fixtureName"));

  test("no client in WSL (journeys a and c): init installs only on Windows, and the plan says why in one true line", async () => {
    const m = machine({ claudeCode: false });
    const line =
      "wsl:Ubuntu has no client: nothing to install there (a later sync installs when one appears)";
    const dry = await m.run(["init", "--yes", "--dry-run", ...PLAIN]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`• install ${inject("fixtureName")}@1.0.0 in windows\n`);
    expect(dry.stdout.split(line)).toHaveLength(2);
    const r = await m.run(["init", "--yes", ...PLAIN]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split(line)).toHaveLength(2);
    expect(existsSync(windowsCopy(m))).toBe(true);
    expect(existsSync(linuxCopy(m))).toBe(false);
    // sync says so too (in its own report, once), and --json's rows are only what was done.
    const sync = await m.run(["sync", "--json"]);
    const report = JSON.parse(sync.stdout);
    expect(report.installs.map((i: { env: string }) => i.env)).toEqual(["windows"]);
    expect(report.noClient).toEqual(["wsl:Ubuntu"]);
    const text = await m.run(["sync"]);
    expect(text.stdout.split(line)).toHaveLength(2);
    // `serve --share` runs a server where the bridge is; its advice names the environment, and
    // a named environment gets the manifest's packages, client or not.
    const share = await m.run(["serve", "--share", "plain", "--port", "0"]);
    expect(share.code).toBe(2);
    expect(share.stderr).toContain("Run `mcp-twin sync --env wsl:Ubuntu` first");
    const named = await m.run(["sync", "--env", "wsl:Ubuntu", "--json"]);
    expect(JSON.parse(named.stdout).installs).toMatchObject([{ env: "wsl:Ubuntu", action: "installed" }]);
    // The copy --env installed stays: the next plain sync must not say nothing is installed there.
    const after = await m.run(["sync"]);
    expect(existsSync(linuxCopy(m))).toBe(true);
    expect(after.stdout).not.toContain("nothing installed there");
    expect(after.stdout.split(line)).toHaveLength(2);
    rmSync(linuxCopy(m), { recursive: true });

    // Claude Code appears in WSL: the next sync installs there and writes its entry.
    writeFileSync(m.paths.claudeCodeConfig, '{\n  "mcpServers": {}\n}\n');
    const later = await m.run(["sync"]);
    expect(later.code, later.stderr).toBe(0);
    expect(later.stdout).not.toContain("has no client");
    expect(existsSync(linuxCopy(m))).toBe(true);
    expect(json(m.paths.claudeCodeConfig).mcpServers.plain.command).toBe("/usr/bin/node");
  }, 120_000);

  test("a shared server (no client in WSL): the plan installs it where the bridge runs, and puts its key in no file others can read", async () => {
    const m = machine({ claudeCode: true });
    writeFileSync(
      path.join(m.paths.home, "templates", "shared.jsonc"),
      JSON.stringify({
        name: "shared",
        title: "Shared fixture",
        description: "mcp-twin's test server, shared",
        homepage: "https://example.com/fixture",
        runtime: "node",
        share: { mode: "machine", why: "it keeps nothing between calls" },
        server: {
          package: `${inject("fixtureName")}@1.0.0`,
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
        },
        secrets: [
          {
            name: "FIXTURE_TOKEN",
            description: "Fixture token",
            url: "https://example.com/token",
            pattern: "^fx-",
          },
        ],
      }),
    );
    chmodSync(m.paths.claudeCodeConfig, 0o644);
    const dry = await m.run([
      "init",
      "--yes",
      "--dry-run",
      "--server",
      "shared",
      "--secret",
      `FIXTURE_TOKEN=${TOKEN}`,
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    // It runs in the bridge (WSL) for Claude Desktop, Cursor and Claude Code alike: only WSL gets it.
    expect(dry.stdout).toContain(`• install ${inject("fixtureName")}@1.0.0 in wsl:Ubuntu\n`);
    expect(dry.stdout).not.toContain("has no client");
    // The sync starts the bridge for it and leaves it running: said in the plan, with how to stop it.
    expect(dry.stdout).toContain(
      `  • start the bridge in the background on port ${m.bridgePort} (the one this home keeps) ` +
        "for shared (one process for every client session), and leave it running, started again at logon where this system allows: `mcp-twin bridge stop` stops it until the next sync or logon; `mcp-twin share shared off`, then `mcp-twin sync`, runs it in each client instead\n",
    );
    // Claude Code's file is readable by others, but a shared server's entry there holds no key.
    expect(dry.stdout + dry.stderr).not.toContain("will hold a key");
  }, 60_000);

  test("the plan says each shared server's process count by its mode, and a program not found, before the question", async () => {
    const m = machine({ kind: "linux", uv: false, claudeDesktop: false, cursor: false });
    const template = (name: string, share: string, server: Record<string, unknown>) =>
      writeFileSync(
        path.join(m.paths.home, "templates", `${name}.jsonc`),
        JSON.stringify({
          name,
          title: name,
          description: "a test server",
          homepage: "https://example.com",
          runtime: "node",
          share: { mode: share, why: "a test" },
          server,
        }),
      );
    template("clock", "machine", { command: "uvx", args: ["mcp-server-time"] });
    template("browser", "session", { package: `${inject("fixtureName")}@1.0.0` });
    const dry = await m.run(["init", "--yes", "--dry-run", "--server", "clock", "--server", "browser"]);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = dry.stdout.slice(dry.stdout.indexOf("Plan\n"));
    expect(plan).toContain(
      `  • start the bridge in the background on port ${m.bridgePort} (the one this home keeps) for clock (one process for every client session) and browser (one process per client session, started on its first call), and leave it running,`,
    );
    expect(plan).not.toContain("once there");
    const missing =
      "✖ `uvx` is not found in linux (not on its PATH): clock will not start in Claude Code until it is installed there. Install uv in linux (it provides uvx): `curl -LsSf https://astral.sh/uv/install.sh | sh`; then the bridge starts it on the next call.";
    // In the plan, before any write; the sync's report after it does not say it again.
    expect(plan.indexOf(missing)).toBeGreaterThan(0);
    expect(dry.stdout.split(missing)).toHaveLength(2);
  }, 60_000);

  test("no Linux npm: the WSL client's entry runs Windows' copy, so Windows gets it and WSL nothing", async () => {
    const m = machine({ linuxNpm: false, claudeDesktop: false, cursor: false });
    const r = await m.run(["init", "--yes", ...FIXTURE]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`• install ${inject("fixtureName")}@1.0.0 in windows\n`);
    expect(existsSync(windowsCopy(m))).toBe(true);
    expect(json(m.paths.claudeCodeConfig).mcpServers.fixture.command).toMatch(/node\.exe$/);
  }, 120_000);

  test("a WSL-only server for Windows clients: WSL gets it (their wsl.exe entries run it there), Windows nothing", async () => {
    const m = machine({ claudeCode: false });
    writeManifest(m, {
      servers: {
        fixture: {
          package: `${inject("fixtureName")}@1.0.0`,
          environments: ["wsl"],
          // Its key in each entry: the placement of a server each client starts is what is tested.
          share: "off",
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
        },
      },
    });
    writeSecrets(m, { FIXTURE_TOKEN: TOKEN });
    const r = await m.run(["sync", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.installs.map((i: { env: string }) => i.env)).toEqual(["wsl:Ubuntu"]);
    expect(report.noClient).toBeUndefined();
    expect(existsSync(linuxCopy(m))).toBe(true);
    expect(existsSync(windowsCopy(m))).toBe(false);
    expect(json(m.paths.cursorConfig).mcpServers.fixture.command).toMatch(/wsl\.exe$/i);
  }, 120_000);
});

describe("init where no client was found", () => {
  const bare = () => machine({ claudeDesktop: false, cursor: false, claudeCode: false });
  const linuxCopy = (m: FakeMachine) =>
    path.join(m.paths.linuxPrefix, "lib", "node_modules", inject("fixtureName"));
  const windowsCopy = (m: FakeMachine) =>
    path.join(m.paths.windowsPrefix, "node_modules", inject("fixtureName"));

  test("--yes says so first, writes the manifest and installs nothing; --client installs for that client", async () => {
    const m = bare();
    const r = await m.run(["init", "--yes", ...FIXTURE]);
    expect(r.code, r.stderr).toBe(0);
    const said = r.stdout.indexOf("No AI client found here");
    expect(said).toBeGreaterThan(-1);
    expect(said).toBeLessThan(r.stdout.indexOf("Plan"));
    expect(r.stdout).toContain("Nothing installed: no client was found.");
    expect(manifestOf(m).servers.fixture).toBeDefined();
    expect(existsSync(linuxCopy(m)) || existsSync(windowsCopy(m))).toBe(false);
    // status says which is missing (a client config, not servers) and the way to name one.
    const status = await m.run(["status"]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      "No client config here to hold its server (no client was found, or --client/--env left none): `mcp-twin sync --client <id>` creates the config of the client you name.",
    );

    const empty = bare();
    mkdirSync(empty.paths.home, { recursive: true });
    writeFileSync(path.join(empty.paths.home, "mcp-twin.jsonc"), '{ "servers": {} }\n');
    expect((await empty.run(["status"])).stdout).toContain(
      "The manifest has no servers yet: `mcp-twin add <name>` adds one (`mcp-twin add --list` shows the catalogue).",
    );

    const asJson = await bare().run(["init", "--yes", "--json", ...FIXTURE]);
    expect(JSON.parse(asJson.stdout)).toMatchObject({
      servers: ["fixture"],
      synced: false,
      reason: "no-client",
    });

    // Naming a client is the way to install for one that is not there yet: sync creates its config.
    const named = bare();
    const r2 = await named.run(["init", "--yes", ...PLAIN, "--client", "claude-code", "--env", "wsl"]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).not.toContain("No AI client found here");
    expect(existsSync(linuxCopy(named))).toBe(true);
    expect(json(named.paths.claudeCodeConfig).mcpServers.plain.command).toBe("/usr/bin/node");
  }, 120_000);

  test("in a terminal it asks, and installing for nobody is not the default", async () => {
    const m = bare();
    const pty = runInPty(["init", ...FIXTURE], m.env, m.paths.linuxHome);
    await pty.waitFor(/share memory, notes and a hand-off queue/);
    pty.type(KEY.enter);
    await pty.waitFor(/No client was found to use these servers\. What now\?/);
    expect(pty.output()).toContain("No AI client found here");
    pty.type(KEY.enter); // the default: write the files only
    const { code, output } = await pty.exit;
    expect(code).toBe(0);
    expect(output).toContain("Nothing installed: no client was found.");
    expect(manifestOf(m).servers.fixture).toBeDefined();
    expect(existsSync(linuxCopy(m)) || existsSync(windowsCopy(m))).toBe(false);
  }, 60_000);
});
