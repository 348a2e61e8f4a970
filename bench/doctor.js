// Benchmark: `mcp-twin doctor` with 10 fixture servers vs 1, side by side in one run (probes run
// in parallel, so the target is ≤ 1.5×), and a check that no child process survives a run where a
// server hangs. Uses the built CLI (npm run build first). Not part of `npm test`.
//
//   node bench/doctor.js            prints a table
//   import { run } from "./doctor.js"   → result rows
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const BIN = path.join(REPO, "bin", "mcp-twin.js");
const ROUNDS = 7;
const TARGET_RATIO = 1.5;

/** The test fixture MCP server, bundled into one ESM file (SDK and zod inside). */
async function fixtureServer(dir) {
  const outfile = path.join(dir, "fixture-server.mjs");
  await build({
    entryPoints: [path.join(REPO, "test", "fixtures", "mcp-server", "src", "server.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    banner: {
      js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);',
    },
    logLevel: "silent",
  });
  return outfile;
}

/** A Linux home whose Claude Code config holds `count` distinct servers (distinct launches are probed separately). */
function machine(root, name, server, count, extraArgs = []) {
  const home = path.join(root, name);
  mkdirSync(path.join(home, ".config"), { recursive: true });
  const servers = {};
  for (let i = 0; i < count; i++)
    servers[`s${i}`] = {
      type: "stdio",
      command: process.execPath,
      args: [server, "--tools", String(i), ...extraArgs],
    };
  writeFileSync(path.join(home, ".claude.json"), JSON.stringify({ mcpServers: servers }, null, 2));
  return {
    home,
    env: {
      HOME: home,
      USER: "bench",
      PATH: process.env.PATH ?? "",
      LANG: "C.UTF-8",
      NO_COLOR: "1",
      MCP_TWIN_HOME: path.join(home, "mcp-twin-home"),
      XDG_CONFIG_HOME: path.join(home, ".config"),
      XDG_CACHE_HOME: path.join(home, ".cache"),
      XDG_DATA_HOME: path.join(home, ".local", "share"),
      npm_config_update_notifier: "false",
    },
  };
}

function doctor(m, args = []) {
  return new Promise((resolve) => {
    const started = performance.now();
    execFile(
      process.execPath,
      [BIN, "doctor", "--json", ...args],
      { env: m.env, cwd: m.home, maxBuffer: 1 << 26 },
      (error, stdout) => {
        const ms = performance.now() - started;
        let report;
        try {
          report = JSON.parse(stdout);
        } catch {
          report = undefined;
        }
        resolve({ ms, code: error ? (typeof error.code === "number" ? error.code : 1) : 0, report });
      },
    );
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function survivors(marker) {
  const out = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      const state = /^\S+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, "utf8"))?.[1];
      if (cmd.includes(marker) && state !== "Z") out.push(Number(pid));
    } catch {
      // gone
    }
  }
  return out;
}

async function compare(root, server, label, extraArgs) {
  const one = machine(root, `${label}-1`, server, 1, extraArgs);
  const ten = machine(root, `${label}-10`, server, 10, extraArgs);
  await doctor(one);
  await doctor(ten); // warm the environment cache and the file system
  const t1 = [];
  const t10 = [];
  for (let i = 0; i < ROUNDS; i++) {
    const a = await doctor(one);
    const b = await doctor(ten);
    const probes = (r) =>
      r.report?.checks.filter((c) => c.id === "probe.handshake" && c.status === "pass").length ?? 0;
    if (probes(a) !== 1 || probes(b) !== 10)
      throw new Error(`${label}: expected 1 and 10 passing probes, got ${probes(a)} and ${probes(b)}`);
    t1.push(a.ms);
    t10.push(b.ms);
  }
  const ms1 = median(t1);
  const ms10 = median(t10);
  const ratio = ms10 / ms1;
  return [
    { bench: "doctor", case: `${label}: 1 server`, ms: Math.round(ms1) },
    { bench: "doctor", case: `${label}: 10 servers`, ms: Math.round(ms10) },
    {
      bench: "doctor",
      case: `${label}: 10 vs 1`,
      ratio: Number(ratio.toFixed(2)),
      target: `≤ ${TARGET_RATIO}`,
      ok: ratio <= TARGET_RATIO,
    },
  ];
}

export async function run() {
  const root = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bench-doctor-"));
  try {
    const server = await fixtureServer(root);
    const rows = [];
    // The fixture as it is: start-up is pure CPU (Node + bundled SDK), which the cores share.
    rows.push(...(await compare(root, server, "fixture", [])));
    // Servers that wait 300 ms while starting (network, disk, npx): what parallel probes overlap.
    rows.push(...(await compare(root, server, "fixture --slow 300", ["--slow", "300"])));
    // The same 10 servers one at a time: what running probes in parallel saves.
    const ten = machine(root, "sequential-10", server, 10);
    await doctor(ten);
    const seq = [];
    const par = [];
    for (let i = 0; i < 3; i++) {
      seq.push((await doctor({ ...ten, env: { ...ten.env, MCP_TWIN_PROBE_CONCURRENCY: "1" } })).ms);
      par.push((await doctor(ten)).ms);
    }
    rows.push(
      { bench: "doctor", case: "fixture: 10 servers, one at a time", ms: Math.round(median(seq)) },
      {
        bench: "doctor",
        case: "fixture: 10 servers, in parallel",
        ms: Math.round(median(par)),
        ratio: Number((median(par) / median(seq)).toFixed(2)),
      },
    );
    // No survivors: one server hangs (killed at --timeout), nine answer.
    const m = machine(root, "hang", server, 9);
    const config = JSON.parse(readFileSync(path.join(m.home, ".claude.json"), "utf8"));
    config.mcpServers.stuck = { type: "stdio", command: process.execPath, args: [server, "--hang"] };
    writeFileSync(path.join(m.home, ".claude.json"), JSON.stringify(config));
    const r = await doctor(m, ["--timeout", "2"]);
    await new Promise((res) => setTimeout(res, 200));
    const left = survivors(root);
    rows.push({
      bench: "doctor",
      case: "no child survives a run (one server hangs)",
      ms: Math.round(r.ms),
      survivors: left.length,
      ok: left.length === 0 && r.code === 1,
    });
    return rows;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const rows = await run();
  console.table(rows);
  if (rows.some((r) => r.ok === false)) process.exitCode = 1;
}
