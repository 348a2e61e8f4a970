/**
 * The whole loop on a fake Windows + WSL machine: a Windows Claude Desktop entry written the
 * classic way (`cmd /c npx -y <pkg>` with an inline key) → `import --yes` → the manifest names the
 * package with a ${secret:} reference, the key sits in secrets.json (0600), the entry is adopted →
 * `sync` rewrites that same entry into `C:\PROGRA~1\nodejs\node.exe <script>` (no foreign warning),
 * and a real MCP handshake through it receives the key. The key is never printed.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { targetKey } from "../../src/core/clients/targets.js";
import { entryHash } from "../../src/core/ledger/state.js";
import {
  createFakeMachine,
  type FakeMachine,
  type RunResult,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { handshake } from "../helpers/mcp.js";
import { manifestOf, placeJson, places, stateOf } from "./helpers.js";

// mcp-twin runs in this process (test/helpers/in-process.ts); MCP_TWIN_TEST_CLI=binary runs the binary.
runInProcessByDefault();

const KEY = "fx-live-123456";
let m: FakeMachine;
let imported: RunResult;
let synced: RunResult;
let classic: Record<string, unknown>;
let stateAfterImport: ReturnType<typeof stateOf>;
let manifestAfterImport: ReturnType<typeof manifestOf>;

beforeAll(async () => {
  m = createFakeMachine({ registryUrl: inject("registryUrl") });
  classic = {
    command: "cmd",
    args: ["/c", "npx", "-y", inject("fixtureName")],
    env: { FIXTURE_API_KEY: KEY },
  };
  placeJson(places(m).desktop, { globalShortcut: "Ctrl+Space", mcpServers: { fixture: classic } });
  imported = await m.run(["import", "--yes"]);
  stateAfterImport = stateOf(m);
  manifestAfterImport = manifestOf(m);
  // Its key in the entry, as this loop checks it (a key-carrying server is otherwise reached
  // through the bridge: test/secrets/keychain.test.ts).
  expect((await m.run(["share", "fixture", "off"])).code).toBe(0);
  synced = await m.run(["sync", "--json"]);
}, 240_000);
afterAll(() => m?.cleanup());

const onDrive = (command: string) =>
  /^[A-Za-z]:\\/.test(command) ? path.join(m.paths.drive, ...command.slice(3).split("\\")) : command;

describe("import → sync → handshake", () => {
  test("import writes the package with a secret reference and stores the key privately", () => {
    expect(imported.code, imported.stderr).toBe(0);
    expect(manifestAfterImport.servers).toEqual({
      fixture: { package: inject("fixtureName"), env: { FIXTURE_API_KEY: "${secret:FIXTURE_API_KEY}" } },
    });
    const secrets = path.join(m.paths.home, "secrets.json");
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(secrets, "utf8")).secrets).toEqual({ FIXTURE_API_KEY: KEY });
  });

  test("the classic entry is adopted: state holds the hash of the entry as it was", () => {
    const key = targetKey("windows", "claude-desktop", "user", places(m).desktop.native);
    expect(stateAfterImport.targets[key]!.entries.fixture!.hash).toBe(entryHash(classic));
    // After sync, state records what sync wrote instead.
    const written = JSON.parse(readFileSync(m.paths.claudeDesktopConfig, "utf8")).mcpServers.fixture;
    expect(stateOf(m).targets[key]!.entries.fixture!.hash).toBe(entryHash(written));
  });

  test("sync rewrites the adopted entry into the installed form, with no foreign warning", () => {
    expect(synced.code, synced.stderr).toBe(0);
    const report = JSON.parse(synced.stdout) as {
      targets: Array<{ client: string; env: string; updated: string[]; added: string[]; foreign?: string[] }>;
    };
    const desktop = report.targets.find((t) => t.client === "claude-desktop")!;
    expect(desktop.updated).toEqual(["fixture"]);
    expect(report.targets.every((t) => (t.foreign ?? []).length === 0)).toBe(true);
    const config = JSON.parse(readFileSync(m.paths.claudeDesktopConfig, "utf8"));
    expect(config.globalShortcut).toBe("Ctrl+Space");
    expect(config.mcpServers.fixture).toEqual({
      command: "C:\\PROGRA~1\\nodejs\\node.exe",
      args: [
        `C:\\Users\\${m.windowsUser}\\AppData\\Roaming\\npm\\node_modules\\${inject("fixtureName")}\\dist\\server.js`,
      ],
      env: { FIXTURE_API_KEY: KEY },
    });
    // The other clients got it too.
    expect(
      report.targets
        .filter((t) => t.added.includes("fixture"))
        .map((t) => `${t.env} ${t.client}`)
        .sort(),
    ).toEqual(["windows cursor", "wsl:Ubuntu claude-code"]);
  });

  test("a real MCP handshake through the rewritten entry works and receives the key", async () => {
    const entry = JSON.parse(readFileSync(m.paths.claudeDesktopConfig, "utf8")).mcpServers.fixture;
    const session = await handshake(entry, { resolveCommand: onDrive, baseEnv: { PATH: m.env.PATH ?? "" } });
    try {
      expect(session.serverName).toBe("mcp-twin-fixture");
      expect(JSON.parse(await session.call("env", { name: "FIXTURE_API_KEY" }))).toEqual({
        set: true,
        length: KEY.length,
      });
    } finally {
      await session.close();
    }
  });

  test("the key never appears on stdout or stderr, nor in the manifest or state", () => {
    for (const r of [imported, synced]) expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8")).not.toContain(KEY);
    expect(readFileSync(path.join(m.paths.home, "state.json"), "utf8")).not.toContain(KEY);
  });
});

describe("without import (the same manifest written by hand, nothing adopted)", () => {
  let other: FakeMachine;
  afterAll(() => other?.cleanup());

  test("sync reports the classic entry as foreign and leaves it alone", async () => {
    other = createFakeMachine({ registryUrl: inject("registryUrl") });
    placeJson(places(other).desktop, { mcpServers: { fixture: classic } });
    writeManifest(other, {
      servers: {
        fixture: { package: inject("fixtureName"), env: { FIXTURE_API_KEY: "${secret:FIXTURE_API_KEY}" } },
      },
    });
    writeSecrets(other, { FIXTURE_API_KEY: KEY });
    const r = await other.run(["sync", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const desktop = JSON.parse(r.stdout).targets.find(
      (t: { client: string }) => t.client === "claude-desktop",
    );
    expect(desktop.foreign).toEqual(["fixture"]);
    expect(JSON.parse(readFileSync(other.paths.claudeDesktopConfig, "utf8")).mcpServers.fixture).toEqual(
      classic,
    );
  }, 180_000);

  test("import then adopts the entry, brings nothing into the manifest, and says so (no 'Next: mcp-twin sync')", async () => {
    const r = await other.run(["import", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Nothing new for the manifest: fixture is in it already, as found.\n");
    expect(r.stdout).toContain(
      "1 entry adopted: `mcp-twin sync` may now rewrite it into the installed form.",
    );
    expect(r.stdout).not.toContain("Next:");
    expect(r.stdout).not.toContain(KEY);
  });
});
