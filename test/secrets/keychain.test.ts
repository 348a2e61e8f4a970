/**
 * Keys where keys belong (issue 87): with a real Secret Service (gnome-keyring on a private D-Bus
 * bus), `secret set` keeps a key in it and no file under the home holds the key nor its base64; an
 * existing secrets.json is moved into it on the first read, said in one line; with no keychain the
 * file is used, and said.
 */
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { startKeyedRemote } from "../helpers/keyed-remote.js";
import { fixtureMachines } from "../helpers/machines.js";
import { freePort } from "../helpers/net.js";
import { type SecretService, startSecretService } from "../helpers/secret-service.js";
import { type UrlEntry, viaUrlEntry } from "../helpers/url-entry.js";

runInProcessByDefault();

const KEY = "fixture-key-7Qe2mXc4Rb9LpW3s";
const setup = fixtureMachines(KEY);

let bus: SecretService;
const before = process.env.DBUS_SESSION_BUS_ADDRESS;
const keychainBefore = process.env.MCP_TWIN_KEYCHAIN;
beforeAll(() => {
  bus = startSecretService();
  // The native library reads the bus address from this process's environment (in-process runs),
  // and the keychain is on for them (vitest.config.ts turns it off for every other test).
  process.env.DBUS_SESSION_BUS_ADDRESS = bus.address;
  delete process.env.MCP_TWIN_KEYCHAIN;
});
afterAll(() => {
  if (before === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
  else process.env.DBUS_SESSION_BUS_ADDRESS = before;
  if (keychainBefore !== undefined) process.env.MCP_TWIN_KEYCHAIN = keychainBefore;
  bus.stop();
});

const service = (m: FakeMachine) => `mcp-twin:${m.paths.home}`;

/** Every file under a folder whose bytes hold the key or its base64. */
function holding(dir: string, key: string): string[] {
  const spellings = [key, Buffer.from(key).toString("base64")];
  const found: string[] = [];
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const file = path.join(dir, name);
    if (!statSync(file, { throwIfNoEntry: false })?.isFile()) continue;
    const text = readFileSync(file, "latin1");
    if (spellings.some((s) => text.includes(s))) found.push(file);
  }
  return found;
}

