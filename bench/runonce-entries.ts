/**
 * Run once, measured on the entries mcp-twin itself writes (BENCH_NETWORK=1: five real packages).
 * A plain Linux fake machine: `mcp-twin sync` installs the packages and writes Claude Code's config;
 * every session is made from that config as the client would: direct entries (`node <script>`, one
 * tree per server per session) against url entries to the gateway sync started, the catalogue's
 * default modes and all-`machine`, at one session and at five. Each session lists each server and
 * makes one call on it (a shared server starts on its first call, not on a list from the cache).
 * Figures at rest: processes and summed VmRSS (the gateway and its children; each direct entry's tree).
 */
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createFakeMachine, type FakeMachine, writeManifest } from "../test/helpers/fake-machine.js";
import { freePort } from "../test/helpers/net.js";
import { pssMb, rssMb, sleep, table, tree, verdict, waitFor } from "./_lib.js";

/** The five real servers of bench/runonce.ts, as the catalogue pins them, with its default modes. */
const SERVERS: Record<string, { package: string; args?: string[]; share: "machine" | "session" }> = {
  memory: { package: "@modelcontextprotocol/server-memory@2026.8.31", share: "machine" },
  filesystem: { package: "@modelcontextprotocol/server-filesystem@2026.8.31", args: ["."], share: "machine" },
  "sequential-thinking": {
    package: "@modelcontextprotocol/server-sequential-thinking@2026.8.31",
    share: "session",
  },
  everything: { package: "@modelcontextprotocol/server-everything@2026.8.31", share: "session" },
  context7: { package: "@upstash/context7-mcp@4.1.1", share: "machine" },
};

/**
 * Sessions stay open for hours, so each way is measured at rest: this long after its last call,
 * past the first quiet window in which a shared process compacts its heap (core/system/at-rest.ts:
 * 5–10 s after its work); direct entries are given the same wait.
 */
const AT_REST_MS = 12_000;

/** A call each server answers offline (others: the first tool, with no arguments: refused, but answered). */
const CALLS: Record<string, { name: string; arguments: Record<string, unknown> }> = {
  memory: { name: "read_graph", arguments: {} },
  filesystem: { name: "list_allowed_directories", arguments: {} },
  "sequential-thinking": {
    name: "sequentialthinking",
    arguments: { thought: "x", nextThoughtNeeded: false, thoughtNumber: 1, totalThoughts: 1 },
  },
  everything: { name: "echo", arguments: { message: "x" } },
};

type Entry = {
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
};

function entries(m: FakeMachine): Record<string, Entry> {
  const all = JSON.parse(readFileSync(m.paths.claudeCodeConfig, "utf8")).mcpServers as Record<string, Entry>;
  return Object.fromEntries(Object.entries(all).filter(([name]) => name in SERVERS));
}

async function use(name: string, client: Client): Promise<void> {
  const { tools } = await client.listTools();
  const call = CALLS[name] ?? { name: tools[0]?.name ?? "", arguments: {} };
  await client.callTool(call, undefined, { timeout: 30_000 }).catch(() => {});
}

/** One session of direct entries: each server's own process tree. */
async function directSession(m: FakeMachine, list: Record<string, Entry>) {
  const opened: Array<{ client: Client; transport: StdioClientTransport }> = [];
  for (const [name, e] of Object.entries(list)) {
    const transport = new StdioClientTransport({
      command: e.command ?? "",
      args: e.args ?? [],
      env: { PATH: m.env.PATH ?? "", HOME: m.paths.linuxHome, ...e.env },
      cwd: m.paths.linuxHome,
      stderr: "ignore",
    });
    const client = new Client({ name: "claude-code", version: "0" });
    await client.connect(transport);
    await use(name, client);
    opened.push({ client, transport });
  }
  return opened;
}

/** One session of url entries: an HTTP session per server at the gateway, with the entry's headers. */
async function sharedSession(list: Record<string, Entry>) {
  const opened: Array<{ client: Client; transport: StreamableHTTPClientTransport }> = [];
  for (const [name, e] of Object.entries(list)) {
    const transport = new StreamableHTTPClientTransport(new URL(e.url ?? ""), {
      requestInit: { headers: e.headers ?? {} },
    });
    const client = new Client({ name: "claude-code", version: "0" });
    await client.connect(transport);
    await use(name, client);
    opened.push({ client, transport });
  }
  return opened;
}

const sum = (pids: number[]) => pids.reduce((n, pid) => n + rssMb(pid), 0);
const sumPss = (pids: number[]) => pids.reduce((n, pid) => n + pssMb(pid), 0);

/** What a way of running cost at a number of sessions. */
type Cost = { processes: number; rss: number; pss: number; gateway?: number };

