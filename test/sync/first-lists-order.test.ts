/**
 * When a first sync lists the servers it pins for the first time (issue 86): a server run by a
 * command at once, one run from a package as soon as its install is in — both while the sync still
 * has the client's file to write, not after it. The order of events, read off the client's file
 * as each list starts; the lister is the real one (real installs, real servers, real handshakes).
 */
import { existsSync, readFileSync } from "node:fs";
import { afterEach, expect, inject, test } from "vitest";
import { listToolsForSync } from "../../src/commands/shared/tool-lister.js";
import { openMachine } from "../../src/core/environments/machine.js";
import type { ToolLister } from "../../src/core/sync/learn-lists.js";
import { runSync } from "../../src/core/sync/run-sync.js";
import { hostFrom } from "../../src/core/system/host.js";
import { silentProgress } from "../../src/core/system/progress.js";
import { BIN, createFakeMachine, type FakeMachine, writeManifest } from "../helpers/fake-machine.js";

const machines: FakeMachine[] = [];
afterEach(() => {
  for (const m of machines.splice(0)) m.cleanup();
});

test("a first sync lists a package's server once its install is in, before the client's file holds any entry", async () => {
  const m = createFakeMachine({
    kind: "linux",
    cursor: false,
    claudeDesktop: false,
    registryUrl: inject("registryUrl"),
  });
  machines.push(m);
  writeManifest(m, {
    servers: {
      pkg: { package: inject("fixtureName") },
      cmd: { command: process.execPath, args: [inject("fixtureScript")] },
    },
  });
  const config = m.paths.claudeCodeConfig;
  const entries = () =>
    existsSync(config)
      ? Object.keys((JSON.parse(readFileSync(config, "utf8")) as { mcpServers?: object }).mcpServers ?? {})
      : [];
  const seen: Array<{ servers: string[]; entries: string[]; installed: boolean }> = [];
  const listTools: ToolLister = (machine, ctx, names, options) => {
    const installed = existsSync(`${m.paths.linuxPrefix}/lib/node_modules/${inject("fixtureName")}`);
    seen.push({ servers: [...names], entries: entries(), installed });
    return listToolsForSync(machine, ctx, names, options);
  };
  const machine = await openMachine(hostFrom(m.env, m.paths.linuxHome, BIN));
  const report = await runSync(
    machine,
    { dryRun: false, force: false, update: false, prune: false, envs: [], clients: [], listTools },
    silentProgress,
  );
  expect(report.errors).toEqual([]);
  expect(report.pins?.pinned.map((p) => p.server).sort()).toEqual(["cmd", "pkg"]);
  // Each listed once, neither after the write: the command's at once, the package's when its
  // install is in (the sync goes on to write once that list has started).
  expect(seen).toEqual([
    { servers: ["cmd"], entries: [], installed: expect.any(Boolean) },
    { servers: ["pkg"], entries: [], installed: true },
  ]);
  expect(entries().sort()).toEqual(["cmd", "pkg"]);
}, 240_000);
