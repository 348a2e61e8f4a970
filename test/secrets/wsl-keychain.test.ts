/**
 * Keys where keys belong, inside WSL (issue 87): no Secret Service there, so Windows' Credential
 * Manager through interop — powershell.exe (the stand-in keeps credentials as Credential Manager
 * does: a target name, a user name, a UTF-16LE blob) — under the target name @napi-rs/keyring uses on
 * Windows, so a key set on either side of the shared home serves both. The key never rides on argv.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import {
  createFakeMachine,
  credentialManagerCalls,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { startKeyedRemote } from "../helpers/keyed-remote.js";

// In-process runs read the keychain of the fake machine's environment (host.ts runHost).
runInProcessByDefault();

const KEY = "fixture-key-Wq8s2Lx7Pz4Rb6Mn";
// The keychain is on for these runs (the fake machine keeps WSL runs on the file otherwise).
const on = { MCP_TWIN_KEYCHAIN: "on" };
const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

function wsl(options: Parameters<typeof createFakeMachine>[0] = {}): FakeMachine {
  const m = createFakeMachine({ kind: "wsl", claudeDesktop: false, cursor: false, ...options });
  machines.push(m);
  return m;
}

/** Credential Manager's store, as the stand-in keeps it: target → { user, blob (UTF-16LE, base64) }. */
const storeFile = (m: FakeMachine) => path.join(m.paths.drive, ".fake-credentials.json");
function credentials(
  m: FakeMachine,
): Record<string, { type: number; user: string; blob: string; persist: number }> {
  try {
    return JSON.parse(readFileSync(storeFile(m), "utf8"));
  } catch {
    return {};
  }
}

/** The target name Windows' mcp-twin (@napi-rs/keyring: `<account>.<service>`) gives a key of this home. */
const target = (m: FakeMachine, name: string) =>
  `${name}.mcp-twin:C:\\Users\\${m.windowsUser}\\AppData\\Roaming\\mcp-twin`;

/** Every file under a folder whose bytes hold the key (UTF-8, UTF-16LE or base64). */
function holding(dir: string, key: string): string[] {
  const spellings = [
    key,
    Buffer.from(key).toString("base64"),
    Buffer.from(key, "utf16le").toString("latin1"),
  ];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile())
    .filter((file) => spellings.some((s) => readFileSync(file, "latin1").includes(s)));
}

