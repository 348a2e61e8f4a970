/**
 * Clients that moved, said where the person's files are found: Amazon Q Developer CLI's
 * ~/.aws/amazonq/mcp.json (Kiro CLI replaced it and reads ~/.kiro/settings/mcp.json) is said once
 * by sync, status and doctor, with where mcp-twin writes now, and its servers are imported, the
 * file never written; Roo Code's end is said by status and doctor where its settings file exists.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { clientById } from "../../src/core/clients/index.js";
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

function linux(): FakeMachine {
  const m = createFakeMachine({ kind: "linux", cursor: false, claudeDesktop: false, claudeCode: false });
  machines.push(m);
  writeManifest(m, { servers: { web: { url: "https://mcp.example.com/mcp" } } });
  return m;
}

const times = (text: string, line: string) => text.split(line).length - 1;

test("Amazon Q Developer CLI's file: sync, status and doctor each say once that it is Kiro CLI now and where mcp-twin writes; its servers are imported, the file never written", async () => {
  const m = linux();
  const amazonq = path.join(m.paths.linuxHome, ".aws", "amazonq", "mcp.json");
  mkdirSync(path.dirname(amazonq), { recursive: true });
  const before = `{\n  "mcpServers": {\n    "qserver": { "command": "node", "args": ["q.js"] }\n  }\n}\n`;
  writeFileSync(amazonq, before);
  const said =
    /Amazon Q Developer CLI is now Kiro CLI, which reads ~\/\.kiro\/settings\/mcp\.json: mcp-twin writes there\./;
  const sync = await m.run(["sync"]);
  expect(sync.code, sync.stderr).toBe(0);
  const kiro = path.join(m.paths.linuxHome, ".kiro", "settings", "mcp.json");
  expect(Object.keys(JSON.parse(readFileSync(kiro, "utf8")).mcpServers)).toEqual(["web"]);
  expect(readFileSync(amazonq, "utf8")).toBe(before);
  for (const args of [["status"], ["doctor", "--no-probe"]]) {
    const r = await m.run(args);
    expect(r.stdout, args[0]).toMatch(said);
  }
  for (const r of [sync, await m.run(["status"]), await m.run(["doctor", "--no-probe"])])
    expect(times(r.stdout, "Amazon Q Developer CLI is now Kiro CLI"), r.stdout).toBe(1);
  // Its servers are carried into the manifest, then written where Kiro CLI reads them.
  const planned = await m.run(["import", "--dry-run"]);
  expect(planned.stdout).toContain(
    "linux kiro (Amazon Q Developer CLI's file, which Kiro CLI (its successor) does not read)",
  );
  const imported = await m.run(["import", "--yes"]);
  expect(imported.code, imported.stderr).toBe(0);
  expect(imported.stdout).toContain("qserver");
  expect((await m.run(["sync"])).code).toBe(0);
  expect(Object.keys(JSON.parse(readFileSync(kiro, "utf8")).mcpServers).sort()).toEqual(["qserver", "web"]);
  expect(readFileSync(amazonq, "utf8")).toBe(before);
});

test("no Amazon Q file: nothing said of it, and no Kiro file made", async () => {
  const m = linux();
  const sync = await m.run(["sync"]);
  expect(sync.code, sync.stderr).toBe(0);
  expect(sync.stdout).not.toContain("Amazon Q");
  expect(existsSync(path.join(m.paths.linuxHome, ".kiro"))).toBe(false);
  expect((await m.run(["status"])).stdout).not.toContain("Amazon Q");
});

test("Roo Code's settings file: status and doctor say once that it ended, and what to use instead", async () => {
  const m = linux();
  const roo = path.join(
    m.paths.linuxHome,
    ".config",
    "Code",
    "User",
    "globalStorage",
    "rooveterinaryinc.roo-cline",
    "settings",
    "mcp_settings.json",
  );
  mkdirSync(path.dirname(roo), { recursive: true });
  writeFileSync(roo, '{\n  "mcpServers": {}\n}\n');
  const notice = clientById("roo-code")?.notice ?? "";
  expect(notice).toMatch(/Roo Code shut down on 2026-05-15; Zoo Code continues it/);
  expect((await m.run(["sync"])).code).toBe(0);
  for (const args of [["status"], ["doctor", "--no-probe"]]) {
    const r = await m.run(args);
    expect(times(r.stdout, notice), `${args[0]}:\n${r.stdout}`).toBe(1);
  }
});
