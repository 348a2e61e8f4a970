#!/usr/bin/env node
// `npm run bench`: every benchmark of mcp-twin, run against the built CLI, each printing what it
// measured side by side in one run. TypeScript benchmarks (which reuse the test harness) are
// bundled on the fly with esbuild; plain .js ones are imported as they are.
// Benchmarks that need the npm registry run only with BENCH_NETWORK=1 (never in .ci/run).
// `--before <build>` (or BENCH_BEFORE) measures another build beside this one in the same run, in
// every benchmark that compares builds: bench/_before.mjs says what <build> may be.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { beforeBuild } from "./_before.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
// The SDK's Streamable HTTP client adds an abort listener per request to one long-lived signal
// (global fetch): thousands of calls on one client warn about it. That is the benchmark's client,
// not what is measured; the warning would drown the tables.
process.removeAllListeners("warning");
process.on("warning", (w) => {
  if (w.name !== "MaxListenersExceededWarning") console.warn(w);
});
process.env.MCP_TWIN_REPO = path.dirname(here);
const args = process.argv.slice(2);
const at = args.indexOf("--before");
const before = at === -1 ? process.env.BENCH_BEFORE : args[at + 1];
if (at !== -1) args.splice(at, 2);
if (before) {
  const bin = beforeBuild(path.dirname(here), before);
  process.env.BENCH_BEFORE_BIN = bin;
  // The benchmarks that took another build before --before did, each under its own name.
  for (const name of ["BENCH_BRIDGE_BASELINE", "BENCH_RELAY_BASELINE", "BENCH_BASELINE"])
    process.env[name] ??= bin;
  console.log(`before: ${bin}`);
}
const only = args;
const files = readdirSync(here)
  .filter((f) => /\.(ts|js)$/.test(f) && f !== "run.js" && !f.startsWith("_"))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();
// Inside the repo, so the bundles resolve node_modules like the sources do.
mkdirSync(path.join(path.dirname(here), ".tmp"), { recursive: true });
const out = mkdtempSync(path.join(path.dirname(here), ".tmp", "bench-"));
let failed = false;
try {
  for (const file of files) {
    let entry = path.join(here, file);
    if (file.endsWith(".ts")) {
      const outfile = path.join(out, file.replace(/\.ts$/, ".mjs"));
      await build({
        entryPoints: [entry],
        bundle: true,
        platform: "node",
        format: "esm",
        packages: "external",
        outfile,
        logLevel: "error",
      });
      entry = outfile;
    }
    console.log(`\n== ${file} ==`);
    const mod = await import(pathToFileURL(entry).href);
    if (typeof mod.run !== "function") continue;
    // A benchmark either prints its own table and returns { ok }, or returns rows to print.
    const result = await mod.run();
    if (Array.isArray(result)) {
      console.table(result);
      if (result.some((row) => row.ok === false)) failed = true;
    } else if (result && result.ok === false) failed = true;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failed) {
  console.log("\nSome targets were missed (see above).");
  process.exitCode = 1;
}
