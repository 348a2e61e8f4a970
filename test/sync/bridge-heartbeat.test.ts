/**
 * A no-op sync calls the bridge "current" only while the bridge's own event loop beats (serve.json's
 * mtime, touched every MCP_TWIN_BRIDGE_BEAT_MS): a bridge alive but stuck (SIGSTOP) still holds its
 * lock and its record, and is then asked, and said as it is; the beat ends with the bridge.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { machinesCleanedAfterAll } from "../helpers/machines.js";
import { freePort } from "../helpers/net.js";

runInProcessByDefault();
const machines = machinesCleanedAfterAll();

/** The test's beat: stale after three of them (beatMs, bridge-link/state-folder.ts). */
const BEAT_MS = 300;
const env = { MCP_TWIN_BRIDGE_BEAT_MS: String(BEAT_MS) };

const stateDir = (m: FakeMachine) => path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge");
const serveJson = (m: FakeMachine) => path.join(stateDir(m), "serve.json");
const bridgePid = (m: FakeMachine) => (JSON.parse(readFileSync(serveJson(m), "utf8")) as { pid: number }).pid;
const mtime = (file: string) => statSync(file, { throwIfNoEntry: false })?.mtimeMs;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false; // ESRCH: gone
  }
};

/** Wait for `done` to hold (an event of another process: polled, never timed). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await sleep(50);
}

async function sync(m: FakeMachine): Promise<string> {
  const r = await m.run(["sync"], { env });
  return r.stdout + r.stderr;
}

/** A machine with a key-carrying (so shared) server, synced until its bridge recorded this manifest. */
async function recorded(): Promise<FakeMachine> {
  const m = createFakeMachine({ registryUrl: inject("registryUrl") });
  machines.push(m);
  writeManifest(m, {
    bridge: { port: await freePort() },
    servers: {
      fixture: { package: inject("fixtureName"), env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" } },
    },
  });
  writeSecrets(m, { FIXTURE_TOKEN: "fx-4d2c1b0a9e8f7g6h" });
  const first = await m.run(["sync"], { env });
  expect(first.code, first.stderr + first.stdout).toBe(0);
  // The bridge the first sync started read the manifest for no fingerprint: read once more, recorded.
  expect(await sync(m)).toContain("it read the manifest again");
  return m;
}

/** One machine for the bridge that beats and then is told to stop (the two cases below that only watch it). */
let watched: Promise<FakeMachine> | undefined;
const beating = () => {
  watched ??= recorded();
  return watched;
};

test("a bridge that beats stays current past three beats, and is asked nothing", async () => {
  const m = await beating();
  const record = path.join(stateDir(m), "current.json");
  const written = () => `${statSync(record).ino} ${statSync(record).mtimeMs}`;
  const before = written();
  // Three beats past the record: only the heartbeat keeps serve.json younger than that.
  const since = mtime(record) ?? 0;
  await until(() => (mtime(serveJson(m)) ?? 0) > since + 3 * BEAT_MS);
  expect(await sync(m)).toContain("with this manifest and these keys");
  // Asked nothing: a reload rewrites current.json (bridge-server/main.ts), which is as it was.
  expect(written()).toBe(before);
}, 240_000);

test("a bridge stopped (SIGSTOP) past three beats is no longer said to run with this manifest; what sync says is true", async () => {
  const m = await recorded();
  const pid = bridgePid(m);
  process.kill(pid, "SIGSTOP");
  try {
    // Alive, its lock held, its record matching: only its silence since tells it.
    const stoppedAt = mtime(serveJson(m)) ?? 0;
    await until(() => Date.now() - stoppedAt > 3 * BEAT_MS);
    const stopped = await sync(m);
    expect(stopped).not.toContain("with this manifest and these keys");
    // The whole way found it not answering and ended it, then started another: the one that runs
    // now. Under load the port may not be free again in time: then it says none runs, and none does.
    const started = /Gateway for 1 shared server started at \S+ \(pid (\d+)\)\./.exec(stopped);
    if (started) {
      expect(Number(started[1])).toBe(bridgePid(m));
      expect(bridgePid(m)).not.toBe(pid);
    } else {
      expect(stopped).toMatch(
        /✖ Gateway for 1 shared server is not running at \S+ \(The bridge did not start/,
      );
      expect(existsSync(serveJson(m)) ? bridgePid(m) : pid, "no other bridge recorded").toBe(pid);
    }
  } finally {
    if (alive(pid)) process.kill(pid, "SIGCONT");
  }
}, 240_000);

test("the beat ends with the bridge: told to stop, its process exits by itself and nothing touches its serve.json again", async () => {
  const m = await beating();
  const pid = bridgePid(m);
  // It beats (serve.json touched since it was written at the start)...
  const startedAt = Date.parse(
    (JSON.parse(readFileSync(serveJson(m), "utf8")) as { startedAt: string }).startedAt,
  );
  await until(() => (mtime(serveJson(m)) ?? 0) > startedAt + 2 * BEAT_MS);
  // ...and its timer holds nothing open: told to stop (SIGTERM, no SIGKILL after it as `bridge stop`
  // would send), the bridge's process ends by itself, its loop empty.
  process.kill(pid, "SIGTERM");
  await until(() => !alive(pid));
  expect(mtime(serveJson(m))).toBeUndefined();
}, 240_000);
