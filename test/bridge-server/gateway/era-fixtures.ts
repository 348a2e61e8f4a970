/**
 * The era fixtures (test/fixtures/era-server): a 2025-11-25-only server on SDK v1 and a
 * 2026-07-28-only one on SDK v2, each bundled into one file and packed with the real `npm pack`,
 * so tests run them as a script or install them from a loopback registry like any server.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const DIR = fileURLToPath(new URL("../../fixtures/era-server/", import.meta.url));

export interface EraFixture {
  name: string;
  version: string;
  tgz: string;
  /** The bundled server, runnable with `node <script>`. */
  script: string;
  bin: Record<string, string>;
}

async function pack(outDir: string, flavour: "v1" | "v2", version: string): Promise<EraFixture> {
  const staging = path.join(outDir, `era-${flavour}-${version}`);
  mkdirSync(path.join(staging, "dist"), { recursive: true });
  const pkg = JSON.parse(readFileSync(path.join(DIR, "package.json"), "utf8")) as Record<string, unknown>;
  const name = `mcp-twin-era-${flavour}`;
  const bin = { [name]: "dist/server.js" };
  writeFileSync(
    path.join(staging, "package.json"),
    `${JSON.stringify({ ...pkg, name, version, bin }, null, 2)}\n`,
  );
  await build({
    entryPoints: [path.join(DIR, "src", `${flavour}.ts`)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: path.join(staging, "dist", "server.js"),
    banner: {
      js: '#!/usr/bin/env node\nimport { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
    },
    logLevel: "silent",
  });
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", outDir], {
    cwd: staging,
    encoding: "utf8",
    env: { ...process.env, npm_config_loglevel: "error" },
  });
  const file = (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename;
  return {
    name,
    version,
    tgz: path.join(outDir, file),
    script: path.join(staging, "dist", "server.js"),
    bin,
  };
}

/** Both fixtures, packed into `outDir`. */
export async function packEraFixtures(outDir: string): Promise<{ v1: EraFixture; v2: EraFixture }> {
  const [v1, v2] = await Promise.all([pack(outDir, "v1", "1.0.0"), pack(outDir, "v2", "2.0.0")]);
  return { v1, v2 };
}

type Eras = { v1: EraFixture; v2: EraFixture };

/**
 * Both fixtures in `dir`, packed there by the first test file of the run that asks (a bundle and an
 * `npm pack` each, about 3 CPU-s) and read back by the others: packed beside it, then renamed into
 * place, so a file racing another uses whichever copy landed first.
 */
export async function packEraFixturesOnce(dir: string): Promise<Eras> {
  const record = path.join(dir, "eras.json");
  const read = (): Eras => {
    const rel = JSON.parse(readFileSync(record, "utf8")) as Eras;
    const at = (f: EraFixture) => ({ ...f, tgz: path.join(dir, f.tgz), script: path.join(dir, f.script) });
    return { v1: at(rel.v1), v2: at(rel.v2) };
  };
  if (existsSync(record)) return read();
  mkdirSync(path.dirname(dir), { recursive: true });
  const staging = mkdtempSync(`${dir}-`);
  const eras = await packEraFixtures(staging);
  const rel = (f: EraFixture) => ({
    ...f,
    tgz: path.relative(staging, f.tgz),
    script: path.relative(staging, f.script),
  });
  writeFileSync(path.join(staging, "eras.json"), JSON.stringify({ v1: rel(eras.v1), v2: rel(eras.v2) }));
  try {
    renameSync(staging, dir);
  } catch {
    // Another file's copy is in place.
    rmSync(staging, { recursive: true, force: true });
  }
  return read();
}

/** A fixture serving over Streamable HTTP (`--http`), a real process: its URL, and how to stop it. */
export async function remoteEraFixture(fixture: EraFixture): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [fixture.script, "--http"], { stdio: ["ignore", "pipe", "inherit"] });
  const stop = () => void child.kill("SIGKILL");
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("\n")) resolve(out.trim());
    });
    child.once("exit", (code) => reject(new Error(`${fixture.name} --http exited with ${code}`)));
  }).catch((error: unknown) => {
    stop();
    throw error;
  });
  // Not /mcp: a loopback /mcp is the bridge's shape, which connect and sync treat as the bridge.
  return { url: url.replace(/\/mcp$/, "/remote"), stop };
}
