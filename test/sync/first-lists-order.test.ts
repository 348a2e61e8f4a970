/**
 * When a first sync lists the servers it pins for the first time (issue 86): a server run by a
 * command as soon as the manifest is read (before the environments are looked at), one run from a
 * package as soon as its install is in — both while the sync still has the client's file to write.
 * The order of events, read off the home's files as each list starts; the lister is the real one
 * (real installs, real servers, real handshakes).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, expect, inject, test } from "vitest";
import { listToolsForSync } from "../../src/commands/shared/tool-lister.js";
import { openMachine } from "../../src/core/environments/machine.js";
import type { ToolLister } from "../../src/core/sync/learn-lists.js";
import { runSync } from "../../src/core/sync/run-sync.js";
import { hostFrom } from "../../src/core/system/host.js";
import { silentProgress } from "../../src/core/system/progress.js";
import { BIN, createFakeMachine, type FakeMachine, writeManifest } from "../helpers/fake-machine.js";

const machines: FakeMachine[] = [];
const entriesIn = (config: string) =>
  existsSync(config)
    ? Object.keys((JSON.parse(readFileSync(config, "utf8")) as { mcpServers?: object }).mcpServers ?? {})
    : [];
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
  const entries = () => entriesIn(m.paths.claudeCodeConfig);
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

test("a first sync asks for a direct server's list as soon as it has read the manifest, before it looks at the environments", async () => {
  const m = createFakeMachine({ kind: "linux", cursor: false, claudeDesktop: false });
  machines.push(m);
  writeManifest(m, { servers: { cmd: { command: process.execPath, args: [inject("fixtureScript")] } } });
  const machine = await openMachine(hostFrom(m.env, m.paths.linuxHome, BIN));
  // A fresh home: the environments' facts are cached when the sync first looks at them.
  const facts = path.join(machine.paths.cache, "environments.json");
  const seen: Array<{ servers: string[]; looked: boolean; entries: string[] }> = [];
  const listTools: ToolLister = (on, ctx, names, options) => {
    seen.push({
      servers: [...names],
      looked: existsSync(facts),
      entries: entriesIn(m.paths.claudeCodeConfig),
    });
    return listToolsForSync(on, ctx, names, options);
  };
  const report = await runSync(
    machine,
    { dryRun: false, force: false, update: false, prune: false, envs: [], clients: [], listTools },
    silentProgress,
  );
  expect(report.errors).toEqual([]);
  expect(report.pins?.pinned).toEqual([{ server: "cmd", tools: 4 }]);
  expect(seen).toEqual([{ servers: ["cmd"], looked: false, entries: [] }]);
  expect(existsSync(facts)).toBe(true);
  expect(entriesIn(m.paths.claudeCodeConfig)).toEqual(["cmd"]);
}, 120_000);