describe("with the Secret Service answering", () => {
  test("`secret set` keeps the key there: no file under the home holds it, and `secret list` says where", async () => {
    const m = setup({ kind: "linux" });
    writeSecrets(m, {});
    const set = await m.run(["secret", "set", "FIXTURE_TOKEN"], { input: KEY });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain("Stored FIXTURE_TOKEN in the Secret Service.");
    expect(bus.items(service(m))).toEqual({ FIXTURE_TOKEN: KEY });
    expect(holding(m.paths.home, KEY)).toEqual([]);
    const list = await m.run(["secret", "list"]);
    expect(list.stdout).toMatch(/FIXTURE_TOKEN\s+stored in the Secret Service, used by fixture/);
    expect(list.stdout + list.stderr).not.toContain(KEY);
    // doctor says where the keys live, and that the file holds none.
    const doctor = JSON.parse((await m.run(["doctor", "--json", "--no-probe"])).stdout);
    expect(
      (doctor.checks as Array<{ id: string; message: string }>)
        .filter((c) => c.id === "secrets.file")
        .map((c) => c.message),
    ).toEqual([expect.stringMatching(/^1 secret kept in the Secret Service; .*secrets\.json holds none\.$/)]);
    const rm = await m.run(["secret", "rm", "FIXTURE_TOKEN"]);
    expect(rm.code, rm.stderr).toBe(0);
    expect(bus.items(service(m))).toEqual({});
  });

  test("a home's secrets.json is moved into it on the first read, said in one line; nothing is left in the file", async () => {
    const m = setup({ kind: "linux" });
    const file = path.join(m.paths.home, "secrets.json");
    expect(readFileSync(file, "utf8")).toContain(KEY);
    const r = await m.run(["sync", "--dry-run"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain("Moved FIXTURE_TOKEN from");
    expect(r.stdout + r.stderr).toContain("into the Secret Service.");
    expect(bus.items(service(m))).toEqual({ FIXTURE_TOKEN: KEY });
    expect(readFileSync(file, "utf8")).not.toContain(KEY);
    // Said once: the next run reads the keychain only.
    const again = await m.run(["secret", "list"]);
    expect(again.stdout + again.stderr).not.toContain("Moved");
    expect(again.stdout).toMatch(/FIXTURE_TOKEN\s+stored in the Secret Service/);
  });

  test("a home whose keys are in the keychain, the keychain gone: said, and no empty file read instead", async () => {
    const m = setup({ kind: "linux" });
    expect((await m.run(["secret", "list"])).code).toBe(0);
    process.env.DBUS_SESSION_BUS_ADDRESS = "unix:path=/nonexistent/bus";
    try {
      const r = await m.run(["sync", "--dry-run"]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("Your keys are in the OS keychain, and the Secret Service did not answer");
    } finally {
      process.env.DBUS_SESSION_BUS_ADDRESS = bus.address;
    }
  });
});

describe("with no keychain", () => {
  test("the file keeps the keys, and `secret set` and `secret list` say so", async () => {
    const m = setup({ kind: "linux" });
    process.env.DBUS_SESSION_BUS_ADDRESS = "unix:path=/nonexistent/bus";
    try {
      const set = await m.run(["secret", "set", "OTHER_KEY"], { input: "other-value-0123456789" });
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toMatch(/Stored OTHER_KEY in .*secrets\.json \(mode 0600\)/);
      expect(set.stdout + set.stderr).toContain("No OS keychain is used: the Secret Service did not answer");
      const list = await m.run(["secret", "list"]);
      expect(list.stdout + list.stderr).toMatch(
        /Keys are kept in .*secrets\.json \(mode 0600\): the Secret Service did not answer/,
      );
      expect(readFileSync(path.join(m.paths.home, "secrets.json"), "utf8")).toContain(KEY);
      const doctor = JSON.parse((await m.run(["doctor", "--json", "--no-probe"])).stdout);
      expect(
        (doctor.checks as Array<{ id: string; message: string }>)
          .filter((c) => c.id === "secrets.file")
          .map((c) => c.message),
      ).toEqual([
        expect.stringMatching(/secrets\.json holds 2 secrets and is private \(mode 600\)\.$/),
        expect.stringMatching(
          /^No OS keychain is used: the Secret Service did not answer \(.*\); keys are kept in .*secrets\.json\.$/,
        ),
      ]);
    } finally {
      process.env.DBUS_SESSION_BUS_ADDRESS = bus.address;
    }
  });
});

/** A url entry used as its client would: its url and headers, nothing else; the echo tool's answer. */
const echoVia = (entry: UrlEntry): Promise<string> =>
  viaUrlEntry(entry, async (client) =>
    JSON.stringify((await client.callTool({ name: "echo", arguments: { text: "hi" } })).content),
  );

/**
 * A home whose manifest has a remote written by hand (no `share`, its key in a header), the key set
 * in the keychain, and Claude Code's file private as Claude Code keeps it; undone if set-up fails.
 */
async function keyedRemoteHome(key: string) {
  const remote = await startKeyedRemote(key);
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false });
  const env = { DBUS_SESSION_BUS_ADDRESS: bus.address };
  try {
    writeManifest(m, {
      bridge: { port: await freePort() },
      servers: { remote: { url: remote.url, headers: { Authorization: "Bearer ${secret:REMOTE_KEY}" } } },
    });
    expect((await m.run(["secret", "set", "REMOTE_KEY"], { input: key, env })).code).toBe(0);
    chmodSync(m.paths.claudeCodeConfig, 0o600);
    return { remote, m, env };
  } catch (error) {
    m.cleanup();
    await remote.close();
    throw error;
  }
}

test("a hand-written remote with its key in the keychain: no file holds the key; Claude Code reaches it through the gateway with it, also after `bridge restart`", async () => {
  const REMOTE_KEY = "rk_live_9a8b7c6d5e4f3a2b1c0d";
  const { remote, m, env } = await keyedRemoteHome(REMOTE_KEY);
  try {
    const sync = await m.run(["sync"], { env, timeoutMs: 120_000 });
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    expect(sync.stdout + sync.stderr).not.toContain(REMOTE_KEY);
    expect(holding(m.paths.linuxHome, REMOTE_KEY)).toEqual([]);
    const entry = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.remote;
    expect(entry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/share\/remote$/);
    expect(await echoVia(entry)).toContain("2025:hi");
    const restart = await m.run(["bridge", "restart"], { env, timeoutMs: 60_000 });
    expect(restart.code, restart.stdout + restart.stderr).toBe(0);
    expect(await echoVia(entry)).toContain("2025:hi");
    expect(remote.requests.filter((r) => r.rpc === "tools/call").map((r) => r.credential)).toEqual([
      "key",
      "key",
    ]);
    expect(holding(m.paths.linuxHome, REMOTE_KEY)).toEqual([]);
  } finally {
    await m.run(["bridge", "stop"], { env }).catch(() => undefined);
    m.cleanup();
    await remote.close();
  }
}, 240_000);

/** The bridge's own log on this machine (the data folder's bridge/serve.log). */
const serveLog = (m: FakeMachine) =>
  readFileSync(path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.log"), "utf8");

test("a keychain not answering when the gateway starts (locked at logon): serve.log and the share's status say so, the server waits for its key, and the keys are read again until it answers", async () => {
  const REMOTE_KEY = "rk_live_5e6f7a8b9c0d1e2f3a4b";
  const { remote, m, env } = await keyedRemoteHome(REMOTE_KEY);
  // Where the gateway is told to find the Secret Service: nothing answers there yet.
  const later = `unix:path=${path.join(m.root, "later-bus")}`;
  let answering: SecretService | undefined;
  try {
    expect((await m.run(["sync"], { env, timeoutMs: 120_000 })).code).toBe(0);
    const entry = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.remote;
    // Started again as at logon, its environment pointing at a keychain that does not answer yet.
    expect((await m.run(["bridge", "stop"], { env })).code).toBe(0);
    const start = await m.run(["bridge", "start"], {
      env: { DBUS_SESSION_BUS_ADDRESS: later, MCP_TWIN_KEYCHAIN_RETRY_MS: "200" },
      timeoutMs: 60_000,
    });
    expect(start.code, start.stdout + start.stderr).toBe(0);
    // Not started without its key: asked, a client is told why.
    await expect(echoVia(entry)).rejects.toThrow(
      /Your keys are in the OS keychain, and the Secret Service did not answer/,
    );
    expect(serveLog(m)).toMatch(
      /\[share remote\] cannot run here: Your keys are in the OS keychain, and the Secret Service did not answer .*\. Waiting for it: the keys are read again in 0\.2 s\./,
    );
    const status = await m.run(["bridge", "status"], { env: { DBUS_SESSION_BUS_ADDRESS: later } });
    expect(status.stdout + status.stderr).toContain(
      "Your keys are in the OS keychain, and the Secret Service did not answer",
    );
    expect(remote.requests.filter((r) => r.rpc === "tools/call")).toEqual([]);
    // The keychain answers there now (the same keyring, unlocked): the gateway's next read finds the key.
    answering = startSecretService({ at: later, of: bus });
    let answer: string | undefined;
    // Asked again every 100 ms (a refusal is one quick round trip): the read that finds it comes
    // 0.2 s after the one before, and nothing the bridge says marks it.
    while (answer === undefined)
      answer = await echoVia(entry).catch(
        () => new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
      );
    expect(answer).toContain("2025:hi");
    expect(remote.requests.filter((r) => r.rpc === "tools/call").map((r) => r.credential)).toEqual(["key"]);
  } finally {
    await m.run(["bridge", "stop"], { env }).catch(() => undefined);
    answering?.stop();
    m.cleanup();
    await remote.close();
  }
}, 240_000);

test("a keychain locked when the gateway starts (its collection locked, as at logon): serve.log and `bridge status` say it is locked, no server starts without its key, and once it is unlocked (no prompt) the next read finds the key and the client's call succeeds", async () => {
  const REMOTE_KEY = "rk_live_3c4d5e6f7a8b9c0d1e2f";
  const { remote, m, env } = await keyedRemoteHome(REMOTE_KEY);
  try {
    expect((await m.run(["sync"], { env, timeoutMs: 120_000 })).code).toBe(0);
    const entry = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.remote;
    expect((await m.run(["bridge", "stop"], { env })).code).toBe(0);
    // The real collection locked: the Secret Service answers, and gives no key.
    await bus.lock();
    const seen = remote.requests.length;
    const start = await m.run(["bridge", "start"], {
      env: { ...env, MCP_TWIN_KEYCHAIN_RETRY_MS: "200" },
      timeoutMs: 60_000,
    });
    expect(start.code, start.stdout + start.stderr).toBe(0);
    await expect(echoVia(entry)).rejects.toThrow(
      /Your keys are in the OS keychain, and the Secret Service is locked/,
    );
    expect(serveLog(m)).toMatch(
      /\[share remote\] cannot run here: Your keys are in the OS keychain, and the Secret Service is locked \(.*IsLocked.*\)\. Waiting for it: the keys are read again in 0\.2 s\./,
    );
    const status = await m.run(["bridge", "status"], { env });
    expect(status.stdout + status.stderr).toContain(
      "Your keys are in the OS keychain, and the Secret Service is locked",
    );
    // Not opened without its key: the remote saw nothing since.
    expect(remote.requests.slice(seen)).toEqual([]);
    await bus.unlock();
    let answer: string | undefined;
    while (answer === undefined)
      answer = await echoVia(entry).catch(
        () => new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
      );
    expect(answer).toContain("2025:hi");
    expect(remote.requests.filter((r) => r.rpc === "tools/call").map((r) => r.credential)).toEqual(["key"]);
  } finally {
    await bus.unlock().catch(() => undefined);
    await m.run(["bridge", "stop"], { env }).catch(() => undefined);
    m.cleanup();
    await remote.close();
  }
}, 240_000);

test('the same remote with `"share": "off"`: its key is in the entry, as the person asked', async () => {
  const REMOTE_KEY = "rk_live_1f2e3d4c5b6a7f8e9d0c";
  const remote = await startKeyedRemote(REMOTE_KEY);
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false });
  try {
    writeManifest(m, {
      servers: {
        remote: {
          url: remote.url,
          headers: { Authorization: "Bearer ${secret:REMOTE_KEY}" },
          share: "off",
        },
      },
    });
    writeSecrets(m, { REMOTE_KEY });
    const sync = await m.run(["sync"], { timeoutMs: 120_000 });
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    expect(sync.stdout).toContain("remote is not shared: its key is in each client's entry of it.");
    const entry = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.remote;
    expect(entry.headers.Authorization).toBe(`Bearer ${REMOTE_KEY}`);
  } finally {
    m.cleanup();
    await remote.close();
  }
}, 120_000);

