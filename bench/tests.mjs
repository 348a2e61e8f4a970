#!/usr/bin/env node
// `npm run bench:tests`: the whole test suite two ways, back to back in one run, on the same files.
//   before: every end-to-end run through the built binary, one worker — the suite as it ran before
//           the in-process work (MCP_TWIN_TEST_CLI=binary, --maxWorkers=1);
//   after:  the suite as `npm test` runs it now (in-process end-to-end runs, vitest.config.ts's
//           worker count).
// Both must pass the same tests (same coverage); it prints each one's wall time, their ratio, and
// per-file times (a file's own time; with several workers their sum exceeds the wall time).
// Arguments go to vitest in both runs: `npm run bench:tests -- test/e2e` compares those files only.
// Not part of `npm run bench` (bench/run.js picks .ts and .js files): the two runs take minutes.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const vitest = path.join(repo, "node_modules", "vitest", "vitest.mjs");
const filters = process.argv.slice(2);

/** One vitest run with a JSON report; its wall time and the report. */
async function runSuite(label, env, extraArgs, out) {
  const report = path.join(out, `${label}.json`);
  const args = [
    vitest,
    "run",
    ...extraArgs,
    "--reporter=dot",
    "--reporter=json",
    `--outputFile.json=${report}`,
  ];
  const load = os.loadavg()[0].toFixed(2);
  console.log(
    `\n== ${label}: vitest ${args.slice(2).join(" ")}${env.MCP_TWIN_TEST_CLI ? " (MCP_TWIN_TEST_CLI=binary)" : ""}`,
  );
  const start = process.hrtime.bigint();
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [...args, ...filters], { cwd: repo, env, stdio: "inherit" });
    child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  let json;
  try {
    json = JSON.parse(readFileSync(report, "utf8"));
  } catch {
    throw new Error(`${label}: vitest wrote no report (exit ${code})`);
  }
  console.log(
    `   ${wall.toFixed(1)} s wall, load average ${load} before, ${os.loadavg()[0].toFixed(2)} after`,
  );
  return { label, code, wall, json };
}

/** Passed tests by file and name, and each file's own time (s). */
function summary(run) {
  const passed = new Set();
  const files = new Map();
  for (const file of run.json.testResults) {
    const name = path.relative(repo, file.name);
    files.set(name, (file.endTime - file.startTime) / 1000);
    for (const t of file.assertionResults)
      if (t.status === "passed") passed.add(`${name} > ${t.ancestorTitles.concat(t.title).join(" > ")}`);
  }
  return { passed, files };
}

const cell = (s) => (s === undefined ? "-" : s.toFixed(1));

console.log("Building (the binary runs need dist/) …");
execFileSync("npm", ["run", "build"], { cwd: repo, stdio: ["ignore", "ignore", "inherit"] });
const out = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bench-tests-"));
let ok = true;
try {
  const before = await runSuite(
    "before",
    { ...process.env, MCP_TWIN_TEST_CLI: "binary" },
    ["--maxWorkers=1"],
    out,
  );
  const { MCP_TWIN_TEST_CLI: _, ...plain } = process.env;
  const after = await runSuite("after", plain, [], out);
  const b = summary(before);
  const a = summary(after);

  const names = [...new Set([...b.files.keys(), ...a.files.keys()])].sort(
    (x, y) => (b.files.get(y) ?? 0) - (b.files.get(x) ?? 0),
  );
  const width = Math.max(...names.map((n) => n.length), 4);
  console.log(`\n${"file".padEnd(width)}  before s  after s`);
  for (const name of names.slice(0, 25))
    console.log(
      `${name.padEnd(width)}  ${cell(b.files.get(name)).padStart(8)}  ${cell(a.files.get(name)).padStart(7)}`,
    );
  if (names.length > 25) console.log(`… and ${names.length - 25} more files`);
  const sum = (m) => [...m.values()].reduce((x, y) => x + y, 0);
  console.log(
    `${"sum of files".padEnd(width)}  ${cell(sum(b.files)).padStart(8)}  ${cell(sum(a.files)).padStart(7)}`,
  );

  console.log("");
  for (const run of [before, after]) {
    const j = run.json;
    console.log(
      `${run.label.padEnd(6)}  ${run.wall.toFixed(1).padStart(6)} s wall  ${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests + j.numTodoTests} skipped (${j.numTotalTests} tests, ${j.testResults.length} files)`,
    );
  }
  console.log(`after / before: ${(after.wall / before.wall).toFixed(2)} (target < 0.5)`);

  const missing = [...b.passed].filter((t) => !a.passed.has(t));
  const extra = [...a.passed].filter((t) => !b.passed.has(t));
  if (missing.length || extra.length) {
    ok = false;
    console.log(`✖ not the same coverage: passed only before ${missing.length}, only after ${extra.length}`);
    for (const t of [
      ...missing.slice(0, 10).map((t) => `  before only: ${t}`),
      ...extra.slice(0, 10).map((t) => `  after only: ${t}`),
    ])
      console.log(t);
  } else console.log(`✔ same coverage: the same ${a.passed.size} tests passed both ways`);
  if (before.code !== 0 || after.code !== 0) {
    ok = false;
    console.log(`✖ vitest exited ${before.code} (before) and ${after.code} (after)`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (!ok) process.exitCode = 1;
