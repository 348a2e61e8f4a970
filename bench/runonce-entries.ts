/**
 * Run once, measured on the entries mcp-twin itself writes (BENCH_NETWORK=1: five real packages).
 * A plain Linux fake machine: `mcp-twin sync` installs the packages and writes Claude Code's config;
 * every session is made from that config as the client would: direct entries (`node <script>`, one
 * tree per server per session) against url entries to the gateway sync started, the catalogue's
 * default modes and all-`machine`, at one session and at five. Each session lists each server and
 * makes one call on it (a shared server starts on its first call, not on a list from the cache).
 * Figures: processes and summed VmRSS (the gateway and its children; each direct entry's tree).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createFakeMachine, type FakeMachine, writeManifest } from "../test/helpers/fake-machine.js";
import { freePort } from "../test/helpers/net.js";
import { rssMb, sleep, table, tree, waitFor } from "./_lib.js";

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

function bridgePid(m: FakeMachine): number {
  const file = path.join(m.paths.linuxHome, ".local", "share", "mcp-twin", "bridge", "serve.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { pid: number }).pid;
}

async function sync(m: FakeMachine, port: number, share: (name: string) => string | undefined) {
  const servers = Object.fromEntries(
    Object.entries(SERVERS).map(([name, s]) => {
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

type Row = { way: string; sessions: number; processes: number; "RSS (MB)": string };

async function measureDirect(m: FakeMachine, rows: Row[]): Promise<void> {
  const list = entries(m);
  const shown = Object.values(list).map((e) => `${path.basename(e.command ?? "")} ${e.args?.[0] ?? ""}`);
  console.log(`direct entries as sync wrote them: ${shown.join("; ")}`);
  const open: Awaited<ReturnType<typeof directSession>> = [];
  try {
    for (const sessions of [1, 5]) {
      while (open.length < sessions * Object.keys(list).length) open.push(...(await directSession(m, list)));
      await sleep(1000);
      const pids = open.flatMap(({ transport }) => (transport.pid ? tree(transport.pid) : []));
      rows.push({
        way: "direct entries",
        sessions,
        processes: pids.length,
        "RSS (MB)": sum(pids).toFixed(0),
      });
    }
  } finally {
    await Promise.all(open.map(({ client }) => client.close().catch(() => {})));
  }
}

async function measureShared(m: FakeMachine, way: string, rows: Row[]): Promise<void> {
  const list = entries(m);
  const pid = bridgePid(m);
  const open: Awaited<ReturnType<typeof sharedSession>> = [];
  try {
    for (const sessions of [1, 5]) {
      while (open.length < sessions * Object.keys(list).length) open.push(...(await sharedSession(list)));
      await sleep(1000);
      const pids = tree(pid);
      rows.push({
        way,
        sessions,
        processes: pids.length,
        "RSS (MB)": `${sum(pids).toFixed(0)} (gateway ${rssMb(pid).toFixed(0)})`,
      });
      console.log(rows.at(-1));
    }
  } finally {
    for (const { client, transport } of open) {
      await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
    }
  }
  // The next way starts from a gateway with no children.
  const stopped = await m.run(["bridge", "stop"]);
  if (stopped.code !== 0) throw new Error(`bridge stop failed: ${stopped.stdout}${stopped.stderr}`);
  await waitFor("the gateway to stop", () => (tree(pid).length === 0 || rssMb(pid) === 0 ? true : undefined));
}

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
  const rows: Row[] = [];
  try {
    const port = await freePort();
    // As Claude Code writes it: a file others can read would get relays, not url entries.
    chmodSync(m.paths.claudeCodeConfig, 0o600);
    const load = () => os.loadavg()[0]?.toFixed(1);
    console.log(`five real servers from npm, Claude Code's entries on plain Linux; load average ${load()}`);
    await sync(m, port, () => undefined);
    await measureDirect(m, rows);
    await sync(m, port, (name) => SERVERS[name]?.share);
    await measureShared(m, "shared, catalogue modes (3 machine, 2 session)", rows);
    await sync(m, port, () => "machine");
    await measureShared(m, "shared, all machine", rows);
    table(rows);
    console.log(`load average at the end ${load()}`);
    return { ok: true };
  } finally {
    await m.run(["bridge", "stop"]).catch(() => undefined);
    m.cleanup();
  }
}