/** The fixture server's `env` tool through a url entry: whether FIXTURE_TOKEN reached it, and its length. */
const tokenVia = (entry: UrlEntry): Promise<string> =>
  viaUrlEntry(entry, async (client) =>
    JSON.stringify((await client.callTool({ name: "env", arguments: { name: "FIXTURE_TOKEN" } })).content),
  );

test("a hand-written stdio server with its key in env, the key in the keychain: no file holds it; its client reaches it through the bridge, which starts it with the key, also after `bridge restart`", async () => {
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false });
  const env = { DBUS_SESSION_BUS_ADDRESS: bus.address };
  const reached = `{\\"set\\":true,\\"length\\":${KEY.length}}`;
  try {
    writeManifest(m, {
      bridge: { port: await freePort() },
      // Written by hand: no `share`, its key in its env.
      servers: {
        fixture: {
          command: process.execPath,
          args: [inject("fixtureScript")],
          env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
        },
      },
    });
    expect((await m.run(["secret", "set", "FIXTURE_TOKEN"], { input: KEY, env })).code).toBe(0);
    chmodSync(m.paths.claudeCodeConfig, 0o600);
    const sync = await m.run(["sync"], { env, timeoutMs: 120_000 });
    const said = sync.stdout + sync.stderr;
    expect(sync.code, said).toBe(0);
    expect(said).not.toContain(KEY);
    expect(said).toContain(
      "The key of fixture stays in mcp-twin's home: the bridge adds it on the way out, so no client's file holds it.",
    );
    for (const dir of [m.paths.linuxHome, m.paths.home]) expect(holding(dir, KEY)).toEqual([]);
    const entry = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.fixture;
    expect(entry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/share\/fixture$/);
    expect(JSON.stringify(entry)).not.toContain("FIXTURE_TOKEN");
    expect(await tokenVia(entry)).toContain(reached);
    // doctor checks it as it is reached now: Claude Code's entry to the bridge completes a handshake.
    const doctor = await m.run(["doctor", "--json", "--server", "fixture"], { env, timeoutMs: 120_000 });
    expect(doctor.stdout + doctor.stderr).not.toContain(KEY);
    const checks = JSON.parse(doctor.stdout).checks as Array<{ id: string; status: string; client?: string }>;
    expect(checks.filter((c) => c.id === "probe.handshake").map((c) => [c.client, c.status])).toEqual([
      ["claude-code", "pass"],
    ]);
    const restart = await m.run(["bridge", "restart"], { env, timeoutMs: 60_000 });
    expect(restart.code, restart.stdout + restart.stderr).toBe(0);
    expect(await tokenVia(entry)).toContain(reached);
    for (const dir of [m.paths.linuxHome, m.paths.home]) expect(holding(dir, KEY)).toEqual([]);
  } finally {
    await m.run(["bridge", "stop"], { env }).catch(() => undefined);
    m.cleanup();
  }
}, 240_000);

