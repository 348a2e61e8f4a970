/**
 * A hand edit `sync --force` overwrote, put back by `restore`: byte for byte (a comment inside the
 * entry, its keys' order), and from then on the person's hand edit — the next plain sync keeps it
 * and says so, as it does any hand edit.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";

runInProcessByDefault();

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

describe("restore of a hand edit --force overwrote", () => {
  test("byte for byte, and the next sync keeps it as the person's edit", async () => {
    const m = createFakeMachine({ kind: "linux", cursor: false, claudeDesktop: false, claudeCode: false });
    machines.push(m);
    const file = path.join(m.paths.linuxHome, ".config", "Code", "User", "mcp.json");
    mkdirSync(path.dirname(file), { recursive: true });
    writeManifest(m, { servers: { fx: { command: process.execPath, args: [inject("fixtureScript")] } } });
    expect((await m.run(["sync"])).code).toBe(0);
    const synced = readFileSync(file, "utf8");
    // The person's edit: a comment inside the entry, a key of theirs before the others.
    const edited = synced.replace(
      /("fx": \{\n)/,
      `$1      // mine: more time to start\n      "env": { "FX_SLOW": "1" },\n`,
    );
    expect(edited).not.toBe(synced);
    writeFileSync(file, edited);
    const forced = await m.run(["sync", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain("`mcp-twin restore` puts the edit back");
    expect(readFileSync(file, "utf8")).toBe(synced);

    const restored = await m.run(["restore", "--yes"]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(edited);
    expect(restored.stdout).toContain(
      "fx in linux vscode is a hand edit again: `mcp-twin sync` leaves it as it is (--force puts the manifest's entry back).",
    );
    expect(restored.stdout).not.toContain("writes the manifest's entries again");

    const again = await m.run(["sync"]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(edited);
    expect(again.stdout).toContain("fx: edited by hand since the last sync; kept");
  }, 120_000);

  test("Goose's YAML and Codex's TOML: the edit comes back byte for byte (its comments, its keys' order)", async () => {
    const m = createFakeMachine({ kind: "linux", cursor: false, claudeDesktop: false, claudeCode: false });
    machines.push(m);
    const goose = path.join(m.paths.linuxHome, ".config", "goose", "config.yaml");
    const codex = path.join(m.paths.linuxHome, ".codex", "config.toml");
    mkdirSync(path.dirname(goose), { recursive: true });
    mkdirSync(path.dirname(codex), { recursive: true });
    writeFileSync(goose, "# my goose\nextensions: {}\n");
    writeFileSync(codex, '# my codex\nmodel = "o4"\n');
    writeManifest(m, { servers: { fx: { command: process.execPath, args: [inject("fixtureScript")] } } });
    expect((await m.run(["sync"])).code).toBe(0);
    // A key of the person's first, with a comment on its line and one above it.
    const gooseEdited = readFileSync(goose, "utf8").replace(
      /( {2}fx:\n)/,
      '$1    # mine: slow to start\n    envs: # for the fixture\n      FX_SLOW: "1"\n',
    );
    const codexEdited = readFileSync(codex, "utf8").replace(
      /(\[mcp_servers\.fx\]\n)/,
      '$1# mine: slow to start\nenv = { FX_SLOW = "1" } # for the fixture\n',
    );
    writeFileSync(goose, gooseEdited);
    writeFileSync(codex, codexEdited);
    const forced = await m.run(["sync", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(goose, "utf8")).not.toBe(gooseEdited);
    expect(readFileSync(codex, "utf8")).not.toBe(codexEdited);
    const restored = await m.run(["restore", "--yes"]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(readFileSync(goose, "utf8")).toBe(gooseEdited);
    expect(readFileSync(codex, "utf8")).toBe(codexEdited);
    const again = await m.run(["sync"]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(goose, "utf8")).toBe(gooseEdited);
    expect(readFileSync(codex, "utf8")).toBe(codexEdited);
  }, 120_000);

  test("Continue's YAML list: the edit comes back byte for byte (its comment, its keys' order), and the next sync keeps it", async () => {
    const m = createFakeMachine({ kind: "linux", cursor: false, claudeDesktop: false, claudeCode: false });
    machines.push(m);
    const file = path.join(m.paths.linuxHome, ".continue", "config.yaml");
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "name: Main Config\nversion: 1.0.0\nschema: v1\nmodels: []\n");
    writeManifest(m, { servers: { fx: { command: process.execPath, args: [inject("fixtureScript")] } } });
    expect((await m.run(["sync"])).code).toBe(0);
    // The person's env, first in the item, with a comment of theirs on its line.
    const edited = readFileSync(file, "utf8").replace(
      /( {2}- name: fx\n)/,
      '$1    env:\n      FX_GRAPH: "1" # my own graph\n',
    );
    writeFileSync(file, edited);
    const forced = await m.run(["sync", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).not.toContain("my own graph");
    const restored = await m.run(["restore", "--yes"]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(edited);
    expect(restored.stdout).toContain("fx in linux continue is a hand edit again");
    const again = await m.run(["sync"]);
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(edited);
    expect(again.stdout).toContain("fx: edited by hand since the last sync; kept");
  }, 120_000);

  test("restore after a --force that changed one server says nothing of another it did not put back", async () => {
    const m = createFakeMachine({ kind: "linux", uv: false, cursor: false, claudeDesktop: false });
    machines.push(m);
    writeManifest(m, {
      servers: {
        time: { command: "uvx", args: ["mcp-server-time"] },
        fx: { command: process.execPath, args: [inject("fixtureScript")] },
      },
    });
    await m.run(["sync"]);
    const file = m.paths.claudeCodeConfig;
    const json = JSON.parse(readFileSync(file, "utf8"));
    json.mcpServers.fx.env = { FX_SLOW: "1" };
    writeFileSync(file, JSON.stringify(json, null, 2));
    const forced = await m.run(["sync", "--force"]);
    expect(forced.stdout).toContain("fx: edited by hand since the last sync; overwritten");
    const restored = await m.run(["restore", "--yes"]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain("fx put back");
    // time's entry was not touched by the --force nor by the restore: no "was put back", no uvx advice.
    expect(restored.stdout).not.toContain("time in linux claude-code was put back");
    expect(restored.stdout).not.toContain("uvx");
  }, 120_000);
});
