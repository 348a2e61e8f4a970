/**
 * The published package: `npm pack` yields a tarball that `npm install -g` turns into a working
 * `mcp-twin` on PATH — with no dependency to download (everything is bundled), so offline.
 * And the JSON Schema shipped in it is the one generated from the zod schema.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { manifestJsonSchema } from "../../src/core/manifest/schema.js";
import { REPO } from "../helpers/fake-machine.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-pack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("npm pack + npm install -g gives a working mcp-twin on PATH, offline", () => {
  const npmEnv = {
    ...process.env,
    npm_config_registry: "http://127.0.0.1:9/",
    npm_config_cache: path.join(dir, "cache"),
    npm_config_loglevel: "error",
  };
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
      cwd: REPO,
      env: npmEnv,
      encoding: "utf8",
    }),
  );
  const files = (packed[0].files as Array<{ path: string }>).map((f) => f.path);
  expect(files).toContain("bin/mcp-twin.js");
  expect(files).toContain("dist/cli.js");
  expect(files).toContain("schema/manifest.schema.json");
  expect(files.some((f) => f.startsWith("src/") || f.startsWith("test/"))).toBe(false);

  const prefix = path.join(dir, "prefix");
  execFileSync("npm", ["install", "-g", "--prefix", prefix, path.join(dir, packed[0].filename)], {
    env: npmEnv,
    encoding: "utf8",
  });
  const env = { ...process.env, PATH: `${path.join(prefix, "bin")}${path.delimiter}${process.env.PATH}` };
  const version = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).version;
  expect(execFileSync("mcp-twin", ["--version"], { env, encoding: "utf8" }).trim()).toBe(version);
  expect(execFileSync("mcp-twin", ["sync", "--help"], { env, encoding: "utf8" })).toContain("--dry-run");
}, 120_000);

test("the shipped JSON Schema is the one the zod schema generates", () => {
  const committed = JSON.parse(readFileSync(path.join(REPO, "schema", "manifest.schema.json"), "utf8"));
  expect(committed).toEqual(manifestJsonSchema());
});