function bridgePid(m: FakeMachine): number {
  const file = path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { pid: number }).pid;
}

async function sync(
  m: FakeMachine,
  port: number,
  names: readonly string[],
  share: (name: string) => string | undefined,
) {
  const servers = Object.fromEntries(
    Object.entries(SERVERS)
      .filter(([name]) => names.includes(name))
      .map(([name, s]) => {
        const mode = share(name);
        return [
          name,
          { package: s.package, ...(s.args ? { args: s.args } : {}), ...(mode ? { share: mode } : {}) },
        ];
      }),
  );
  writeManifest(m, { bridge: { port }, servers });
  const r = await m.run(["sync"], { timeoutMs: 900_000, env: npmEnv() });
  if (r.code !== 0) throw new Error(`sync failed (${r.code}): ${r.stdout}\n${r.stderr}`);
}

/**
 * This machine's npm settings the fake home would not read: its CA file (a proxy's CA, where there
 * is one: without it npm retries for ever) and its cache, shared so the packages download once.
 */
function npmEnv(): Record<string, string> {
  const get = (key: string) =>
    execFileSync("npm", ["config", "get", key], { encoding: "utf8", cwd: os.tmpdir() }).trim();
  const cafile = get("cafile");
  return {
    npm_config_cache: get("cache"),
    ...(cafile && cafile !== "null" ? { npm_config_cafile: cafile } : {}),
  };
}

/** Each count of sessions of direct entries: their process trees. */
async function measureDirect(m: FakeMachine, counts: readonly number[]): Promise<Map<number, Cost>> {
  const list = entries(m);
  const out = new Map<number, Cost>();
  const open: Awaited<ReturnType<typeof directSession>> = [];
  try {
    for (const sessions of counts) {
      while (open.length < sessions * Object.keys(list).length) open.push(...(await directSession(m, list)));
      await sleep(AT_REST_MS);
      const pids = open.flatMap(({ transport }) => (transport.pid ? tree(transport.pid) : []));
      out.set(sessions, { processes: pids.length, rss: sum(pids), pss: sumPss(pids) });
    }
  } finally {
    await Promise.all(open.map(({ client }) => client.close().catch(() => {})));
  }
  return out;
}

/** Each count of sessions of url entries: the gateway and its children. */
async function measureShared(m: FakeMachine, counts: readonly number[]): Promise<Map<number, Cost>> {
  const list = entries(m);
  // Running already after a sync; started again after measureIdle stopped it.
  const started = await m.run(["bridge", "start"]);
  if (started.code !== 0) throw new Error(`bridge start failed: ${started.stdout}${started.stderr}`);
  const pid = bridgePid(m);
  const out = new Map<number, Cost>();
  const open: Awaited<ReturnType<typeof sharedSession>> = [];
  try {
    for (const sessions of counts) {
      while (open.length < sessions * Object.keys(list).length) open.push(...(await sharedSession(list)));
      await sleep(AT_REST_MS);
      const pids = tree(pid);
      out.set(sessions, { processes: pids.length, rss: sum(pids), pss: sumPss(pids), gateway: rssMb(pid) });
    }
  } finally {
    for (const { client, transport } of open) {
      await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
    }
  }
  await stopBridge(m, pid);
  return out;
}

async function stopBridge(m: FakeMachine, pid: number): Promise<void> {
  const stopped = await m.run(["bridge", "stop"]);
  if (stopped.code !== 0) throw new Error(`bridge stop failed: ${stopped.stdout}${stopped.stderr}`);
  await waitFor("the gateway to stop", () => (tree(pid).length === 0 || rssMb(pid) === 0 ? true : undefined));
}

/** A bare node at rest, and the bridge at rest with shared servers configured and none started. */
async function measureIdle(m: FakeMachine): Promise<{ node: Cost; bridge: Cost }> {
  const bare = spawn(process.execPath, ["-e", "setInterval(() => {}, 1e9)"], { stdio: "ignore" });
  try {
    // Fresh: the bridge sync left running has started each server once to cache its lists.
    await stopBridge(m, bridgePid(m));
    const started = await m.run(["bridge", "start"]);
    if (started.code !== 0) throw new Error(`bridge start failed: ${started.stdout}${started.stderr}`);
    // At rest: V8 gives back what start-up took 10–20 s after it (bench/bridge-idle.ts).
    await sleep(30_000);
    const pid = bridgePid(m);
    const bridge = { processes: tree(pid).length, rss: rssMb(pid), pss: pssMb(pid) };
    const node = { processes: 1, rss: rssMb(bare.pid ?? 0), pss: pssMb(bare.pid ?? 0) };
    await stopBridge(m, pid);
    return { node, bridge };
  } finally {
    bare.kill();
  }
}

