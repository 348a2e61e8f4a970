/**
 * One cause, one finding, in text and --json alike: a remote server contacted once for client
 * configs in two environments is one probe finding (not one per environment, each saying "one
 * contact"), and `doctor --server` leaves out a file's finding about other servers' keys.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, inject, test } from "vitest";
import { type OAuthFixture, startOAuthFixture } from "../fixtures/oauth/oauth-server.js";
import { runInProcessByDefault, writeManifest } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { BROWSER } from "../helpers/oauth.js";

runInProcessByDefault();

const setup = fixtureMachines("fx-0ce5f00dba5e1234");
let fx: OAuthFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

interface JsonCheck {
  id: string;
  env?: string;
  client?: string;
  server?: string;
  status: string;
  message: string;
}

test("a remote contacted once for configs on both sides is one probe finding; --server keeps only its server's", async () => {
  fx = await startOAuthFixture();
  const m = setup();
  // Codex on both sides: the remote is in five client configs, in two environments.
  mkdirSync(path.join(m.paths.linuxHome, ".codex"), { recursive: true });
  mkdirSync(path.join(m.paths.profile, ".codex"), { recursive: true });
  writeManifest(m, {
    servers: {
      fixture: {
        package: inject("fixtureName"),
        share: "off",
        env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
      },
      remote: { url: fx.url },
    },
  });
  expect((await m.run(["sync"])).code).toBe(0);
  expect((await m.run(["login", "remote"], { env: { BROWSER } })).code).toBe(0);

  const j = await m.run(["doctor", "--server", "remote", "--json"]);
  const checks = JSON.parse(j.stdout).checks as JsonCheck[];
  const probes = checks.filter((c) => c.id === "probe.handshake");
  expect(probes).toHaveLength(1);
  expect(probes[0]).toMatchObject({ server: "remote", status: "pass" });
  expect(probes[0]!.env).toBeUndefined();
  expect(probes[0]!.message).toContain(
    "In 5 client configs: Claude Code (wsl:Ubuntu), Codex (wsl:Ubuntu), Claude Desktop (windows), Cursor (windows), Codex (windows).",
  );
  // ~/.claude.json is readable by others and holds fixture's key: not a finding about remote.
  expect(checks.filter((c) => c.id === "config.private")).toEqual([]);
  expect(checks.filter((c) => c.status === "warn" || c.status === "fail")).toEqual([]);

  const text = await m.run(["doctor", "--server", "remote"]);
  expect(text.code, text.stdout).toBe(0);
  expect(text.stdout.match(/✔ remote {2}handshake with/g)).toHaveLength(1);
  expect(text.stdout).toContain(
    "Claude Code (wsl:Ubuntu), Codex (wsl:Ubuntu), Claude Desktop (windows), Cursor (windows) and Codex (windows)  what they share, reported once",
  );
  expect(text.stdout).not.toContain("holds a key (fixture)");
  expect(text.stdout).not.toMatch(/warning/);
  // Without --server, the file's finding about fixture's key is there.
  const all = JSON.parse((await m.run(["doctor", "--json"])).stdout).checks as JsonCheck[];
  expect(all.filter((c) => c.id === "config.private" && c.status === "warn")).toHaveLength(1);
}, 120_000);

test("doctor starting a dozen servers at once prints no MaxListenersExceededWarning: each probe's Ctrl-C listener is counted on a signal of its own", async () => {
  // Twelve launches (each its own arguments) probed 16 at a time: the command's one signal had a
  // listener per running probe, past Node's 10 (removed as each ended: a warning, not a leak).
  const servers = Object.fromEntries(
    Array.from({ length: 12 }, (_, i) => [
      `fx${i}`,
      {
        package: inject("fixtureName"),
        args: [`--n=${i}`],
        share: "off",
        env: { FIXTURE_TOKEN: "${secret:FIXTURE_TOKEN}" },
      },
    ]),
  );
  const m = setup({ kind: "linux" }, servers);
  // Sync resolves the twelve packages' versions at once (an npm process each, each listening for
  // Ctrl-C on the command's signal): no warning there either.
  const sync = await m.runBinary(["sync"]);
  expect(sync.code, sync.stdout + sync.stderr).toBe(0);
  expect(sync.stderr).not.toContain("MaxListenersExceededWarning");
  const r = await m.runBinary(["doctor"]);
  expect(r.stderr).not.toContain("MaxListenersExceededWarning");
  expect(r.stderr).toBe("");
  expect(r.stdout.match(/ started in /g)).toHaveLength(12);
  expect(r.code, r.stdout).toBe(0);
}, 180_000);
