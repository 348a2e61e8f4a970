/**
 * The published package: `npm pack` yields a tarball that `npm install -g` turns into a working
 * `mcp-twin` on PATH — everything bundled but the keychain's library, an optional dependency: offline
 * the install still succeeds (and says where keys go), from a registry it brings the keychain.
 * And the JSON Schema shipped in it is the one generated from the zod schema.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, test } from "vitest";
import { manifestJsonSchema } from "../../src/core/manifest/schema.js";
import { BIN, REPO } from "../helpers/fake-machine.js";
import { fixtureMachines } from "../helpers/machines.js";
import { moduleLog } from "../helpers/module-log.js";
import { startRegistry } from "../helpers/registry.js";
import { startSecretService } from "../helpers/secret-service.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-pack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEYRING = path.join("node_modules", "@napi-rs", "keyring");

test("npm pack + npm install -g gives a working mcp-twin on PATH, offline", () => {
  const npmEnv = {
    ...process.env,
    npm_config_registry: "http://127.0.0.1:9/",
    npm_config_cache: path.join(dir, "cache"),
    npm_config_loglevel: "error",
    // The keychain's library cannot be fetched: npm gives up on an optional dependency after its
    // retries (two, 10 s then 60 s apart) — none here, the outcome is the same.
    npm_config_fetch_retries: "0",
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
  // It is CommonJS (a relay then starts no ES module main: bin/mcp-twin.js): its package.json says so.
  expect(files).toContain("bin/package.json");
  expect(files).toContain("dist/cli.js");
  // The builds (tsup.config.ts) that bin/mcp-twin.js and cli.js load by path at run time.
  expect(files).toContain("dist/sync/sync.js");
  expect(files).toContain("dist/commands/doctor.js");
  // The bridge starts it by path to fill its list cache (gateway/fill-apart.ts).
  expect(files).toContain("dist/fill/fill-caches.js");
  expect(files).toContain("dist/version.js");
  // `--version` loads that one file and nothing else.
  expect(readFileSync(path.join(REPO, "dist", "version.js"), "utf8")).not.toMatch(/\bimport\b/);
  expect(files).toContain("schema/manifest.schema.json");
  expect(files.some((f) => f.startsWith("src/") || f.startsWith("test/"))).toBe(false);
  // Every user page ships (each one the README links, each one under docs/); the contributors'
  // pages (docs/dev/), the recorded runs (docs/dev/recordings/) and the scripts that made them
  // (root, tmux, the simulated machine) are the developers' and do not.
  expect(files).toContain("docs/doctor.md");
  const guides = [
    ...readFileSync(path.join(REPO, "README.md"), "utf8").matchAll(/\]\((docs\/[^)#\s]+\.md)/g),
  ].map((m) => m[1]!);
  expect(guides.filter((g) => !g.startsWith("docs/dev/")).length).toBeGreaterThan(10);
  for (const guide of guides.filter((g) => !g.startsWith("docs/dev/"))) expect(files, guide).toContain(guide);
  const userPages = readdirSync(path.join(REPO, "docs")).filter((f) => f.endsWith(".md"));
  expect(files.filter((f) => f.startsWith("docs/")).sort()).toEqual(userPages.map((f) => `docs/${f}`).sort());
  expect(files.filter((f) => /recordings|journeys|wsl-sim|first-ten-minutes|\.sh$/.test(f))).toEqual([]);
  expect(files.filter((f) => /^(scripts|bench|test|src)\//.test(f))).toEqual([]);
  // The licences ship: mcp-twin's, the bundled libraries' (THIRD-PARTY-NOTICES), and the list of
  // bundled versions a scanner reads (docs/safety.md, "Auditing the bundled libraries").
  expect(files).toContain("LICENSE");
  expect(files).toContain("THIRD-PARTY-NOTICES");
  expect(files).toContain("dist/bundled.cdx.json");

  const prefix = path.join(dir, "prefix");
  execFileSync("npm", ["install", "-g", "--prefix", prefix, path.join(dir, packed[0].filename)], {
    env: npmEnv,
    encoding: "utf8",
  });
  const env = { ...process.env, PATH: `${path.join(prefix, "bin")}${path.delimiter}${process.env.PATH}` };
  const version = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).version;
  expect(execFileSync("mcp-twin", ["--version"], { env, encoding: "utf8" }).trim()).toBe(version);
  expect(execFileSync("mcp-twin", ["sync", "--help"], { env, encoding: "utf8" })).toContain("--dry-run");
  // Without its optional keychain library mcp-twin still works, keeps keys in the file, and says why.
  const installed = path.join(prefix, "lib", "node_modules", "mcp-twin");
  expect(existsSync(path.join(installed, KEYRING))).toBe(false);
  const set = spawnSync("mcp-twin", ["secret", "set", "OFFLINE_KEY"], {
    env: { ...env, MCP_TWIN_HOME: path.join(dir, "home-offline"), MCP_TWIN_KEYCHAIN: "on" },
    input: "offline-value-0123456789",
    encoding: "utf8",
  });
  expect(set.status, set.stderr).toBe(0);
  expect(set.stdout).toMatch(/Stored OFFLINE_KEY in .*secrets\.json \(mode 0600\)/);
  expect(set.stderr).toContain("No OS keychain is used: its library is not installed beside mcp-twin");
}, 120_000);

test("installed from a registry, mcp-twin brings the OS keychain: a key set goes into the Secret Service", async () => {
  // The keychain's library and this platform's binary, packed from node_modules, served with the
  // manifests the real registry serves (optionalDependencies, os, cpu, libc): every other
  // platform's binary is not found (404), as npm meets it on a mirror that carries only some.
  const folders = readdirSync(path.join(REPO, "node_modules", "@napi-rs"))
    .filter((folder) => folder.startsWith("keyring"))
    .map((folder) => path.join("node_modules", "@napi-rs", folder));
  // One npm for all of them (each npm start is about half a second of CPU).
  const packed: Array<{ name: string; filename: string }> = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", dir, ...folders], {
      cwd: REPO,
      encoding: "utf8",
    }),
  );
  const packages = folders.map((folder) => {
    const manifest = JSON.parse(readFileSync(path.join(REPO, folder, "package.json"), "utf8"));
    const { optionalDependencies, os: osList, cpu, libc, main } = manifest;
    return {
      name: manifest.name,
      version: manifest.version,
      tgz: path.join(dir, packed.find((p) => p.name === manifest.name)?.filename ?? "not packed"),
      manifest: { optionalDependencies, os: osList, cpu, libc, main },
    };
  });
  expect(packages.map((p) => p.name)).toContain("@napi-rs/keyring");
  expect(packages.length).toBeGreaterThan(1);
  const tarball = readdirSync(dir).find((f) => /^mcp-twin-.*\.tgz$/.test(f));
  expect(tarball, "the first test packs mcp-twin").toBeDefined();
  const registry = await startRegistry(packages);
  const bus = startSecretService();
  try {
    const prefix = path.join(dir, "prefix-registry");
    await promisify(execFile)("npm", ["install", "-g", "--prefix", prefix, path.join(dir, tarball!)], {
      env: {
        ...process.env,
        npm_config_registry: registry.url,
        npm_config_cache: path.join(dir, "cache-registry"),
        npm_config_loglevel: "error",
      },
    });
    const installed = path.join(prefix, "lib", "node_modules", "mcp-twin");
    expect(existsSync(path.join(installed, KEYRING, "package.json"))).toBe(true);
    const env = {
      ...process.env,
      PATH: `${path.join(prefix, "bin")}${path.delimiter}${process.env.PATH}`,
      MCP_TWIN_HOME: path.join(dir, "home-registry"),
      DBUS_SESSION_BUS_ADDRESS: bus.address,
      MCP_TWIN_KEYCHAIN: "on",
    };
    const { stdout } = await promisify(execFile)(
      "sh",
      ["-c", 'printf %s "$1" | mcp-twin secret set SHIPPED_KEY', "sh", "shipped-value-0123456789"],
      { env },
    );
    expect(stdout).toContain("Stored SHIPPED_KEY in the Secret Service.");
    expect(bus.items(`mcp-twin:${env.MCP_TWIN_HOME}`)).toEqual({ SHIPPED_KEY: "shipped-value-0123456789" });
  } finally {
    bus.stop();
    await registry.close();
  }
}, 180_000);

test("the shipped JSON Schema is the one the zod schema generates", () => {
  const committed = JSON.parse(readFileSync(path.join(REPO, "schema", "manifest.schema.json"), "utf8"));
  expect(committed).toEqual(manifestJsonSchema());
});

test("cli.js and everything it loads need no __dirname/__filename shims (its build has none)", () => {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    expect(text, file).not.toMatch(/\b__(dirname|filename)\b/);
    for (const m of text.matchAll(/(?:from\s*|import\()\s*["'](\.\/[^"']+\.js)["']/g))
      visit(path.join(path.dirname(file), m[1]!));
  };
  visit(path.join(REPO, "dist", "cli.js"));
  // cli.js and its chunks (chalk, execa, ora), not the command builds it loads by path.
  expect(seen.size).toBeGreaterThan(2);
  expect([...seen].some((f) => f.includes(`${path.sep}sync${path.sep}`))).toBe(false);
});

test("zod's error messages are bundled in English only (scripts/zod-locales-en.mjs)", () => {
  const files = readdirSync(path.join(REPO, "dist"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".js"))
    .map((f) => path.join(REPO, "dist", f));
  const code = files.map((f) => readFileSync(f, "utf8")).join("\n");
  // zod is in the build, its English messages with it…
  expect(code).toContain("Invalid input: expected ${expected}, received ${received}");
  // …and no other language's (German, Catalan, Polish: as the build escapes them).
  for (const other of [
    /Ung(ü|\\xFC)ltige Eingabe/,
    /Entrada inv(à|\\xE0)lida/,
    /Nieprawid(ł|\\u0142)owe dane/,
  ])
    expect(code).not.toMatch(other);
});

const setup = fixtureMachines("fx-1a2b3c4d5e6f7a8b");

test("a sync with nothing to do loads no doctor, bridge, catalogue or writing code", async () => {
  const m = await setup.synced();
  // Every module file the run loads, logged by a module hook (the real bin, the built bundles).
  const hook = moduleLog(dir);
  const noop = () => {
    writeFileSync(hook.env.LOADED_LOG, "");
    const out = execFileSync(process.execPath, [...hook.args, BIN, "sync"], {
      env: { ...m.env, LOADED_LOG: hook.env.LOADED_LOG },
      cwd: m.paths.linuxHome,
      encoding: "utf8",
    });
    expect(out).toMatch(/unchanged|up to date|nothing/i);
    return hook.files();
  };
  const dist = (loaded: string[]) => loaded.map((f) => path.relative(path.join(REPO, "dist"), f)).sort();
  // Two files, not ~20 chunks: each module file costs Node's ESM loader about half a millisecond
  // (tsup.config.ts re-chunks the start-up into one file per build) — and the pin step's, since the
  // first sync pinned the server: the first no-op judges its list against the pins (pin-tools) and
  // keeps that settled judgement (pin-stamp, written by the atomic writer's chunk, lib).
  const loaded = noop();
  const files = dist(loaded);
  expect(files.filter((f) => !/^sync[/\\](pin-tools|pin-stamp|lib|chunk)-/.test(f))).toEqual([
    "cli.js",
    path.join("sync", "sync.js"),
  ]);
  expect(files.some((f) => /pin-tools-/.test(f))).toBe(true);
  // The next, on the same inputs, says that judgement again: the pins' code and no writer loaded.
  const again = dist(noop());
  expect(again.filter((f) => !/^sync[/\\](pin-stamp|chunk)-/.test(f))).toEqual([
    "cli.js",
    path.join("sync", "sync.js"),
  ]);
  const code = loaded.map((f) => readFileSync(f, "utf8")).join("\n");
  // The bridge's wiring is not among these: every sync whose servers are shared runs it (a key-bearing
  // server is shared unless its manifest says otherwise), so it is in the start-up file.
  for (const unwanted of [
    "function runDoctor", // doctor
    "function listenHttp", // the bridge's server
    "function catalogueSecretFormats", // the catalogue
    "function writeTargets", // writing: write-targets.ts, backups
    "function keepBackup",
  ])
    expect(code, unwanted).not.toContain(unwanted);
  // Built-ins come from process.getBuiltinModule, not import statements: Node builds an ESM import
  // of a built-in a facade by reading every export, lazy ones too (tsup.config.ts).
  const builtinImports = [...code.matchAll(/^import\b[^;]*?from\s*["']([^"']+)["']/gm)]
    .map((m) => m[1]!)
    .filter((source) => isBuiltin(source));
  expect(builtinImports).toEqual([]);
});
