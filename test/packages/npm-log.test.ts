/**
 * npm's phases, read from real npm output: `npm install --loglevel=silly` (the npm that runs these
 * tests, npm 11 here) against the loopback registry, lines fed to the reader as sync feeds them.
 * And the error text of a failed install keeps npm's error lines, not its log lines.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, inject, test } from "vitest";
import { npmPhaseReader, withoutNpmLog } from "../../src/core/packages/npm-log.js";
import type { NpmPhase } from "../../src/core/system/progress.js";
import { describePhase, formatElapsed } from "../../src/ui/install-board.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function npmInstall(spec: string): { status: number | null; stderr: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-npmlog-"));
  dirs.push(dir);
  const r = spawnSync("npm", ["install", "-g", "--no-fund", "--no-audit", "--loglevel=silly", spec], {
    encoding: "utf8",
    env: {
      ...process.env,
      npm_config_prefix: path.join(dir, "prefix"),
      npm_config_cache: path.join(dir, "cache"),
      npm_config_registry: inject("registryUrl"),
      npm_config_update_notifier: "false",
    },
  });
  return { status: r.status, stderr: r.stderr };
}

test("a real install goes starting → resolving → adding, counting the tree and what was added", () => {
  const { status, stderr } = npmInstall(`${inject("fixtureName")}@1.0.0`);
  expect(status, stderr).toBe(0);
  const reader = npmPhaseReader();
  const seen: NpmPhase[] = [];
  for (const line of stderr.split("\n")) {
    const phase = reader.read(line);
    if (phase) seen.push(phase);
  }
  const stages = seen.map((p) => p.stage).filter((s, i, all) => s !== all[i - 1]);
  expect(stages).toEqual(["resolving", "adding"]);
  expect(reader.phase()).toMatchObject({ stage: "adding", packages: 1, downloaded: 1, added: 1 });
  const said = seen.map(describePhase).filter((line, i, all) => line !== all[i - 1]);
  expect(said).toEqual([
    "resolving",
    "resolving: 1 package",
    "fetching 0/1 package",
    "fetching and unpacking 1 package",
    "adding 1/1 package",
  ]);
  expect(reader.phase().fetched).toBeGreaterThan(0);
  // What the live line says at each point.
  expect(seen.map(describePhase)).toContain("resolving: 1 package");
  expect(describePhase(reader.phase())).toBe("adding 1/1 package");
});

test("a failed install's error keeps npm's error lines and drops its log lines", () => {
  const { status, stderr } = npmInstall("mcp-twin-no-such-package@1.0.0");
  expect(status).not.toBe(0);
  expect(stderr).toMatch(/^npm (silly|verbose) /m);
  const shown = withoutNpmLog(stderr);
  expect(shown).toMatch(/^npm error code E404$/m);
  expect(shown).not.toMatch(/^npm (silly|verbose|info|http) /m);
});

test("script lines and elapsed time read as words", () => {
  const reader = npmPhaseReader();
  reader.read("npm silly idealTree buildDeps");
  const phase = reader.read("npm info run esbuild@0.25.9 postinstall node_modules/esbuild node install.js");
  expect(phase && describePhase(phase)).toBe("running esbuild@0.25.9 postinstall");
  expect(reader.read("something npm says on stdout")).toBeUndefined();
  expect([0, 9_400, 61_000, 3_599_000].map(formatElapsed)).toEqual(["0s", "9s", "1m 01s", "59m 59s"]);
});
