/**
 * The start at logon's I/O on macOS: the launchd agent written where launchd reads it at login (not
 * loaded now: sync starts the bridge itself), found in place the next time, and taken away —
 * unloaded first (`launchctl remove`), so launchd cannot start the bridge again — with its file.
 * A fake machine whose host says darwin; launchctl is a stand-in that answers as the real one.
 * And the systemd unit as systemd itself reads it (`systemd-analyze verify`, where installed).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { ensureAutostart, removeAutostart } from "../../src/core/bridge-control/autostart.js";
import { planAutostart, SOCKET_NAME, UNIT_NAME } from "../../src/core/bridge-control/autostart-plan.js";
import { detectEnvironments } from "../../src/core/environments/detect.js";
import { openMachine } from "../../src/core/environments/machine.js";
import { hostFrom } from "../../src/core/system/host.js";
import { BIN, createFakeMachine, type FakeMachine } from "../helpers/fake-machine.js";

const SERVICES = path.resolve("test/fixtures/fake-services/fake-services.cjs");
const LISTEN = { host: "127.0.0.1", port: 47823 };
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

  const installed = await ensureAutostart(machine, mac, program, environments, { listen: LISTEN });
  const file = path.join(m.paths.linuxHome, "Library", "LaunchAgents", "dev.mcp-twin.bridge.plist");
  expect(installed).toMatchObject({ state: "installed", kind: "launchd", file, name: "dev.mcp-twin.bridge" });
  const plist = readFileSync(file, "utf8");
  expect(plist).toContain(`<string>${program.script}</string>`);
  expect(plist).toContain(`<string>${m.env.XDG_DATA_HOME}</string>`);
  expect(existsSync(log)).toBe(false); // nothing loaded now
  expect(await ensureAutostart(machine, mac, program, environments, { listen: LISTEN })).toMatchObject({
    state: "present",
  });
  if (!installed.record) throw new Error("no record");

  expect(await removeAutostart(installed.record, mac, environments)).toEqual({ removed: true });
  expect(readFileSync(log, "utf8")).toBe("launchctl remove dev.mcp-twin.bridge\n");
  expect(existsSync(file)).toBe(false);
});

const analyze = (() => {
  try {
    execFileSync("systemd-analyze", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
if (!analyze) console.warn("the systemd unit's check is skipped: systemd-analyze is not installed");

test.skipIf(!analyze)(
  "the systemd units (the socket and its service) are ones systemd reads: nothing it does not know",
  () => {
    const plan = planAutostart({
      bridge: { id: "linux", kind: "linux", home: "/home/ann", vars: {} },
      program: { node: process.execPath, script: BIN },
      listen: LISTEN,
      stateDir: "/home/ann/.local/share/mcp-twin/bridge",
      systemd: true,
      carried: { PATH: "/usr/bin:/opt/a b", MCP_TWIN_HOME: "/home/ann/100%/$x" },
    });
    if (plan.kind !== "systemd" || typeof plan.text !== "string" || !plan.service) throw new Error(plan.kind);
    const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-unit-"));
    try {
      const socket = path.join(dir, SOCKET_NAME);
      writeFileSync(socket, plan.text);
      writeFileSync(path.join(dir, UNIT_NAME), plan.service.text);
      const r = spawnSync("systemd-analyze", ["verify", socket, path.join(dir, UNIT_NAME)], {
        encoding: "utf8",
      });
      const said = `${r.stdout}${r.stderr}`.split("\n").filter(Boolean);
      const newer = /Unknown key '(RestartSteps|RestartMaxDelaySec)' in section \[Service\], ignoring\.$/;
      expect(said.filter((l) => !newer.test(l))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