test("a client whose file held a stdio server's key is moved to the bridge by the next sync, said once with `share: off` as the way back", async () => {
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false });
  const env = { DBUS_SESSION_BUS_ADDRESS: bus.address };
  const fixture = {
    command: process.execPath,
    args: [inject("fixtureScript")],
    env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
  };
  try {
    chmodSync(m.paths.claudeCodeConfig, 0o600);
    const port = await freePort();
    // As an earlier mcp-twin wrote it: the key resolved into the entry.
    writeManifest(m, { bridge: { port }, servers: { fixture: { ...fixture, share: "off" } } });
    expect((await m.run(["secret", "set", "FIXTURE_TOKEN"], { input: KEY, env })).code).toBe(0);
    expect((await m.run(["sync"], { env, timeoutMs: 120_000 })).code).toBe(0);
    expect(readFileSync(m.paths.claudeCodeConfig, "utf8")).toContain(KEY);
    writeManifest(m, { bridge: { port }, servers: { fixture } });
    const sync = await m.run(["sync"], { env, timeoutMs: 120_000 });
    const said = sync.stdout + sync.stderr;
    expect(sync.code, said).toBe(0);
    expect(said).toContain(
      '1 server with a key is now reached through the bridge (fixture): its key stays in mcp-twin\'s home, the bridge adding it. `"share": "off"` on a server in the manifest keeps its key in its entries.',
    );
    expect(said).not.toContain(KEY);
    expect(readFileSync(m.paths.claudeCodeConfig, "utf8")).not.toContain(KEY);
    // Nor the backup of the file as it was (for `restore`): the key is a marker there.
    expect(holding(m.paths.linuxHome, KEY)).toEqual([]);
    // Said once: the next sync writes nothing and says nothing of it.
    const again = await m.run(["sync"], { env, timeoutMs: 120_000 });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout + again.stderr).not.toContain("now reached through the bridge");
  } finally {
    await m.run(["bridge", "stop"], { env }).catch(() => undefined);
    m.cleanup();
  }
}, 240_000);

