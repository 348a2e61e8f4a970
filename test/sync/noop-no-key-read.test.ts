/**
 * Issue 87's budget for a `"share": "off"` server inside WSL, where each keychain read is
 * powershell.exe through interop (the stand-in logs every call): a sync with nothing to write reads
 * no key when the manifest, the keys' stamp and the entry in the file are what the last write left
 * (state records the entry's key-less hash). A key set since, a hand edit, or `--update` reads it,
 * once a run: the run under the lock uses the keys its look without the lock read.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect, inject, test } from "vitest";
import {
  createFakeMachine,
  credentialManagerCalls,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";

// In-process runs read the keychain of the fake machine's environment (host.ts runHost).
runInProcessByDefault();

const on = { MCP_TWIN_KEYCHAIN: "on" };
const KEY = "fx-4d2c1b0a9e8f7g6h";
const NEW_KEY = "fx-9Qe2mXc4Rb9LpW3s0Zk7Tn";
const machines = machinesCleanedAfterAll();

type Config = { mcpServers: Record<string, { env?: Record<string, string> }> };
const config = (m: FakeMachine) => JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")) as Config;
const tokenIn = (m: FakeMachine) => config(m).mcpServers.fixture?.env?.FIXTURE_TOKEN;

/** `sync` (with `args`), exiting 0, the key never shown: its keychain calls and its output. */
async function sync(m: FakeMachine, args: string[] = []): Promise<{ calls: number; said: string }> {
  m.clearInteropLog();
  const r = await m.run(["sync", ...args], { env: on });
  expect(r.code, r.stderr + r.stdout).toBe(0);
  expect(r.stdout + r.stderr).not.toContain(KEY);
  expect(r.stdout + r.stderr).not.toContain(NEW_KEY);
  return { calls: credentialManagerCalls(m), said: r.stdout + r.stderr };
}

test('a no-op sync whose "share": "off" entry holds a key reads no key; a key set since, a hand edit and --update read it', async () => {
  const m = createFakeMachine({ registryUrl: inject("registryUrl") });
  machines.push(m);
  writeManifest(m, {
    servers: {
      fixture: {
        package: inject("fixtureName"),
        env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
        share: "off",
      },
    },
  });
  const set = await m.run(["secret", "set", "FIXTURE_TOKEN"], { input: KEY, env: on });
  expect(set.stdout).toContain("Stored FIXTURE_TOKEN in Windows' Credential Manager.");
  const first = await sync(m);
  expect(tokenIn(m)).toBe(KEY);
  expect(first.calls).toBe(1);
  // Nothing changed: no key read, and it says so (every file unchanged).
  const noop = await sync(m);
  expect(noop.calls).toBe(0);
  expect(noop.said).toMatch(/claude-code .* unchanged/);
  expect(noop.said).not.toMatch(/ (updated|created) /);
  // No key, nor anything made of one but the written entry's hash (as before), in state.
  expect(readFileSync(path.join(m.paths.home, "state.json"), "utf8")).not.toContain(KEY);
  // A key set since renews the stamp: read once (not again under the lock), the entry rewritten with it.
  const renew = await m.run(["secret", "set", "FIXTURE_TOKEN"], { input: NEW_KEY, env: on });
  expect(renew.code, renew.stderr).toBe(0);
  const changed = await sync(m);
  expect(changed.calls).toBe(1);
  expect(tokenIn(m)).toBe(NEW_KEY);
  expect((await sync(m)).calls).toBe(0);
  // The entry gone from the file by hand: read, and put back.
  const gone = config(m);
  delete gone.mcpServers.fixture;
  writeFileSync(m.paths.claudeCodeConfig, JSON.stringify(gone, null, 2));
  expect((await sync(m)).calls).toBe(1);
  expect(tokenIn(m)).toBe(NEW_KEY);
  expect((await sync(m)).calls).toBe(0);
  // Its key edited by hand: the entry is not what was written, so the key is read (and the edit,
  // the person's, kept as sync always does); --force puts it back.
  const edited = config(m);
  const entry = edited.mcpServers.fixture;
  if (!entry?.env) throw new Error("no fixture entry with env");
  entry.env.FIXTURE_TOKEN = "fx-edited-by-hand-0000";
  writeFileSync(m.paths.claudeCodeConfig, JSON.stringify(edited, null, 2));
  expect((await sync(m)).calls).toBe(1);
  expect(tokenIn(m)).toBe("fx-edited-by-hand-0000");
  expect((await sync(m, ["--force"])).calls).toBe(1);
  expect(tokenIn(m)).toBe(NEW_KEY);
  expect((await sync(m)).calls).toBe(0);
  // --update skips the no-op look: the way a key changed outside mcp-twin reaches the entry.
  expect((await sync(m, ["--update"])).calls).toBe(1);
}, 300_000);
