#!/usr/bin/env node
// `npm run bench`: every benchmark of mcp-twin, run against the built CLI, each printing what it
// measured side by side in one run. TypeScript benchmarks (which reuse the test harness) are
// bundled on the fly with esbuild; plain .js ones are imported as they are.
// Benchmarks that need the npm registry run only with BENCH_NETWORK=1 (never in .ci/run).
// `--before <build>` (or BENCH_BEFORE) measures another build beside this one in the same run, in
// every benchmark that compares builds: bench/_before.mjs says what <build> may be.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
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
// `--only <name>` (again for more): those benchmarks alone, by file name without .ts/.js.
// `--budgets`: the gateway's budgets alone — bridge, bridge-idle, relay and restart, each cut to what
// the budgets need (BENCH_BUDGETS=1: every bench says what it leaves out) — and every budget line
// again at the end. Bare names still select benchmarks whose file name starts with them.
const named = [];
for (let i = args.indexOf("--only"); i !== -1; i = args.indexOf("--only")) {
  if (!args[i + 1]) throw new Error("--only needs a benchmark's name (e.g. --only bridge-idle)");
  named.push(args[i + 1].replace(/\.(ts|js)$/, ""));
  args.splice(i, 2);
}
const budgets = args.includes("--budgets");
if (budgets) {
  args.splice(args.indexOf("--budgets"), 1);
  process.env.BENCH_BUDGETS = "1";
  if (named.length === 0) named.push("bridge", "bridge-idle", "relay", "restart");
}
const only = args;
const files = readdirSync(here)
  .filter((f) => /\.(ts|js)$/.test(f) && f !== "run.js" && !f.startsWith("_"))
  .filter((f) => named.length === 0 || named.includes(f.replace(/\.(ts|js)$/, "")))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();
if (files.length === 0) throw new Error(`no benchmark named ${[...named, ...only].join(", ")} in bench/`);
const began = performance.now();
const minutes = (since) => `${((performance.now() - since) / 60_000).toFixed(1)} min`;
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
    const started = performance.now();
    const result = await mod.run();
    console.log(`(${file}: ${minutes(started)})`);
    if (Array.isArray(result)) {
      console.table(result);
      if (result.some((row) => row.ok === false)) failed = true;
    } else if (result && result.ok === false) failed = true;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
const kept = globalThis.benchBudgets ?? [];
if (kept.length)
  console.log(
    `\nThe gateway's budgets (load average ${os.loadavg()[0].toFixed(1)} now):\n${kept.join("\n")}`,
  );
console.log(`\nall: ${minutes(began)}`);
if (failed) {
  console.log("\nSome targets were missed (see above).");
  process.exitCode = 1;
}
