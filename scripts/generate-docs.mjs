// Writes the generated parts of a docs page from the source that owns them, and nothing else:
// `clients` (docs/clients.md, from src/core/clients/) or `doctor` (docs/doctor.md, from the check
// registry). `--check`: write nothing, exit 1 when a page is stale.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const SOURCES = {
  clients: "src/core/clients/clients-docs.ts",
  doctor: "src/core/doctor/docs.ts",
};

const which = process.argv[2];
const source = SOURCES[which];
if (!source) {
  console.error(`usage: node scripts/generate-docs.mjs <${Object.keys(SOURCES).join("|")}> [--check]`);
  process.exit(2);
}
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), "..");
// Beside node_modules, so the bundle finds the packages it leaves external.
const cache = path.join(root, "node_modules", ".cache");
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(path.join(cache, `mcp-twin-${which}-docs-`));
try {
  const out = path.join(dir, "docs.mjs");
  await build({
    entryPoints: [path.join(root, source)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: out,
    packages: "external",
    logLevel: "error",
    define: { __MCP_TWIN_VERSION__: '"docs"' },
  });
  const { GENERATED } = await import(pathToFileURL(out).href);
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const { file, apply } of GENERATED) {
    const full = path.join(root, file);
    const before = readFileSync(full, "utf8");
    const after = apply(before);
    if (after === before) continue;
    stale++;
    if (check) console.error(`${file} is stale: run \`npm run docs:${which}\`.`);
    else {
      writeFileSync(full, after);
      console.log(`wrote ${file}`);
    }
  }
  if (check && stale > 0) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