/**
 * Every file under a folder whose bytes hold the key, or its base64 at any of the three alignments
 * it can have inside a longer encoded text (the characters it shares with its neighbours left out).
 */
function holdingAnyForm(dir: string, key: string): string[] {
  const forms = [key];
  for (let lead = 0; lead < 3; lead++) {
    const encoded = Buffer.concat([Buffer.alloc(lead), Buffer.from(key)]).toString("base64");
    forms.push(encoded.slice(lead === 0 ? 0 : 4, -4));
  }
  const found: string[] = [];
  // Links are not followed: the fake machine links to the real /proc.
  const walk = (folder: string) => {
    for (const d of readdirSync(folder, { withFileTypes: true })) {
      const file = path.join(folder, d.name);
      if (d.isDirectory()) walk(file);
      else if (d.isFile() && forms.some((s) => readFileSync(file, "latin1").includes(s))) found.push(file);
    }
  };
  walk(dir);
  return found;
}

test("a home an older mcp-twin left with its key in secrets.json, in a client's entry and in its backups: after `secret set`, `sync` and `bridge restart` no file under the machine holds the key nor its base64; the client reaches its server with it; `restore` gives the file back byte for byte, and says a key the store no longer has", async () => {
  const m = createFakeMachine({ kind: "linux", claudeDesktop: false, cursor: false });
  const env = { DBUS_SESSION_BUS_ADDRESS: bus.address };
  const reached = `{\\"set\\":true,\\"length\\":${KEY.length}}`;
  const fixture = {
    command: process.execPath,
    args: [inject("fixtureScript")],
    env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
  };
  try {
    chmodSync(m.paths.claudeCodeConfig, 0o600);
    const port = await freePort();
    // As an older mcp-twin left the home: the key in secrets.json, resolved into the entry.
    writeManifest(m, { bridge: { port }, servers: { fixture: { ...fixture, share: "off" } } });
    writeSecrets(m, { FIXTURE_TOKEN: KEY });
    const old = await m.run(["sync"], { env: { MCP_TWIN_KEYCHAIN: "off" }, timeoutMs: 120_000 });
    expect(old.code, old.stdout + old.stderr).toBe(0);
    const asItWas = readFileSync(m.paths.claudeCodeConfig);
    expect(asItWas.toString()).toContain(KEY);
    // …and a backup of it as such a version kept it, in plain text.
    const backups = path.join(m.paths.home, "backups");
    const [folder = ""] = readdirSync(backups);
    writeFileSync(path.join(backups, folder, "2026-01-01T00-00-00-000Z.bak"), asItWas, { mode: 0o600 });
    expect(holdingAnyForm(m.paths.home, KEY).length).toBeGreaterThan(0);

    expect((await m.run(["secret", "set", "FIXTURE_TOKEN"], { input: KEY, env })).code).toBe(0);
    writeManifest(m, { bridge: { port }, servers: { fixture } });
    const sync = await m.run(["sync"], { env, timeoutMs: 120_000 });
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    const entry = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.fixture;
    expect(await tokenVia(entry)).toContain(reached);
    const restart = await m.run(["bridge", "restart"], { env, timeoutMs: 60_000 });
    expect(restart.code, restart.stdout + restart.stderr).toBe(0);
    expect(await tokenVia(entry)).toContain(reached);
    expect(holdingAnyForm(m.root, KEY)).toEqual([]);

    // restore puts the entry back as it was, its key from the keychain; the home still holds none.
    const restore = await m.run(["restore"], { env, timeoutMs: 60_000 });
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    expect(restore.stdout + restore.stderr).not.toContain(KEY);
    expect(readFileSync(m.paths.claudeCodeConfig).equals(asItWas)).toBe(true);
    expect(holdingAnyForm(m.paths.home, KEY)).toEqual([]);

    // The key gone from the store: restore says so, and the file is whole, the reference in its place.
    expect((await m.run(["sync"], { env, timeoutMs: 120_000 })).code).toBe(0);
    expect((await m.run(["secret", "rm", "FIXTURE_TOKEN"], { env })).code).toBe(0);
    const without = await m.run(["restore"], { env, timeoutMs: 60_000 });
    expect(without.code, without.stdout + without.stderr).toBe(0);
    expect(without.stdout + without.stderr).toContain("could not put back the key FIXTURE_TOKEN");
    expect(readFileSync(m.paths.claudeCodeConfig, "utf8")).toBe(
      asItWas.toString().replace(KEY, "${secret:FIXTURE_TOKEN}"),
    );
  } finally {
    await m.run(["bridge", "stop"], { env }).catch(() => undefined);
    m.cleanup();
  }
}, 300_000);
