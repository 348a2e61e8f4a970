/**
 * Issue 87's budget inside WSL, where each keychain read is powershell.exe through interop (the
 * stand-in logs every call): a sync with nothing to write reads no key when every key-bearing
 * server is reached through the bridge — its fingerprint takes the keys' stamp — and a key changed
 * with `secret set` still reaches the running bridge at the next sync. A `"share": "off"` server's
 * entry holds its key: one read per run, however many entries hold it. A program a `command` server
 * runs, upgraded by hand, changes what the bridge runs: the next sync has it read again.
 */
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expect, inject, test } from "vitest";
import {
  createFakeMachine,
  credentialManagerCalls,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";
import { freePort } from "../helpers/net.js";
import { toolTextVia, urlEntryIn } from "../helpers/url-entry.js";

// In-process runs read the keychain of the fake machine's environment (host.ts runHost).
runInProcessByDefault();

const on = { MCP_TWIN_KEYCHAIN: "on" };
const KEY = "fx-4d2c1b0a9e8f7g6h";
const NEW_KEY = "fx-9Qe2mXc4Rb9LpW3s0Zk7Tn";
// cleanup() stops the bridge each machine recorded, and its keeper, by pid: no `bridge stop` run
// (a process of the binary each) is needed for that.
const machines = machinesCleanedAfterAll();

/** The gateway's part of `sync --json`, the run exiting 0. */
async function syncGateway(m: FakeMachine): Promise<string> {
  const r = await m.run(["sync", "--json"], { env: on });
  expect(r.code, r.stderr + r.stdout).toBe(0);
  expect(r.stdout + r.stderr).not.toContain(KEY);
  const report = JSON.parse(r.stdout) as { gateway?: { gateway?: { state: string } } };
  return report.gateway?.gateway?.state ?? "none";
}

/** A machine whose two servers carry one key (in the keychain), first synced. */
async function machineWith(share?: "off"): Promise<FakeMachine> {
  const m = createFakeMachine({ registryUrl: inject("registryUrl") });
  machines.push(m);
  const server = (n: number) => ({
    package: inject("fixtureName"),
    args: [`--instance=${n}`],
    env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
    ...(share ? { share } : {}),
  });
  writeManifest(m, {
    bridge: { port: await freePort() },
    servers: { fixture: server(1), second: server(2) },
  });
  const set = await m.run(["secret", "set", "FIXTURE_TOKEN"], { input: KEY, env: on });
  expect(set.stdout).toContain("Stored FIXTURE_TOKEN in Windows' Credential Manager.");
  // As Claude Code itself writes it: a private file gets the url entry with its client token.
  chmodSync(m.paths.claudeCodeConfig, 0o600);
  const first = await m.run(["sync"], { env: on });
  expect(first.code, first.stderr + first.stdout).toBe(0);
  return m;
}

/** The length of FIXTURE_TOKEN in the shared server's process, asked through Claude Code's url entry. */
async function keyLengthInBridge(m: FakeMachine): Promise<number> {
  const said = await toolTextVia(urlEntryIn(m.paths.claudeCodeConfig, "fixture"), "env", {
    name: "FIXTURE_TOKEN",
  });
  return (JSON.parse(said) as { length: number }).length;
}

test("a no-op sync whose key-bearing servers run in the bridge starts no powershell.exe; a `secret set` still reaches the bridge at the next sync", async () => {
  const m = await machineWith();
  expect(await keyLengthInBridge(m)).toBe(KEY.length);
  // The bridge the first sync started read the manifest for no fingerprint: read once more.
  expect(await syncGateway(m)).toBe("reloaded");
  m.clearInteropLog();
  expect(await syncGateway(m)).toBe("current");
  expect(credentialManagerCalls(m)).toBe(0);
  // A key set since: another stamp, so the bridge reads the keys again and restarts the server with it.
  const set = await m.run(["secret", "set", "FIXTURE_TOKEN"], { input: NEW_KEY, env: on });
  expect(set.code, set.stderr).toBe(0);
  expect(await syncGateway(m)).toBe("reloaded");
  expect(await keyLengthInBridge(m)).toBe(NEW_KEY.length);
  m.clearInteropLog();
  expect(await syncGateway(m)).toBe("current");
  expect(credentialManagerCalls(m)).toBe(0);
}, 300_000);

test('a no-op sync whose entries hold the key ("share": "off") reads the keychain once, not once per entry, when state lacks their key-less records', async () => {
  const m = await machineWith("off");
  const config = readFileSync(m.paths.claudeCodeConfig, "utf8");
  expect(config.split(KEY).length - 1).toBe(2);
  // State as an older version wrote it: no key-less hash (sync/keyless-entries.ts), so the keys are read.
  const state = path.join(m.paths.home, "state.json");
  writeFileSync(state, readFileSync(state, "utf8").replace(/,\s*"keyless": "[0-9a-f]+"/g, ""));
  m.clearInteropLog();
  const again = await m.run(["sync"], { env: on });
  expect(again.code, again.stderr + again.stdout).toBe(0);
  expect(again.stdout + again.stderr).not.toContain(KEY);
  expect(credentialManagerCalls(m)).toBe(1);
}, 300_000);

test("a program upgraded by hand (npm i -g …@newer) that a command server runs by name makes the next no-op sync reload the bridge", async () => {
  const m = createFakeMachine({ registryUrl: inject("registryUrl") });
  machines.push(m);
  // A global npm prefix as npm leaves it: the package in lib/node_modules, its bin linked on PATH.
  const prefix = path.join(m.paths.linuxHome, ".hand-prefix");
  const pkg = path.join(prefix, "lib", "node_modules", "hand-server");
  mkdirSync(pkg, { recursive: true });
  mkdirSync(path.join(prefix, "bin"));
  const script = `#!/usr/bin/env node\nawait import(${JSON.stringify(pathToFileURL(inject("fixtureScript")).href)});\n`;
  writeFileSync(path.join(pkg, "server.js"), script, { mode: 0o755 });
  const version = (v: string) =>
    writeFileSync(
      path.join(pkg, "package.json"),
      JSON.stringify({ name: "hand-server", version: v, type: "module" }),
    );
  version("1.0.0");
  symlinkSync("../lib/node_modules/hand-server/server.js", path.join(prefix, "bin", "hand-server"));
  const env = { ...on, PATH: `${path.join(prefix, "bin")}:${m.env.PATH}` };
  writeManifest(m, {
    bridge: { port: await freePort() },
    servers: { hand: { command: "hand-server", share: "machine" } },
  });
  chmodSync(m.paths.claudeCodeConfig, 0o600);
  const sync = async () => {
    const r = await m.run(["sync", "--json"], { env });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    return (JSON.parse(r.stdout) as { gateway?: { gateway?: { state: string } } }).gateway?.gateway?.state;
  };
  await sync();
  expect(await sync()).toBe("reloaded");
  expect(await sync()).toBe("current");
  // What `npm i -g hand-server@1.0.1` leaves: the same bin link, the package's new version.
  version("1.0.1");
  expect(await sync()).toBe("reloaded");
  expect(await sync()).toBe("current");
}, 300_000);

test("a bridge whose servers hold no key reads no keychain: no powershell.exe at its start or at `bridge restart`", async () => {
  const m = createFakeMachine({ registryUrl: inject("registryUrl") });
  machines.push(m);
  writeManifest(m, {
    bridge: { port: await freePort() },
    servers: { fixture: { package: inject("fixtureName"), share: "machine" } },
  });
  const first = await m.run(["sync"], { env: on });
  expect(first.code, first.stderr + first.stdout).toBe(0);
  expect(first.stdout).toMatch(/Gateway for 1 shared server (started|running)/);
  m.clearInteropLog();
  const restart = await m.run(["bridge", "restart"], { env: on });
  expect(restart.code, restart.stderr + restart.stdout).toBe(0);
  // The restarted bridge loaded its servers (the manifest read, and the keys only when one needs one).
  const status = await m.run(["bridge", "status", "fixture"], { env: on });
  expect(status.stdout + status.stderr).toContain("fixture");
  expect(credentialManagerCalls(m)).toBe(0);
});
