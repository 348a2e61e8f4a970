/**
 * Run once: five client sessions — three shaped as Claude Code and one as Cursor (HTTP clients of
 * protocol 2025-11-25), one as Codex (2026-07-28), each with its client's own token derived for its
 * config — using five servers, side by side in one run:
 *   - direct entries: every session spawns its own five servers (25 processes);
 *   - shared (`share: machine`): url entries to the gateway (the bridge), one process per server.
 * Each session lists each server's tools and calls it once. The servers are the packed fixture
 * server carrying 30 MB of ballast (real node servers idle at 67–120 MB: server-memory,
 * server-filesystem, tavily, context7, playwright), or — BENCH_NETWORK=1 — real packages.
 *
 * Figures: total RSS of everything each way runs (the gateway and its children; the 25 servers —
 * client processes are the same on both sides and not counted), processes, a new session's
 * tools/list of a stopped shared server (from the gateway's cache, after sync's warm-up: POST
 * /control/warm), the first call on a cold shared server against a direct entry's start, and a
 * call's p50 through the gateway against the relay floor (bench/_relay-floor.mjs) on the same server.
 *
 * With `--before <build>`, that build's gateway is measured beside this one's (the same direct
 * entries, the relay floor and the direct starts shared), interleaved where it is timed.
 *
 * Targets: RSS ≤ 0.3× direct; processes = servers + 1 (each server's own once — with npx, npm, sh
 * and the server — and the gateway); cached tools/list ≤ 100 ms; cold first call ≤ 1.2× a direct
 * start; p50 ≤ the relay floor + 0.1 ms.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { clientToken } from "../src/core/bridge-link/client-token.js";
import { nodeFetch } from "../src/core/system/keep-alive-http.js";
import { BIN } from "../test/helpers/fake-machine.js";
import { packFixture } from "../test/helpers/fixture-package.js";
import { median, rssMb, sleep, table, tree, verdict, waitFor } from "./_lib.js";

const SERVERS = 5;
const BALLAST_MB = 30;
const CALLS = Number(process.env.BENCH_RUNONCE_CALLS ?? 1000);
const ROUNDS = 3;
const PAYLOAD = "x".repeat(100);
const NETWORK = process.env.BENCH_NETWORK === "1";
/** Another build measured beside this one (`npm run bench -- --before <build>`: bench/_before.mjs). */
const BEFORE = process.env.BENCH_BEFORE_BIN;
/** Real packages start through npx: a minute to wait, not the default half-minute. */
const waitLong = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>) =>
  waitFor(what, probe, 60_000);
const fetchNode: typeof fetch = (input, init) => nodeFetch(input as string | URL, init);

/** The sessions: which client each is shaped as, its protocol era, its config's token id. */
const SESSIONS = [
  { client: "claude-code", era: "2025-11-25", target: "linux:claude-code:user" },
  { client: "claude-code", era: "2025-11-25", target: "linux:claude-code:user" },
  { client: "claude-code", era: "2025-11-25", target: "linux:claude-code:user" },
  { client: "cursor", era: "2025-11-25", target: "windows:cursor:user" },
  { client: "codex", era: "2026-07-28", target: "linux:codex:user" },
] as const;

/**
 * Real servers (BENCH_NETWORK=1): run with npx, each as its package's own command would.
 * server-filesystem 2025.8.21 resolves today to a zod-to-json-schema that writes each tool's
 * inputSchema without `"type": "object"`: SDK clients (v1 and v2) refuse its tools/list, direct or
 * shared alike; 2026.1.14 lists its tools.
 */
const REAL = [
  ["@modelcontextprotocol/server-memory@2025.9.25", []],
  ["@modelcontextprotocol/server-filesystem@2026.1.14", ["."]],
  ["@modelcontextprotocol/server-sequential-thinking@2025.7.1", []],
  ["@modelcontextprotocol/server-everything@2025.9.25", []],
  ["@upstash/context7-mcp@1.0.17", []],
] as const;

interface Launch {
  command: string;
  args: string[];
}

/**
 * Close a direct entry's client, then end what is left of its tree: under npx the server runs below
 * npm and sh, and one that outlives its stdin (server-everything) would be left behind.
 */
async function closeDirect(client: Client, transport: StdioClientTransport): Promise<void> {
  const pids = transport.pid ? tree(transport.pid) : [];
  await client.close().catch(() => {});
  for (const pid of pids)
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // gone
    }
}

