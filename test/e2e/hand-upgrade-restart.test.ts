/**
 * A `command` server the bridge runs, its program upgraded by hand (`npm i -g` of a newer version,
 * the manifest unchanged): the next sync has the bridge read again, and it restarts the running
 * process, so a new session meets the new version — not the old process, nor what it answered.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, expect, inject, test } from "vitest";
import {
  createFakeMachine,
  type FakeMachine,
  runInProcessByDefault,
  writeManifest,
} from "../helpers/fake-machine.js";
import { freePort } from "../helpers/net.js";
import { urlEntryIn, viaUrlEntry } from "../helpers/url-entry.js";

runInProcessByDefault();

let m: FakeMachine | undefined;
afterAll(async () => {
  await m?.run(["bridge", "stop"]);
  m?.cleanup();
});

/** The fixture package at `version` into a global npm prefix of its own, as `npm i -g` installs it. */
function npmInstall(prefix: string, version: string, cache: string): void {
  const registry = inject("registryUrl");
  execFileSync(
    "npm",
    [
      "install",
      "-g",
      "--prefix",
      prefix,
      `--registry=${registry}`,
      "--no-audit",
      "--no-fund",
      `${inject("fixtureName")}@${version}`,
    ],
    { env: { ...process.env, npm_config_cache: cache, npm_config_loglevel: "error" }, stdio: "ignore" },
  );
}

/** A new session through Claude Code's url entry: the version the server says, and its process id. */
function meet(machine: FakeMachine): Promise<{ version: string | undefined; pid: number }> {
  return viaUrlEntry(urlEntryIn(machine.paths.claudeCodeConfig, "fixture"), async (client) => {
    const said = (await client.callTool({ name: "whoami", arguments: {} })) as {
      content: Array<{ text: string }>;
    };
    const pid = (JSON.parse(said.content[0]?.text ?? "{}") as { pid: number }).pid;
    return { version: client.getServerVersion()?.version, pid };
  });
}

test("upgraded by hand from 1.0.0 to 1.1.0: after a sync, a new session meets 1.1.0 in a new process", async () => {
  m = createFakeMachine({ kind: "linux", registryUrl: inject("registryUrl") });
  const prefix = path.join(m.paths.linuxHome, ".hand-prefix");
  const cache = path.join(m.root, "npm-cache");
  mkdirSync(prefix);
  npmInstall(prefix, "1.0.0", cache);
  const env = { PATH: `${path.join(prefix, "bin")}:${m.env.PATH}` };
  writeManifest(m, {
    bridge: { port: await freePort() },
    servers: { fixture: { command: "mcp-twin-fixture-server", share: "machine" } },
  });
  chmodSync(m.paths.claudeCodeConfig, 0o600);
  const sync = async () => {
    const r = await m!.run(["sync", "--json"], { env });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    return (JSON.parse(r.stdout) as { gateway?: { gateway?: { state: string } } }).gateway?.gateway?.state;
  };
  await sync();
  const before = await meet(m);
  expect(before.version).toBe("1.0.0");
  // The bridge read this manifest for this very program: nothing to read again.
  await sync();
  expect(await sync()).toBe("current");
  expect((await meet(m)).pid).toBe(before.pid);

  // What `npm i -g <fixture>@1.1.0` does: the same bin, the package's new version; the manifest as it was.
  npmInstall(prefix, "1.1.0", cache);
  expect(await sync()).toBe("reloaded");
  const after = await meet(m);
  expect(after.version).toBe("1.1.0");
  expect(after.pid).not.toBe(before.pid);
}, 300_000);
