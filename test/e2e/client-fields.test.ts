/**
 * A client's own fields on an mcp-twin entry (Claude Code's `alwaysLoad`, Gemini's `trust`, Cursor's
 * `auth`): status shows them and calls the entry synced, sync keeps them through an update (comments
 * and CRLF kept), adopt takes them into the manifest's clientFields (a secret one stays in the entry).
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

const CLIENT_SECRET = "fx-cursor-secret-9999999999";
const json = (file: string) => JSON.parse(readFileSync(file, "utf8"));
const manifestOf = (m: FakeMachine) => json(path.join(m.paths.home, "mcp-twin.jsonc"));

function machine(args: string[] = []): FakeMachine {
  const m = createFakeMachine({ kind: "linux" });
  machines.push(m);
  mkdirSync(path.join(m.paths.linuxHome, ".gemini"), { recursive: true });
  mkdirSync(path.join(m.paths.linuxHome, ".cursor"), { recursive: true });
  writeManifest(m, {
    servers: { fx: { command: process.execPath, args: [inject("fixtureScript"), ...args] } },
  });
  return m;
}

function editEntry(file: string, server: string, edit: (entry: Record<string, unknown>) => void): void {
  const cfg = json(file);
  edit(cfg.mcpServers[server]);
  writeFileSync(file, JSON.stringify(cfg, null, 2));
}

describe("the client's own fields on an mcp-twin entry", () => {
  test("Claude Code's alwaysLoad: synced in status, kept by sync's update, adopted into clientFields", async () => {
    const m = machine();
    expect((await m.run(["sync"])).code).toBe(0);
    editEntry(m.paths.claudeCodeConfig, "fx", (e) => {
      e.alwaysLoad = true;
    });

    const status = await m.run(["status", "--json", "--client", "claude-code"]);
    const row = JSON.parse(status.stdout).find((r: { server: string }) => r.server === "fx");
    expect(row).toMatchObject({ state: "synced", kept: ["alwaysLoad"] });
    const human = await m.run(["status", "--client", "claude-code"]);
    expect(human.stdout).toContain(
      "fx in linux claude-code: keeps alwaysLoad (the client's own; sync keeps it)",
    );
    expect(human.stdout).not.toContain("edited by hand");

    // The manifest changes: sync updates the entry's launch and keeps the field.
    writeManifest(m, {
      servers: { fx: { command: process.execPath, args: [inject("fixtureScript"), "--tools", "2"] } },
    });
    const sync = await m.run(["sync", "--client", "claude-code"]);
    expect(sync.code, sync.stderr).toBe(0);
    const entry = json(m.paths.claudeCodeConfig).mcpServers.fx;
    expect(entry.args).toEqual([inject("fixtureScript"), "--tools", "2"]);
    expect(entry.alwaysLoad).toBe(true);

    const adopt = await m.run(["adopt", "fx", "--yes"]);
    expect(adopt.code, adopt.stderr).toBe(0);
    expect(adopt.stdout).not.toContain("means what the manifest says already");
    expect(manifestOf(m).servers.fx.clientFields).toEqual({ "claude-code": { alwaysLoad: true } });

    // The manifest's now: taken out by hand, the next sync writes it back.
    editEntry(m.paths.claudeCodeConfig, "fx", (e) => {
      delete e.alwaysLoad;
    });
    expect((await m.run(["sync", "--client", "claude-code"])).code).toBe(0);
    expect(json(m.paths.claudeCodeConfig).mcpServers.fx.alwaysLoad).toBe(true);
    const after = await m.run(["status", "--json", "--client", "claude-code"]);
    expect(JSON.parse(after.stdout).find((r: { server: string }) => r.server === "fx").state).toBe("synced");
  }, 120_000);

  test("Gemini's trust and timeout in a file with comments and CRLF: kept, and so is the file's form", async () => {
    const m = machine();
    expect((await m.run(["sync", "--client", "gemini-cli"])).code).toBe(0);
    const file = path.join(m.paths.linuxHome, ".gemini", "settings.json");
    const entry = json(file).mcpServers.fx;
    const text = [
      "{",
      "  // my Gemini settings",
      '  "mcpServers": {',
      '    "fx": {',
      `      "command": ${JSON.stringify(entry.command)},`,
      `      "args": ${JSON.stringify(entry.args)},`,
      '      "trust": true, // no confirmations',
      '      "timeout": 30000',
      "    }",
      "  }",
      "}",
      "",
    ].join("\r\n");
    writeFileSync(file, text);
    const status = await m.run(["status", "--json", "--client", "gemini-cli"]);
    expect(JSON.parse(status.stdout).find((r: { server: string }) => r.server === "fx")).toMatchObject({
      state: "synced",
      kept: ["trust", "timeout"],
    });
    writeManifest(m, {
      servers: { fx: { command: process.execPath, args: [inject("fixtureScript"), "--tools", "1"] } },
    });
    expect((await m.run(["sync", "--client", "gemini-cli"])).code).toBe(0);
    const after = readFileSync(file, "utf8");
    expect(after).toContain("// my Gemini settings\r\n");
    expect(after.replace(/\r\n/g, "")).not.toContain("\n");
    const parsed = JSON.parse(after.replace(/\/\/[^\r\n]*/g, ""));
    expect(parsed.mcpServers.fx).toMatchObject({
      trust: true,
      timeout: 30000,
      args: [inject("fixtureScript"), "--tools", "1"],
    });
  }, 120_000);

  test("Cursor's auth holds a secret: kept in the entry, never put into the manifest or printed", async () => {
    const m = machine();
    expect((await m.run(["sync", "--client", "cursor"])).code).toBe(0);
    const file = path.join(m.paths.linuxHome, ".cursor", "mcp.json");
    editEntry(file, "fx", (e) => {
      e.auth = { CLIENT_ID: "fx-client", CLIENT_SECRET };
    });
    const adopt = await m.run(["adopt", "fx", "--yes"]);
    expect(adopt.stdout).toContain("auth: it holds a secret, so it stays in the entry only");
    expect(adopt.stdout + adopt.stderr).not.toContain(CLIENT_SECRET);
    expect(readFileSync(path.join(m.paths.home, "mcp-twin.jsonc"), "utf8")).not.toContain(CLIENT_SECRET);
    writeManifest(m, {
      servers: { fx: { command: process.execPath, args: [inject("fixtureScript"), "--tools", "1"] } },
    });
    expect((await m.run(["sync", "--client", "cursor"])).code).toBe(0);
    expect(json(file).mcpServers.fx.auth).toEqual({ CLIENT_ID: "fx-client", CLIENT_SECRET });
  }, 120_000);

  test("a clientFields field the client does not own is refused, naming the ones it does", async () => {
    const m = machine();
    writeManifest(m, {
      servers: { fx: { command: process.execPath, clientFields: { "claude-code": { command: "x" } } } },
    });
    const r = await m.run(["sync"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is not one of claude-code's own entry fields mcp-twin keeps (alwaysLoad");
  }, 60_000);
});