const time = async (f: () => Promise<unknown>) => {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e6;
};

async function http(url: string, token: string, era: string): Promise<Client> {
  if (era === "2026-07-28") {
    const client = new ClientV2(
      { name: "codex", version: "0" },
      { versionNegotiation: { mode: { pin: era } } },
    );
    await client.connect(
      new HttpV2(new URL(url), {
        requestInit: { headers: { Authorization: `Bearer ${token}` } },
        fetch: fetchNode,
      }),
    );
    return client as unknown as Client;
  }
  const client = new Client({ name: "bench", version: "0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
      fetch: fetchNode,
    }),
  );
  return client;
}

async function use(client: Client, echo: boolean): Promise<void> {
  await client.listTools();
  if (!echo) return;
  const r = await client.callTool({ name: "echo", arguments: { text: PAYLOAD } });
  if ((r.content as Array<{ text: string }>)[0]?.text !== PAYLOAD) throw new Error("echo answered wrong");
}

/**
 * A first call that reaches the server: the fixture's echo, or — real packages, whose tools/list a
 * stopped shared server answers from the gateway's cache — s1's (server-memory's) `read_graph`.
 */
async function firstCall(client: Client, echo: boolean): Promise<void> {
  await use(client, echo);
  if (!echo) await client.callTool({ name: "read_graph", arguments: {} });
}