test("`secret set` inside WSL keeps the key in Windows' Credential Manager, as Windows' mcp-twin names it; never on a command line nor in a file", async () => {
  const m = wsl();
  const set = await m.run(["secret", "set", "FIXTURE_TOKEN"], { input: KEY, env: on });
  expect(set.code, set.stderr).toBe(0);
  expect(set.stdout).toContain("Stored FIXTURE_TOKEN in Windows' Credential Manager.");
  expect(set.stderr).not.toContain("No OS keychain");
  expect(credentials(m)).toEqual({
    [target(m, "FIXTURE_TOKEN")]: {
      type: 1,
      user: "FIXTURE_TOKEN",
      blob: Buffer.from(KEY, "utf16le").toString("base64"),
      persist: 3,
    },
  });
  // powershell.exe by its full path, the script encoded, the key on stdin only.
  const calls = m.interopCalls().filter((c) => c.includes("powershell.exe"));
  // A read for what is stored (to mask it, and name the store), then under the lock one read and
  // one write: the keychain opened once for both (each call a powershell.exe start).
  expect(calls).toHaveLength(3);
  for (const c of calls)
    expect(c).toMatch(/powershell\.exe\t-NoProfile -NonInteractive -EncodedCommand \S+$/);
  expect(m.interopCalls().join("\n")).not.toContain(KEY);
  // No file on either side holds it but Credential Manager's own store (the home is on C:).
  expect(
    [...holding(m.paths.drive, KEY), ...holding(m.paths.linuxHome, KEY)].filter((f) => f !== storeFile(m)),
  ).toEqual([]);
  const list = await m.run(["secret", "list"], { env: on });
  expect(list.stdout).toMatch(/FIXTURE_TOKEN\s+stored in Windows' Credential Manager/);
  expect(list.stdout + list.stderr).not.toContain(KEY);
  m.clearInteropLog();
  expect((await m.run(["secret", "rm", "FIXTURE_TOKEN"], { env: on })).code).toBe(0);
  expect(credentials(m)).toEqual({});
  expect(credentialManagerCalls(m)).toBe(3);
});

test("a key Windows' mcp-twin set (a credential as @napi-rs/keyring writes it, not ASCII) is read inside WSL", async () => {
  const m = wsl();
  const value = "clé-ü-日本-0123456789";
  writeFileSync(
    storeFile(m),
    JSON.stringify({
      // Another home's key and another program's credential are not this home's.
      [target(m, "WINDOWS_KEY")]: {
        type: 1,
        user: "WINDOWS_KEY",
        blob: Buffer.from(value, "utf16le").toString("base64"),
      },
      "OTHER.mcp-twin:D:\\elsewhere": {
        type: 1,
        user: "OTHER",
        blob: Buffer.from("x", "utf16le").toString("base64"),
      },
      "git:https://github.com": {
        type: 1,
        user: "bob",
        blob: Buffer.from("y", "utf16le").toString("base64"),
      },
    }),
  );
  // The shared home's secrets file says its keys are in the keychain (Windows' `secret set` wrote it).
  writeFileSync(
    path.join(m.paths.home, "secrets.json"),
    JSON.stringify({ version: 1, secrets: {}, store: "keychain" }),
  );
  const list = await m.run(["secret", "list"], { env: on });
  expect(list.code, list.stderr).toBe(0);
  expect(list.stdout).toMatch(/WINDOWS_KEY\s+stored in Windows' Credential Manager/);
  expect(list.stdout).not.toMatch(/OTHER|bob/);
  // Its value, as read: written into the entry of a remote the person keeps unshared.
  const remote = await startKeyedRemote(value);
  try {
    writeManifest(m, {
      servers: {
        remote: { url: remote.url, headers: { Authorization: "Bearer ${secret:WINDOWS_KEY}" }, share: "off" },
      },
    });
    const sync = await m.run(["sync"], { env: on, timeoutMs: 120_000 });
    expect(sync.code, sync.stdout + sync.stderr).toBe(0);
    const entry = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers.remote;
    expect(entry.headers.Authorization).toBe(`Bearer ${value}`);
  } finally {
    await remote.close();
  }
});

test("a secrets.json found inside WSL is moved into Credential Manager, said once", async () => {
  const m = wsl();
  writeSecrets(m, { FIXTURE_TOKEN: KEY });
  const r = await m.run(["secret", "list"], { env: on });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout + r.stderr).toContain("Moved FIXTURE_TOKEN from");
  expect(r.stdout + r.stderr).toContain("into Windows' Credential Manager.");
  expect(credentials(m)[target(m, "FIXTURE_TOKEN")]?.user).toBe("FIXTURE_TOKEN");
  expect(readFileSync(path.join(m.paths.home, "secrets.json"), "utf8")).not.toContain(KEY);
});

test("Credential Manager not answering (no logon session), or interop off: the file keeps the key, and why is said", async () => {
  const m = wsl();
  const config = path.join(m.paths.drive, ".fake-windows.json");
  writeFileSync(
    config,
    JSON.stringify({ ...JSON.parse(readFileSync(config, "utf8")), noLogonSession: true }),
  );
  const set = await m.run(["secret", "set", "FIXTURE_TOKEN"], { input: KEY, env: on });
  expect(set.code, set.stderr).toBe(0);
  expect(set.stdout).toMatch(/Stored FIXTURE_TOKEN in .*secrets\.json/);
  expect(set.stderr).toContain(
    "No OS keychain is used: Windows' Credential Manager did not answer (powershell.exe failed: Exception calling",
  );
  const off = wsl({ interop: false });
  const r = await off.run(["secret", "set", "FIXTURE_TOKEN"], { input: KEY, env: on });
  expect(r.stderr).toContain(
    "No OS keychain is used: Windows' Credential Manager is reached from WSL through interop, and WSL_INTEROP is not set",
  );
});