const THREE = ["memory", "filesystem", "sequential-thinking"];
const FIVE = Object.keys(SERVERS);

export async function run(): Promise<{ ok: boolean }> {
  if (process.env.BENCH_NETWORK !== "1") {
    console.log("skipped: needs the npm registry (run with BENCH_NETWORK=1)");
    return { ok: true };
  }
  const m = createFakeMachine({
    kind: "linux",
    claudeDesktop: false,
    cursor: false,
    registryUrl: process.env.npm_config_registry ?? "https://registry.npmjs.org/",
  });
  try {
    const port = await freePort();
    // As Claude Code writes it: a file others can read would get relays, not url entries.
    chmodSync(m.paths.claudeCodeConfig, 0o600);
    const load = () => os.loadavg()[0]?.toFixed(1);
    console.log(`real servers from npm, Claude Code's entries on plain Linux; load average ${load()}`);
    const rows: Array<Record<string, string | number>> = [];
    const row = (servers: string, way: string, sessions: number, c: Cost, direct?: Cost) =>
      rows.push({
        servers,
        way,
        sessions,
        processes: c.processes,
        "RSS MB": c.rss.toFixed(0),
        "PSS MB": c.pss.toFixed(0),
        "× direct (RSS / PSS)": direct
          ? `${(c.rss / direct.rss).toFixed(2)} / ${(c.pss / direct.pss).toFixed(2)}`
          : "",
        gateway: c.gateway !== undefined ? c.gateway.toFixed(0) : "",
      });
    let ok = true;
    const check = (label: string, c: Cost | undefined, d: Cost | undefined, target: number) => {
      if (!c || !d) return;
      ok = verdict(`${label} (RSS)`, c.rss / d.rss, target) && ok;
      ok = verdict(`${label} (PSS)`, c.pss / d.pss, target) && ok;
    };

    // Three servers (the catalogue's memory, filesystem, sequential-thinking).
    await sync(m, port, THREE, () => undefined);
    const direct3 = await measureDirect(m, [1, 5]);
    await sync(m, port, THREE, () => "machine");
    const idle = await measureIdle(m);
    const machine3 = await measureShared(m, [1, 5]);
    await sync(m, port, THREE, (name) => SERVERS[name]?.share);
    const defaults3 = await measureShared(m, [1, 5]);
    // Five servers, all machine.
    await sync(m, port, FIVE, () => undefined);
    const direct5 = await measureDirect(m, [1, 5]);
    await sync(m, port, FIVE, () => "machine");
    const machine5 = await measureShared(m, [1, 5]);

    rows.push({
      servers: "-",
      way: "bare node, idle",
      sessions: 0,
      processes: 1,
      "RSS MB": idle.node.rss.toFixed(0),
      "PSS MB": idle.node.pss.toFixed(0),
      "× direct (RSS / PSS)": "",
      gateway: "",
    });
    rows.push({
      servers: "3 configured",
      way: "bridge, idle, none started",
      sessions: 0,
      processes: idle.bridge.processes,
      "RSS MB": idle.bridge.rss.toFixed(0),
      "PSS MB": idle.bridge.pss.toFixed(0),
      "× direct (RSS / PSS)": "",
      gateway: "",
    });
    for (const n of [1, 5]) {
      const d3 = direct3.get(n);
      const d5 = direct5.get(n);
      if (d3) row("3", "direct entries", n, d3);
      const m3 = machine3.get(n);
      if (m3) row("3", "shared, all machine", n, m3, d3);
      const c3 = defaults3.get(n);
      if (c3) row("3", "shared, catalogue modes (2 machine, 1 session)", n, c3, d3);
      if (d5) row("5", "direct entries", n, d5);
      const m5 = machine5.get(n);
      if (m5) row("5", "shared, all machine", n, m5, d5);
    }
    table(rows);
    ok = verdict("bridge idle ÷ bare node (RSS)", idle.bridge.rss / idle.node.rss, 1.3) && ok;
    ok = verdict("bridge idle ÷ bare node (PSS)", idle.bridge.pss / idle.node.pss, 1.3) && ok;
    check("1 session × 3 servers, all machine ÷ direct", machine3.get(1), direct3.get(1), 1.1);
    check("5 sessions × 5 servers, all machine ÷ direct", machine5.get(5), direct5.get(5), 0.2);
    check("5 sessions, catalogue modes ÷ direct", defaults3.get(5), direct3.get(5), 0.5);
    console.log(`load average at the end ${load()}`);
    return { ok: true };
  } finally {
    await m.run(["bridge", "stop"]).catch(() => undefined);
    m.cleanup();
  }
}