export async function run(): Promise<{ ok: boolean }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bench-runonce-"));
  const children: ChildProcess[] = [];
  const clients: Client[] = [];
  const direct: Array<{ client: Client; transport: StdioClientTransport }> = [];
  const start = (command: string, args: string[], env: NodeJS.ProcessEnv) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "ignore"] });
    children.push(child);
    return child;
  };
  try {
    const fixture = await packFixture(dir, "1.0.0");
    const heavy = path.join(dir, "heavy-server.mjs");
    // The fixture server with BALLAST_MB written (so resident), as heavy as a real node server idles.
    writeFileSync(
      heavy,
      `globalThis.ballast = Buffer.alloc(${BALLAST_MB} * 1024 * 1024, 1);\nawait import(${JSON.stringify(fixture.script)});\n`,
    );
    const launches: Launch[] = NETWORK
      ? REAL.map(([pkg, args]) => ({ command: "npx", args: ["-y", pkg, ...args] }))
      : Array.from({ length: SERVERS }, () => ({ command: process.execPath, args: [heavy] }));
    const names = launches.map((_, i) => `s${i + 1}`);
    const echo = !NETWORK; // real servers have no echo tool: they are listed only
    // npx's cache: the gateway (HOME is its own here) uses the direct entries' own, warmed first, so
    // that no side's npm holds the heap of a download while it is measured.
    const npmCache = NETWORK
      ? execFileSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).trim()
      : "";
    if (NETWORK)
      for (const l of launches) {
        const warm = new Client({ name: "bench", version: "0" });
        const transport = new StdioClientTransport({ ...l, stderr: "ignore", cwd: dir });
        await warm.connect(transport);
        await closeDirect(warm, transport);
      }
    console.log(
      `${SESSIONS.length} sessions (${SESSIONS.map((s) => s.client).join(", ")}) × ${launches.length} servers (${NETWORK ? "real packages" : `the fixture server + ${BALLAST_MB} MB ballast`}); load average ${os.loadavg()[0]!.toFixed(1)}`,
    );

    // Direct entries: each session spawns its own servers.
    for (const _ of SESSIONS)
      for (const l of launches) {
        const transport = new StdioClientTransport({ ...l, stderr: "ignore", cwd: dir });
        const client = new Client({ name: "bench", version: "0" });
        await client.connect(transport);
        direct.push({ client, transport });
        await use(client, echo);
      }
    await sleep(500);
    const directPids = direct.flatMap(({ transport }) => (transport.pid ? tree(transport.pid) : []));
    const directRss = directPids.reduce((n, pid) => n + rssMb(pid), 0);
    await Promise.all(direct.splice(0).map(({ client, transport }) => closeDirect(client, transport)));

    // Shared: one gateway, url entries.
    const bridge = async (state: string, idleMinutes: number, bin: string) => {
      const home = path.join(dir, `${state}-home`);
      mkdirSync(home, { recursive: true });
      const servers = Object.fromEntries(names.map((n, i) => [n, { ...launches[i], share: "machine" }]));
      writeFileSync(path.join(home, "mcp-twin.jsonc"), JSON.stringify({ servers, bridge: { idleMinutes } }));
      const stateDir = path.join(dir, state);
      const env = {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        MCP_TWIN_HOME: home,
        MCP_TWIN_BRIDGE_HOME: stateDir,
        ...(npmCache ? { npm_config_cache: npmCache } : {}),
      };
      const child = start(process.execPath, [bin, "serve", "--http", "--port", "0"], env);
      const info = await waitLong("the gateway", () => {
        const i = JSON.parse(readFileSync(path.join(stateDir, "serve.json"), "utf8")) as { url: string };
        return i.url ? i : undefined;
      });
      const token = readFileSync(path.join(stateDir, "token"), "utf8").trim();
      const control = async (route: string, method = "GET") =>
        (await (
          await fetch(info.url.replace(/\/mcp$/, `/control/${route}`), {
            method,
            headers: { authorization: `Bearer ${token}` },
          })
        ).json()) as { shares: Array<{ name: string; state: string; cached: boolean }> };
      // This build's entries carry each client's own token; another build's scheme may differ, so
      // the build before is called with its bridge token (one HMAC per connection less, no more).
      const credential = (share: string, target: string) =>
        bin === BIN ? clientToken(token, share, target) : token;
      return {
        pid: child.pid!,
        url: info.url,
        control,
        credential,
        share: (n: string) => info.url.replace(/\/mcp$/, `/share/${n}`),
      };
    };
    const builds = [
      { label: "this build", bin: BIN },
      ...(BEFORE ? [{ label: "before", bin: BEFORE }] : []),
    ].map((b, i) => ({
      ...b,
      key: i === 0 ? "" : `-${i}`,
      sharedRss: 0,
      processes: 0,
      bridgeOnly: 0,
      p50: Number.NaN,
      cachedList: 0,
      coldCall: 0,
      via: undefined as Client | undefined,
    }));
    const gateways: Array<{ pid: number }> = [];
    for (const b of builds) {
      const g = await bridge(`gateway${b.key}`, 10, b.bin);
      gateways.push(g);
      for (const s of SESSIONS)
        for (const n of names) {
          const c = await http(g.share(n), g.credential(n, s.target), s.era);
          clients.push(c);
          b.via ??= c;
          await use(c, echo);
        }
      await sleep(500);
      const pids = tree(g.pid);
      b.processes = pids.length;
      b.sharedRss = pids.reduce((n, pid) => n + rssMb(pid), 0);
      b.bridgeOnly = rssMb(g.pid);
    }

    // Call p50 on one server: through each gateway against the relay floor, interleaved rounds.
    let p50Floor = Number.NaN;
    if (echo) {
      const floorChild = start(
        process.execPath,
        [path.join(path.dirname(BIN), "..", "bench", "_relay-floor.mjs"), heavy],
        {
          PATH: process.env.PATH ?? "",
        },
      );
      const floorPort = await waitLong(
        "the relay floor",
        () =>
          new Promise<number | undefined>((resolve) => {
            floorChild.stdout!.once("data", (d: Buffer) => resolve(Number(String(d).trim())));
          }),
      );
      const floor = new Client({ name: "bench", version: "0" });
      await floor.connect(
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${floorPort}/mcp`), { fetch: fetchNode }),
      );
      clients.push(floor);
      const calls = async (c: Client, n: number) => {
        const ms: number[] = [];
        for (let i = 0; i < n; i++) {
          const t = process.hrtime.bigint();
          await c.callTool({ name: "echo", arguments: { text: PAYLOAD } });
          ms.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
        return median(ms);
      };
      const contenders = [
        { client: floor, p50s: [] as number[] },
        ...builds.map((b) => ({ client: b.via!, p50s: [] as number[] })),
      ];
      for (const c of contenders) await calls(c.client, 2000);
      // Every other round in reverse order: neither going first nor the load's drift favours one.
      for (let r = 0; r < ROUNDS; r++)
        for (const c of r % 2 ? [...contenders].reverse() : contenders)
          c.p50s.push(await calls(c.client, CALLS));
      p50Floor = median(contenders[0]!.p50s);
      for (const [i, b] of builds.entries()) b.p50 = median(contenders[i + 1]!.p50s);
    }
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
    // The first gateways and their servers go: the timings below measure starts, not contention.
    for (const g of gateways) process.kill(g.pid, "SIGTERM");
    for (const g of gateways)
      await waitLong("the first gateways to stop", () =>
        tree(g.pid).length > 1 || rssMb(g.pid) > 0 ? undefined : true,
      );

    // Lazy: a gateway whose servers stop after 1.2 s idle, its caches filled as sync fills them.
    const lazies = [];
    for (const b of builds) {
      const lazy = await bridge(`lazy${b.key}`, 0.02, b.bin);
      await lazy.control("warm", "POST");
      const status = async () => (await lazy.control("status")).shares.find((s) => s.name === "s1")!;
      if (!(await status()).cached) throw new Error("the warm-up cached nothing");
      /** A new session of a Claude Code entry (its client's credential) on the lazy gateway's s1. */
      const newSession = async () => {
        const c = await http(lazy.share("s1"), lazy.credential("s1", "linux:claude-code"), "2025-11-25");
        clients.push(c);
        return c;
      };
      const stopped = () =>
        waitLong("s1 stopped", async () => ((await status()).state === "stopped" ? true : undefined));
      lazies.push({ status, newSession, stopped, listed: [] as number[], cold: [] as number[] });
    }
    const directStart: number[] = [];
    const directOnce = async () =>
      directStart.push(
        await time(async () => {
          const c = new Client({ name: "bench", version: "0" });
          const transport = new StdioClientTransport({ ...launches[0]!, stderr: "ignore", cwd: dir });
          await c.connect(transport);
          await firstCall(c, echo);
          await closeDirect(c, transport);
        }),
      );
    for (let i = 0; i < 7; i++) {
      // Every other round the direct start goes first: neither order favours one side.
      if (i % 2) await directOnce();
      for (const l of i % 2 ? [...lazies].reverse() : lazies) {
        await l.stopped();
        l.listed.push(
          await time(async () => {
            await (await l.newSession()).listTools();
          }),
        );
        if ((await l.status()).state !== "stopped") throw new Error("a cached tools/list started the server");
        l.cold.push(
          await time(async () => {
            await firstCall(await l.newSession(), echo);
          }),
        );
      }
      if (i % 2 === 0) await directOnce();
    }
    for (const [i, b] of builds.entries()) {
      b.cachedList = median(lazies[i]!.listed);
      b.coldCall = median(lazies[i]!.cold);
    }
    const directFirst = median(directStart);

    table([
      {
        way: "direct entries",
        processes: directPids.length,
        "RSS (MB)": directRss.toFixed(0),
        "÷ direct": "",
      },
      ...builds.map((b) => ({
        way: `shared (gateway + children), ${b.label}`,
        processes: b.processes,
        "RSS (MB)": `${b.sharedRss.toFixed(0)} (gateway ${b.bridgeOnly.toFixed(0)})`,
        "÷ direct": (b.sharedRss / directRss).toFixed(2),
      })),
    ]);
    console.log(`a direct entry's start + first call: ${directFirst.toFixed(0)} ms`);
    for (const b of builds)
      console.log(
        `${b.label}: new session's tools/list, server stopped (cache): ${b.cachedList.toFixed(1)} ms; first call, server cold: ${b.coldCall.toFixed(0)} ms` +
          (echo
            ? `; call p50 via the gateway ${b.p50.toFixed(3)} ms, relay floor ${p50Floor.toFixed(3)} ms`
            : ""),
      );
    const self = builds[0]!;
    const results = [
      verdict("RSS shared / direct", self.sharedRss / directRss, 0.3),
      // One server's processes (npx: npm, sh and the server) once, and the gateway.
      verdict(
        "processes shared (servers + the gateway)",
        self.processes,
        directPids.length / SESSIONS.length + 1,
      ),
      verdict("a new session's tools/list of a stopped shared server (ms)", self.cachedList, 100),
      verdict(
        "first call on a cold shared server / a direct entry's start",
        self.coldCall / directFirst,
        1.2,
      ),
      ...(echo
        ? [verdict("call p50 via the gateway − the relay floor's (ms)", self.p50 - p50Floor, 0.1)]
        : []),
    ];
    return { ok: results.every(Boolean) };
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await Promise.all(direct.map(({ client, transport }) => closeDirect(client, transport)));
    for (const child of children) child.kill("SIGTERM");
    await sleep(500);
    rmSync(dir, { recursive: true, force: true });
  }
}
