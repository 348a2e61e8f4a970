/**
 * VS Code ≥ 1.140: its Copilot harness reads Copilot CLI's ~/.copilot/mcp-config.json, and VS Code
 * gives it the profile mcp.json's servers too. One sync on a fake machine with a VS Code install of
 * that version and Copilot CLI present writes each server once across the two files, keeps the
 * servers only VS Code gets in the profile, and says which harness reads which file; at 1.139 both
 * files hold it as before; an entry mcp-twin wrote into the profile earlier goes, a person's stays.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { FakeMachine } from "../helpers/fake-machine.js";
import { runInProcessByDefault } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";

runInProcessByDefault();

const setup = fixtureMachines("fx-vsc0de1140aa");
const SERVERS = {
  web: { url: "https://mcp.example.com/mcp" },
  editor: { url: "https://editor.example.com/mcp", clients: ["vscode"] },
};

/** A Windows side with VS Code of this version installed (its product.json) and Copilot CLI's folder. */
function machine(version: string): { m: FakeMachine; profile: string; copilot: string; install: string } {
  const m = setup({ claudeDesktop: false, cursor: false, claudeCode: false }, SERVERS);
  const profile = path.join(m.paths.appdata, "Code", "User", "mcp.json");
  const copilot = path.join(m.paths.profile, ".copilot", "mcp-config.json");
  const app = path.join(m.paths.localappdata, "Programs", "Microsoft VS Code", "resources", "app");
  mkdirSync(path.dirname(profile), { recursive: true });
  mkdirSync(path.dirname(copilot), { recursive: true });
  mkdirSync(app, { recursive: true });
  const install = path.join(app, "product.json");
  writeFileSync(install, JSON.stringify({ nameShort: "Code", version }));
  return { m, profile, copilot, install };
}
const names = (file: string, key: string) =>
  Object.keys(JSON.parse(readFileSync(file, "utf8"))[key] ?? {}).sort();

describe("VS Code's Copilot harness", () => {
  test("1.140: each server once across the profile and mcp-config.json, and the line says which harness reads which", async () => {
    const { m, profile, copilot } = machine("1.140.0");
    const r = await m.run(["sync"]);
    expect(r.code, r.stderr).toBe(0);
    expect(names(copilot, "mcpServers")).toEqual(["web"]);
    expect(names(profile, "servers")).toEqual(["editor"]);
    expect(r.stdout).toMatch(
      /VS Code 1\.140\.0: its Copilot harness reads web from \S*mcp-config\.json and this file's servers; its Local harness, this file's only/,
    );
    // status and doctor compare with the same entries: nothing missing in the profile.
    const status = await m.run(["status", "--json"]);
    const rows = JSON.parse(status.stdout) as Array<{ server: string; client: string; state: string }>;
    expect(rows.map((row) => `${row.client} ${row.server} ${row.state}`).sort()).toEqual([
      "copilot-cli web synced",
      "vscode editor synced",
    ]);
  });

  test("1.140, `sync --client vscode` alone: what Copilot CLI's file gets in a whole sync is still not written to the profile", async () => {
    const { m, profile, copilot } = machine("1.140.0");
    const alone = await m.run(["sync", "--client", "vscode"]);
    expect(alone.code, alone.stderr).toBe(0);
    // Before: the harness twin was looked for among the run's targets only, so web went to the profile.
    expect(names(profile, "servers")).toEqual(["editor"]);
    expect(existsSync(copilot)).toBe(false);
    expect(alone.stdout).toMatch(/VS Code 1\.140\.0: its Copilot harness reads web from \S*mcp-config\.json/);
    const status = await m.run(["status", "--client", "vscode", "--json"]);
    const rows = JSON.parse(status.stdout) as Array<{ server: string; client: string; state: string }>;
    expect(rows.map((row) => `${row.client} ${row.server} ${row.state}`)).toEqual(["vscode editor synced"]);
    const whole = await m.run(["sync"]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(names(copilot, "mcpServers")).toEqual(["web"]);
    expect(names(profile, "servers")).toEqual(["editor"]);
  });

  test("1.139: both files hold it, as before; once VS Code is 1.140 mcp-twin's own entry leaves the profile, a person's stays", async () => {
    const { m, profile, copilot, install } = machine("1.139.2");
    writeFileSync(
      profile,
      JSON.stringify({ servers: { mine: { type: "http", url: "https://mine.example/mcp" } } }),
    );
    const first = await m.run(["sync"]);
    expect(first.code, first.stderr).toBe(0);
    expect(names(copilot, "mcpServers")).toEqual(["web"]);
    expect(names(profile, "servers")).toEqual(["editor", "mine", "web"]);
    expect(first.stdout).not.toContain("harness");

    writeFileSync(install, JSON.stringify({ version: "1.140.1" }));
    const second = await m.run(["sync"]);
    expect(second.code, second.stderr).toBe(0);
    expect(names(profile, "servers")).toEqual(["editor", "mine"]);
    expect(names(copilot, "mcpServers")).toEqual(["web"]);
    expect(second.stdout).toContain("VS Code 1.140.1: its Copilot harness reads web from");
  });

  test("1.141 (the harness by default): doctor warns where Copilot CLI's file lacks a server only that harness reads, and passes once a whole sync wrote it", async () => {
    const { m, copilot } = machine("1.141.0");
    expect((await m.run(["sync", "--client", "vscode"])).code).toBe(0);
    expect(existsSync(copilot)).toBe(false);
    const before = await m.run(["doctor", "--no-probe"]);
    expect(before.stdout).toMatch(
      /VS Code 1\.141\.0: its Copilot harness reads web from \S*mcp-config\.json, and web is not there, so that harness does not get it\./,
    );
    expect(before.stdout).toMatch(/mcp-twin sync` \(a whole one/);
    expect((await m.run(["sync"])).code).toBe(0);
    const after = await m.run(["doctor", "--no-probe"]);
    expect(after.stdout).toMatch(
      /VS Code 1\.141\.0: its Copilot harness reads web from \S*mcp-config\.json\./,
    );
    expect(after.stdout).not.toContain("that harness does not get");
  });
});
