/**
 * A sync that writes nothing, its shared server's key in its env (so reached through the bridge):
 * the running bridge that already read this manifest, these pins and these keys is not made to
 * read them again (its answer says "current"); a key changed with `secret set` reaches it on the
 * next sync (read again, its process restarted with the new key).
 */
import { chmodSync, existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
  writeSecrets,
} from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";
import { toolTextVia, urlEntryIn } from "../helpers/url-entry.js";

runInProcessByDefault();

const FIRST_KEY = "fx-4d2c1b0a9e8f7g6h";
const NEW_KEY = "fx-9Qe2mXc4Rb9LpW3s0Zk7Tn";

let machine: FakeMachine;

/** The gateway's part of `sync --json`, the run exiting 0. */
async function syncGateway(): Promise<{ state: string; pid?: number }> {
  const r = await machine.run(["sync", "--json"]);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  const report = JSON.parse(r.stdout) as { gateway?: { gateway?: { state: string; pid?: number } } };
  expect(report.gateway?.gateway).toBeDefined();
  return report.gateway?.gateway ?? { state: "none" };
}

/** The length of FIXTURE_TOKEN in the shared server's process, asked through Claude Code's url entry. */
async function keyLengthInBridge(): Promise<number> {
  const said = await toolTextVia(urlEntryIn(machine.paths.claudeCodeConfig, "fixture"), "env", {
    name: "FIXTURE_TOKEN",
  });
  return (JSON.parse(said) as { length: number }).length;
}

beforeAll(async () => {
  machine = createFakeMachine({ registryUrl: inject("registryUrl") });
  writeManifest(machine, {
    bridge: { port: await freePort() },
    servers: {
      fixture: { package: inject("fixtureName"), env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" } },
    },
  });
  writeSecrets(machine, { FIXTURE_TOKEN: FIRST_KEY });
  // As Claude Code itself writes it: a private file gets the url entry with its client token.
  chmodSync(machine.paths.claudeCodeConfig, 0o600);
  const first = await machine.run(["sync"]);
  expect(first.code, first.stderr + first.stdout).toBe(0);
}, 180_000);

afterAll(() => machine?.cleanup());

test("a no-op sync leaves the bridge that read these very inputs as it is; a key set since reaches it on the next", async () => {
  const serveJson = path.join(machine.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json");
  expect(existsSync(serveJson)).toBe(true);
  expect(await keyLengthInBridge()).toBe(FIRST_KEY.length);
  // The bridge this sync started read the manifest itself, not for a sync's fingerprint: read once more.
  expect((await syncGateway()).state).toBe("reloaded");
  // Nothing changed since: nothing is read again, and the server keeps running with its key.
  const again = await syncGateway();
  expect(again.state).toBe("current");
  expect((await syncGateway()).state).toBe("current");
  expect(await keyLengthInBridge()).toBe(FIRST_KEY.length);
  // A key changed with `secret set`: the next sync has the bridge read it, and its process restarted.
  const set = await machine.run(["secret", "set", "FIXTURE_TOKEN"], { input: NEW_KEY });
  expect(set.code, set.stderr + set.stdout).toBe(0);
  expect((await syncGateway()).state).toBe("reloaded");
  expect(await keyLengthInBridge()).toBe(NEW_KEY.length);
  // And read, it is current again.
  expect((await syncGateway()).state).toBe("current");
}, 240_000);
