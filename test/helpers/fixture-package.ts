/**
 * Builds the fixture MCP server into one file and packs it with the real `npm pack`, so tests can
 * `npm install` it offline from the loopback registry: the tests' run packs the plain server (no
 * SDK) as the bin, the SDK one built beside the package; the bench packs the SDK one, as it measures it.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const FIXTURE_DIR = process.env.MCP_TWIN_REPO
  ? path.join(process.env.MCP_TWIN_REPO, "test", "fixtures", "mcp-server")
  : fileURLToPath(new URL("../fixtures/mcp-server/", import.meta.url));

export interface PackedFixture {
  name: string;
  version: string;
  tgz: string;
  /** The bin's script (dist/server.js), runnable with `node <script>` without installing. */
  script: string;
  /** The server on the real SDK v1, SDK and zod bundled in (the bin itself when packed "sdk"). */
  sdkScript: string;
}

/**
 * `bin`: which server `mcp-twin-fixture-server` starts — "sdk" (src/sdk-server.ts) or "plain"
 * (src/server.ts, the same answers without the SDK; the SDK one is built outside what is packed).
 */
export async function packFixture(
  outDir: string,
  version: string,
  bin: "sdk" | "plain" = "sdk",
): Promise<PackedFixture> {
  const staging = path.join(outDir, `staging-${version}`);
  mkdirSync(path.join(staging, "dist"), { recursive: true });
  const pkg = JSON.parse(readFileSync(path.join(FIXTURE_DIR, "package.json"), "utf8")) as {
    name: string;
    version: string;
  };
  pkg.version = version;
  // keep "type": "module" from the fixture's package.json: the bundle is ESM
  writeFileSync(path.join(staging, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  const script = path.join(staging, "dist", "server.js");
  // Beside dist/, not in it: under the staged package.json's "type": "module", and not packed.
  const sdkScript = bin === "sdk" ? script : path.join(staging, "sdk-server.js");
  await bundle("sdk-server.ts", sdkScript, version);
  if (bin === "plain") await bundle("server.ts", script, version);
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", outDir], {
    cwd: staging,
    encoding: "utf8",
    env: { ...process.env, npm_config_loglevel: "error" },
  });
  const file = (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename;
  return {
    name: pkg.name,
    version,
    tgz: path.join(outDir, file),
    script,
    sdkScript,
  };
}

/** `version`: what the server says in its serverInfo (a hand upgrade is seen in a new session). */
async function bundle(source: string, outfile: string, version: string): Promise<void> {
  await build({
    define: { "process.env.FIXTURE_PACKED_VERSION": JSON.stringify(version) },
    entryPoints: [path.join(FIXTURE_DIR, "src", source)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node18",
    outfile,
    // Bundled CommonJS dependencies may still call require(): give them one.
    banner: {
      js: '#!/usr/bin/env node\nimport { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
    },
    logLevel: "silent",
  });
}
