/**
 * What a no-op sync's fingerprint takes of the programs the bridge runs (installed-programs.ts): a
 * `command` server's program found on the PATH sent to the bridge, as npm links it (bin → the
 * package's script), named by its package.json — so `npm i -g <it>@newer` by hand changes it.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import type { ServerSpec } from "../../src/core/manifest/schema.js";
import { installedPrograms } from "../../src/core/sync/installed-programs.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A global npm prefix holding `prog` at `version`, linked from its bin folder as npm links it. */
function prefixWith(version: string): { root: string; bin: string; pkg: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-programs-"));
  dirs.push(root);
  const pkg = path.join(root, "lib", "node_modules", "prog");
  mkdirSync(path.join(pkg, "dist"), { recursive: true });
  writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "prog", version }));
  writeFileSync(path.join(pkg, "dist", "cli.js"), "#!/usr/bin/env node\n", { mode: 0o755 });
  const bin = path.join(root, "bin");
  mkdirSync(bin);
  symlinkSync("../lib/node_modules/prog/dist/cli.js", path.join(bin, "prog"));
  return { root, bin, pkg };
}

const servers = [["p", { command: "prog" } as ServerSpec]] as const;

test("a command server's program is named by its package's version, found on the PATH the bridge gets", async () => {
  const { bin, pkg } = prefixWith("1.0.0");
  const PATH = ["/nonexistent", bin].join(":");
  expect(await installedPrograms(servers, undefined, PATH, "linux")).toEqual([["prog", "prog@1.0.0"]]);
  // Upgraded by hand: another identity, so another fingerprint.
  writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "prog", version: "1.1.0" }));
  expect(await installedPrograms(servers, undefined, PATH, "linux")).toEqual([["prog", "prog@1.1.0"]]);
  // Not on that PATH: left out (the bridge cannot start it either).
  expect(await installedPrograms(servers, undefined, "/nonexistent", "linux")).toEqual([]);
});
