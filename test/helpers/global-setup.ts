/**
 * Once per test run: pack the fixture server (two versions, for --update; the plain server as the
 * bin, the SDK one beside it: test/fixtures/mcp-server/src/server.ts says why) and serve them from a
 * loopback registry; name the folder the era fixtures are packed into by the first file that needs
 * them. Tests read the addresses with `inject()`.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { packFixture } from "./fixture-package.js";
import { recordInstalls } from "./npm-replay.js";
import { startRegistry } from "./registry.js";

declare module "vitest" {
  export interface ProvidedContext {
    registryUrl: string;
    fixtureName: string;
    /** The plain fixture server (no SDK), the bin the packed fixture installs. */
    fixtureScript: string;
    /** The fixture server on the real SDK, for the tests that judge a real SDK server. */
    fixtureSdkScript: string;
    fixtureTgz: string;
    eraDir: string;
    /** Where the fixture's installs are recorded, once each per run (npm-replay.ts). */
    npmInstalls: string;
    /** Where fake-machine.ts puts each worker's npm stand-in (readable by every account). */
    standInRoot: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-fixtures-"));
  const v1 = await packFixture(dir, "1.0.0", "plain");
  const v2 = await packFixture(dir, "1.1.0", "plain");
  const registry = await startRegistry([
    { name: v1.name, version: v1.version, tgz: v1.tgz, bin: { "mcp-twin-fixture-server": "dist/server.js" } },
    { name: v2.name, version: v2.version, tgz: v2.tgz, bin: { "mcp-twin-fixture-server": "dist/server.js" } },
  ]);
  project.provide("registryUrl", registry.url);
  project.provide("fixtureName", v1.name);
  project.provide("fixtureScript", v1.script);
  project.provide("fixtureSdkScript", v1.sdkScript);
  project.provide("fixtureTgz", v1.tgz);
  project.provide("eraDir", path.join(dir, "eras"));
  // In the background: a machine that installs before its recording is there runs the real npm.
  const installs = path.join(dir, "installs");
  const specs = [`${v1.name}@${v1.version}`, `${v2.name}@${v2.version}`];
  // Kept to be thrown at the end (a failed real install of the fixture fails the run).
  const recorded = recordInstalls(installs, registry.url, specs).then(
    () => undefined,
    (e: unknown) => e,
  );
  project.provide("npmInstalls", installs);
  const standIns = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-npm-"));
  chmodSync(standIns, 0o755);
  project.provide("standInRoot", standIns);
  return async () => {
    const failed = await recorded;
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(standIns, { recursive: true, force: true });
    if (failed) throw failed;
  };
}
