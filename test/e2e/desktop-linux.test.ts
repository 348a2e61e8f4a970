/**
 * Claude Desktop's Linux (beta) build: once the app has made ~/.config/Claude (or
 * $XDG_CONFIG_HOME/Claude), sync writes its claude_desktop_config.json and the entry starts.
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";
import { handshake } from "../helpers/mcp.js";

runInProcessByDefault();
const machines = machinesCleanedAfterAll();

function linux(): FakeMachine {
  const m = createFakeMachine({ kind: "linux", registryUrl: inject("registryUrl") });
  machines.push(m);
  writeManifest(m, { servers: { fixture: { package: `${inject("fixtureName")}@1.0.0` } } });
  return m;
}

test("where the app made its folder, sync writes its config and the entry starts", async () => {
  const m = linux();
  const dir = path.join(m.paths.linuxHome, ".config", "Claude");
  mkdirSync(dir, { recursive: true });
  const r = await m.run(["sync"]);
  expect(r.code, r.stdout + r.stderr).toBe(0);
  expect(r.stdout).toMatch(
    /linux claude-desktop \S+\/\.config\/Claude\/claude_desktop_config\.json\s+created \+fixture/,
  );
  expect(r.stdout).toContain("Linux (beta) build");
  const entry = JSON.parse(readFileSync(path.join(dir, "claude_desktop_config.json"), "utf8")).mcpServers
    .fixture;
  expect(path.isAbsolute(entry.command)).toBe(true);
  const s = await handshake(entry, { baseEnv: { PATH: m.env.PATH ?? "" } });
  expect(s.tools).toContain("echo");
  await s.close();
});

test("without that folder there is no Desktop target, and --client alone does not make one", async () => {
  const m = linux();
  const r = await m.run(["sync", "--client", "claude-desktop"]);
  expect(r.stdout + r.stderr).not.toContain("claude_desktop_config.json");
});
