/**
 * The start at logon's I/O on macOS: the launchd agent written where launchd reads it at login (not
 * loaded now: sync starts the bridge itself), found in place the next time, and taken away —
 * unloaded first (`launchctl remove`), so launchd cannot start the bridge again — with its file.
 * A fake machine whose host says darwin; launchctl is a stand-in that answers as the real one.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import {
  autostartPresent,
  ensureAutostart,
  removeAutostart,
} from "../../src/core/bridge-control/autostart.js";
import { detectEnvironments } from "../../src/core/environments/detect.js";
import { openMachine } from "../../src/core/environments/machine.js";
import { hostFrom } from "../../src/core/system/host.js";
import { createFakeMachine, type FakeMachine } from "../helpers/fake-machine.js";

const SERVICES = path.resolve("test/fixtures/fake-services/fake-services.cjs");
const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

test("macOS: the launchd agent is written, found in place, then unloaded and removed", async () => {
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false });
  machines.push(m);
  const bin = path.join(m.root, "linux-bin", "launchctl");
  writeFileSync(bin, readFileSync(SERVICES, "utf8").replace(/^#!.*\n/, `#!${process.execPath}\n`));
  chmodSync(bin, 0o755);
  const log = path.join(m.root, "linux-bin", "services.log");
  const env = { ...m.env, MCP_TWIN_PLATFORM: "darwin" };
  const machine = await openMachine(hostFrom(env, m.paths.linuxHome, path.join(m.root, "mcp-twin.js")));
  const { environments } = await detectEnvironments(machine);
  const mac = environments.find((e) => e.local);
  if (!mac) throw new Error("no local environment");
  expect(mac.kind).toBe("macos");
  const program = {
    node: "/usr/local/bin/node",
    script: "/usr/local/lib/node_modules/mcp-twin/bin/mcp-twin.js",
  };

  const installed = await ensureAutostart(machine, mac, program, environments);
  const file = path.join(m.paths.linuxHome, "Library", "LaunchAgents", "dev.mcp-twin.bridge.plist");
  expect(installed).toMatchObject({ state: "installed", kind: "launchd", file, name: "dev.mcp-twin.bridge" });
  const plist = readFileSync(file, "utf8");
  expect(plist).toContain(`<string>${program.script}</string>`);
  expect(plist).toContain(`<string>${m.env.XDG_DATA_HOME}</string>`);
  expect(existsSync(log)).toBe(false); // nothing loaded now
  expect(await ensureAutostart(machine, mac, program, environments)).toMatchObject({ state: "present" });
  if (!installed.record) throw new Error("no record");
  expect(await autostartPresent(installed.record, mac, environments)).toBe(true);

  expect(await removeAutostart(installed.record, mac, environments)).toEqual({ removed: true });
  expect(readFileSync(log, "utf8")).toBe("launchctl remove dev.mcp-twin.bridge\n");
  expect(existsSync(file)).toBe(false);
  expect(await autostartPresent(installed.record, mac, environments)).toBe(false);
});
