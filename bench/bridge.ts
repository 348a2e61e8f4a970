/**
 * The bridge's HTTP path, side by side in one run on the same fixture server (its `echo` tool,
 * 100-byte payloads, each server in its steady state: STEADY calls first), at concurrency 1, at 8
 * in one session, and at 8 spread over eight sessions:
 *   (a) direct stdio — the floor;
 *   (b) supergateway --stateful (the most used stdio→HTTP gateway) relaying the fixture server;
 *   (c) the SDK's own StreamableHTTPServerTransport serving the same tool in-process;
 *   (h) the HTTP floor: node:http answering every call at once with a canned answer (no MCP
 *       library, no checks) — what remains is the SDK client's and the loopback's own cost, which
 *       every HTTP contender pays, so no HTTP server can be faster than it;
 *   (r) the relay floor: node:http passing each message to the fixture server as a line under an
 *       id of its own and its answer back (bench/_relay-floor.mjs: no MCP library, no checks, no
 *       sessions) — no relay of a stdio server can be faster than it, so what (d) adds beyond it
 *       is the bridge's own cost;
 *   (d) `mcp-twin serve --http --share fixture`: the bridge relaying the fixture server (the
 *       like-for-like of (b));
 *   (e) `mcp-twin serve --http` with the same echo tool as a plugin, in-process (the path of the
 *       bridge's own memory/notes/hand-off tools);
 *   (d26), (e26) the same two for a client of protocol 2026-07-28 (the SDK's v2 client, pinned);
 *   (t) the same echo through `/tools` (`call_tool`, a toolSearch client's token) and through its
 *       server's `/share` on one bridge whose manifest shares it behind toolSearch (both builds);
 *   (d0), (e0) the same two on another build, when BENCH_BRIDGE_BASELINE names its
 *       bin/mcp-twin.js (e.g. main built in .tmp/baseline): a change measured side by side;
 *       with it, (e25) and (e0-25): the v2 client in 2025-11-25 on both builds (the same client
 *       library as (e26), so the eras compare on the bridge's cost alone).
 * Every HTTP client is the SDK's StreamableHTTPClientTransport over the same fetch (BENCH_BRIDGE_CLIENT:
 * `node`, the default, the project's keep-alive node:http fetch; `fetch`, Node's own fetch with a
 * signal of its own per request); each figure is the median of ROUNDS interleaved rounds of CALLS
 * calls (every other round in reverse order, so neither load drifts nor going first favour a
 * contender). The transport hands every request the session's one AbortSignal: Node's fetch adds a
 * listener to it per request and drops it only after a full GC (thousands on one session, tens of
 * µs a request), so given that signal as it is, the client would be the bottleneck it measures.
 *
 * Then: what a client entry costs — a URL entry (HTTP straight to the bridge) against a `connect`
 * relay entry (stdio → connect → the bridge): per-call p50, the relay's RSS, time to the first
 * tools/list with the bridge running and with it stopped (the relay starts it); idle RSS of the
 * bridge with and without a share; RSS of a bridge with a share after 20,000 and after 100,000
 * calls (BENCH_BRIDGE_LONG=0 skips it).
 *
 * Then the gateway (shared servers in the manifest): a new session's tools/list of a stopped shared
 * server (answered from the gateway's cache), against a session's first call on it cold (it
 * starts) and a direct entry's start (a stdio client spawning the server and calling it).
 *
 * Targets: the share path ≥ 2× supergateway at c=8, in one session and in eight; p50 overhead
 * over stdio at c=1 ≤ 1.5× the HTTP floor's own overhead (absolute figures move with the machine's
 * load) for in-process tools, a call_tool through /tools ≤ the same call through /share + 0.3 ms,
 * and for the share path ≤ the relay floor + 0.1 ms (a relay of a stdio
 * server adds a process round trip the HTTP floor has not: the relay floor itself is 1.5–4× the HTTP
 * floor's overhead here, so the share path's multiple of it is printed, not judged); idle RSS with
 * a share ≤ 60 MB; RSS flat (± 10 %) from 20,000 to 100,000 calls; a
 * stopped shared server's tools/list for a new session ≤ 100 ms; the first call on a cold shared
 * server ≤ 1.2× a direct entry's start; with a baseline, each era no slower than the baseline
 * (judged call by call at the end: erasSideBySide).
 * `--budgets` (BENCH_BUDGETS=1): the gateway's budgets alone — the stdio floor, the relay floor, the
 * share and the build before's share in the interleaved rounds, then the gateway's cached list.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as HttpV2,
  type VersionNegotiationMode,
} from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { clientToken } from "../src/core/bridge-link/client-token.js";
import { relayArgs } from "../src/core/entries/relay-node-flags.js";
import { nodeFetch } from "../src/core/system/keep-alive-http.js";
import { BIN, REPO } from "../test/helpers/fake-machine.js";
import { packFixture } from "../test/helpers/fixture-package.js";
import { freePort } from "../test/helpers/net.js";
import { BUDGETS, budget, endAll, median, sleep, spread, table, verdict, waitFor } from "./_lib.js";
import { rawClient } from "./_raw-client.js";

const CALLS = Number(process.env.BENCH_BRIDGE_CALLS ?? 1000);
const WARMUP = 100;
/**
 * Calls each contender serves before the rounds: a server process reaches its steady state (code
 * optimised, heap grown to its traffic) only after thousands of calls, and a bridge runs for days.
 */
const STEADY = Number(process.env.BENCH_BRIDGE_STEADY ?? 5000);
/** Rounds per contender and concurrency; every figure is the median of its rounds. */
const ROUNDS = Number(process.env.BENCH_BRIDGE_ROUNDS ?? 3);
const BASELINE = process.env.BENCH_BRIDGE_BASELINE;
const LONG = process.env.BENCH_BRIDGE_LONG !== "0";
const LONG_CALLS = Number(process.env.BENCH_BRIDGE_LONG_CALLS ?? 100_000);
const PAYLOAD = "x".repeat(100);
const MODERN: VersionNegotiationMode = { pin: "2026-07-28" };
/** Calls per contender in the eras' side by side (each one call at a time, their order shuffled). */
const ERA_CALLS = Number(process.env.BENCH_BRIDGE_ERA_CALLS ?? 3000);

interface Measured {
  name: string;
  mode: string;
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU time of the server process per call (µs), when it has a process of its own. */
  cpuPerCall?: number;
  /** CPU time of this process (the client) per call (µs). */
  clientCpuPerCall: number;
}

/**
 * CPU time a process has used, in ns, summed over its threads (/proc/<pid>/task/<tid>/schedstat):
 * unlike wall-clock figures it hardly moves with the load other programs put on this shared
 * machine, so it is what tells whether a change costs work.
 */
function cpuNs(pid: number): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`))
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended meanwhile
    }
  return total;
}

/** c=1; c=8 in one session; c=8 over eight sessions. */
const MODES = [
  { mode: "1", concurrency: 1, sessions: 1 },
  { mode: "8 in 1 session", concurrency: 8, sessions: 1 },
  { mode: "8 in 8 sessions", concurrency: 8, sessions: 8 },
] as const;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const echo = async (client: Client, what: string) => {
  const r = await client.callTool({ name: "echo", arguments: { text: PAYLOAD } });
  const text = (r.content as Array<{ text: string }>)[0]?.text;
  if (text !== PAYLOAD) throw new Error(`${what}: echo answered ${JSON.stringify(text)?.slice(0, 80)}`);
};

/** `calls` echo calls with `concurrency` in flight, spread over `sessions`. */
async function measure(
  sessions: Client[],
  name: string,
  mode: string,
  concurrency: number,
  calls = CALLS,
  pid?: number,
): Promise<Measured> {
  for (const client of sessions) for (let i = 0; i < WARMUP / sessions.length; i++) await echo(client, name);
  const cpu0 = pid ? cpuNs(pid) : 0;
  const own0 = process.cpuUsage();
  const latencies: number[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      const client = sessions[worker % sessions.length]!;
      while (next < calls) {
        next++;
        const t = process.hrtime.bigint();
        await echo(client, name);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const own = process.cpuUsage(own0);
  return {
    name,
    mode,
    perSecond: calls / seconds,
    p50: median(latencies),
    p99: percentile(latencies, 99),
    ...(pid ? { cpuPerCall: (cpuNs(pid) - cpu0) / 1000 / calls } : {}),
    clientCpuPerCall: (own.user + own.system) / calls,
  };
}

const CLIENT = process.env.BENCH_BRIDGE_CLIENT ?? "node";
if (CLIENT !== "node" && CLIENT !== "fetch") throw new Error("BENCH_BRIDGE_CLIENT is node or fetch");

/** Node's fetch, each request with a signal of its own, tied to the session's while it runs. */
const fetchOwnSignal: typeof fetch = async (input, init) => {
  const session = init?.signal;
  if (!session) return fetch(input, init);
  const own = new AbortController();
  const abort = () => own.abort(session.reason);
  session.addEventListener("abort", abort, { once: true });
  try {
    const res = await fetch(input, { ...init, signal: own.signal });
    // An event stream lives on: it is still aborted with the session.
    if (!res.headers.get("content-type")?.includes("text/event-stream"))
      session.removeEventListener("abort", abort);
    return res;
  } catch (error) {
    session.removeEventListener("abort", abort);
    throw error;
  }
};
const clientFetch: typeof fetch =
  CLIENT === "node" ? (input, init) => nodeFetch(input as string | URL, init) : fetchOwnSignal;

function httpClient(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: "bench", version: "0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    ...(token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {}),
    fetch: clientFetch,
  });
  return client.connect(transport).then(() => client);
}

/** The SDK's v2 client (2025-11-25, or pinned to 2026-07-28), typed as the calls here use it. */
async function v2Client(url: string, token: string, era: VersionNegotiationMode): Promise<Client> {
  const client = new ClientV2({ name: "bench", version: "0" }, { versionNegotiation: { mode: era } });
  await client.connect(
    new HttpV2(new URL(url), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
      fetch: clientFetch,
    }),
  );
  return client as unknown as Client;
}

async function stdioClient(command: string, args: string[], env?: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "bench", version: "0" });
  await client.connect(
    new StdioClientTransport({ command, args, stderr: "ignore", ...(env ? { env } : {}) }),
  );
  return client;
}

const portOpen = (port: number) =>
  new Promise<boolean | undefined>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(undefined));
  });

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

const load = () => os.loadavg()[0]!.toFixed(1);

export async function run(): Promise<{ ok: boolean }> {
  console.log(
    `HTTP client: the SDK's over ${CLIENT === "node" ? "node:http (keep-alive)" : "Node's fetch"}; load average ${load()} at the start`,
  );
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bench-bridge-"));
  const children: ChildProcess[] = [];
  const start = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "ignore"] });
    children.push(child);
    return child;
  };
  const clients: Client[] = [];
  try {
    const fixture = await packFixture(dir, "1.0.0");
    const home = path.join(dir, "twin");
    mkdirSync(home, { recursive: true });
    writeFileSync(
      path.join(home, "mcp-twin.jsonc"),
      JSON.stringify({ servers: { fixture: { command: process.execPath, args: [fixture.script] } } }),
    );
    const baseEnv = { PATH: process.env.PATH ?? "", HOME: dir, MCP_TWIN_HOME: home, NO_COLOR: "1" };
    const pluginSource = `export const tools = [{ name: "echo", description: "Echo text back",
        inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
        handler: ({ text }) => text }];\n`;

    /** `serve --http --port 0 …` of a build, in a state folder of its own: its URL, token, pid. */
    const bridge = async (
      bin: string,
      stateName: string,
      args: string[],
      plugin = false,
      twinHome = home,
    ) => {
      const stateDir = path.join(dir, stateName);
      if (plugin) {
        mkdirSync(path.join(stateDir, "plugins"), { recursive: true });
        writeFileSync(path.join(stateDir, "plugins", "echo.mjs"), pluginSource);
      }
      const child = start(process.execPath, [bin, "serve", "--http", "--port", "0", ...args], {
        ...baseEnv,
        MCP_TWIN_HOME: twinHome,
        MCP_TWIN_BRIDGE_HOME: stateDir,
      });
      const info = await waitFor(`serve --http (${stateName})`, () => {
        const i = JSON.parse(readFileSync(path.join(stateDir, "serve.json"), "utf8")) as { url: string };
        return i.url ? i : undefined;
      });
      return {
        url: info.url,
        shareUrl: info.url.replace(/\/mcp$/, "/share/fixture"),
        token: readFileSync(path.join(stateDir, "token"), "utf8").trim(),
        pid: child.pid!,
        stateDir,
      };
    };

    // (a) stdio, the floor.
    const stdio = await stdioClient(process.execPath, [fixture.script]);
    clients.push(stdio);

    // (b) supergateway, stateful.
    const sgPort = await freePort();
    const sgChild = start(process.execPath, [
      path.join(REPO, "node_modules", "supergateway", "dist", "index.js"),
      "--stdio",
      `"${process.execPath}" "${fixture.script}"`,
      "--outputTransport",
      "streamableHttp",
      "--stateful",
      "--port",
      String(sgPort),
      "--logLevel",
      "none",
    ]);
    await waitFor("supergateway", () => portOpen(sgPort));
    const sgUrl = `http://127.0.0.1:${sgPort}/mcp`;

    // (c) the SDK's transport, in-process.
    const sdkChild = start(process.execPath, [path.join(REPO, "bench", "_sdk-http-server.mjs")]);
    let sdkOut = "";
    sdkChild.stdout!.on("data", (c: Buffer) => {
      sdkOut += c.toString();
    });
    const sdkPort = await waitFor("the SDK server", () =>
      /^\d+\n/.test(sdkOut) ? Number(sdkOut) : undefined,
    );
    const sdkUrl = `http://127.0.0.1:${sdkPort}/mcp`;

    /** A measuring stick of bench/ that prints its port once listening. */
    const stick = async (script: string, args: string[] = []) => {
      const child = start(process.execPath, [path.join(REPO, "bench", script), ...args]);
      let out = "";
      child.stdout!.on("data", (c: Buffer) => {
        out += c.toString();
      });
      const port = await waitFor(script, () => (/^\d+\n/.test(out) ? Number(out) : undefined));
      return { url: `http://127.0.0.1:${port}/mcp`, pid: child.pid };
    };
    // (h) the HTTP floor; (r) the relay floor.
    const httpFloor = await stick("_http-floor.mjs");
    const relayFloor = await stick("_relay-floor.mjs", [fixture.script]);

    // (d), (e): this build; (d0), (e0): the baseline build.
    const share = await bridge(BIN, "share", ["--share", "fixture"]);
    const inproc = await bridge(BIN, "plugin", [], true);
    // [name, connect, the server's pid (its CPU per call is measured)]
    const contenders: Array<[string, () => Promise<Client>, number?]> = [
      ["stdio (floor)", async () => stdio],
      ["HTTP floor (canned answers)", () => httpClient(httpFloor.url), httpFloor.pid],
      ["relay floor (lines passed on)", () => httpClient(relayFloor.url), relayFloor.pid],
      ["supergateway --stateful", () => httpClient(sgUrl), sgChild.pid],
      ["SDK HTTP in-process", () => httpClient(sdkUrl), sdkChild.pid],
      ["mcp-twin serve --share", () => httpClient(share.shareUrl, share.token), share.pid],
      ["mcp-twin serve (in-process)", () => httpClient(inproc.url, inproc.token), inproc.pid],
      ["serve --share, 2026-07-28", () => v2Client(share.shareUrl, share.token, MODERN), share.pid],
      ["serve (in-process), 2026-07-28", () => v2Client(inproc.url, inproc.token, MODERN), inproc.pid],
    ];
    // The same echo called through /tools (call_tool, a toolSearch client's token) and through its
    // server's /share on that bridge: what tools on demand adds to a call.
    const toolsHome = path.join(dir, "tools-home");
    mkdirSync(toolsHome, { recursive: true });
    writeFileSync(
      path.join(toolsHome, "mcp-twin.jsonc"),
      JSON.stringify({
        servers: { fixture: { command: process.execPath, args: [fixture.script], share: "machine" } },
        toolSearch: { clients: ["gemini-cli"] },
      }),
    );
    // This build mints /tools tokens for its path ("/tools"); 75ee6718 and before, for "tools".
    const toolsBridge = async (bin: string, stateName: string, scope = "/tools") => {
      const b = await bridge(bin, stateName, [], false, toolsHome);
      // Its lists read once, as sync does after adding a server: the index has the echo.
      await fetch(b.url.replace(/\/mcp$/, "/control/warm"), {
        method: "POST",
        headers: { authorization: `Bearer ${b.token}` },
      });
      const token = clientToken(b.token, scope, "linux:gemini-cli");
      return {
        share: () => httpClient(b.shareUrl, b.token),
        tools: async () => viaCallTool(await httpClient(b.url.replace(/\/mcp$/, "/tools"), token)),
        pid: b.pid,
      };
    };
    const onDemand = await toolsBridge(BIN, "tools");
    contenders.push(
      [SHARED_AT_SHARE, onDemand.share, onDemand.pid],
      [SHARED_AT_TOOLS, onDemand.tools, onDemand.pid],
    );
    let baselineInproc: { url: string; token: string } | undefined;
    let baselineShare: { url: string; token: string } | undefined;
    if (BASELINE) {
      const share0 = await bridge(BASELINE, "share-baseline", ["--share", "fixture"]);
      const inproc0 = await bridge(BASELINE, "plugin-baseline", [], true);
      baselineInproc = inproc0;
      baselineShare = { url: share0.shareUrl, token: share0.token };
      const onDemand0 = await toolsBridge(
        BASELINE,
        "tools-baseline",
        process.env.BENCH_TOOLS_SCOPE ?? "tools",
      );
      contenders.push(
        [`baseline: ${SHARED_AT_SHARE}`, onDemand0.share, onDemand0.pid],
        [`baseline: ${SHARED_AT_TOOLS}`, onDemand0.tools, onDemand0.pid],
        ["baseline: serve --share", () => httpClient(share0.shareUrl, share0.token), share0.pid],
        ["baseline: serve (in-process)", () => httpClient(inproc0.url, inproc0.token), inproc0.pid],
        [
          "serve (in-process), v2 client 2025-11-25",
          () => v2Client(inproc.url, inproc.token, "legacy"),
          inproc.pid,
        ],
        [
          "baseline: serve (in-process), v2 client 2025-11-25",
          () => v2Client(inproc0.url, inproc0.token, "legacy"),
          inproc0.pid,
        ],
      );
    }

    // The gateway's budgets (`--budgets`) judge the share against the relay floor and the build
    // before, and /tools against /share, only: the other contenders, the eras side by side, the entries and the long run (over half
    // the time) are left out, the rounds still interleaved.
    if (BUDGETS) {
      const judged = [
        "stdio (floor)",
        "relay floor (lines passed on)",
        "mcp-twin serve --share",
        "serve --share",
        SHARED_AT_SHARE,
        SHARED_AT_TOOLS,
      ];
      // Each judged one on the build before too.
      for (let i = contenders.length - 1; i >= 0; i--)
        if (!judged.includes(contenders[i]![0].replace(/^baseline: /, ""))) contenders.splice(i, 1);
    }
    // ROUNDS rounds, interleaved (every contender in every mode, then again), so load drifts on this
    // shared machine hit them alike; each figure is the median of its rounds.
    const sessionsOf = new Map<string, Client[]>();
    for (const m of MODES)
      for (const [name, connect] of contenders) {
        const sessions = [...new Set(await Promise.all(Array.from({ length: m.sessions }, () => connect())))];
        clients.push(...sessions.filter((x) => x !== stdio));
        sessionsOf.set(`${name}|${m.mode}`, sessions);
      }
    for (const [name] of contenders)
      await measure(sessionsOf.get(`${name}|8 in 8 sessions`)!, name, "steady", 8, STEADY);
    const rounds = new Map<string, Measured[]>();
    for (let round = 0; round < ROUNDS; round++)
      for (const m of MODES)
        for (const [name, , pid] of round % 2 ? [...contenders].reverse() : contenders) {
          const key = `${name}|${m.mode}`;
          const measured = await measure(sessionsOf.get(key)!, name, m.mode, m.concurrency, CALLS, pid);
          rounds.set(key, [...(rounds.get(key) ?? []), measured]);
        }
    const rows: Measured[] = [];
    for (const m of MODES)
      for (const [name] of contenders) {
        const ms = rounds.get(`${name}|${m.mode}`)!;
        const cpu = ms.flatMap((x) => (x.cpuPerCall === undefined ? [] : [x.cpuPerCall]));
        rows.push({
          name,
          mode: m.mode,
          perSecond: median(ms.map((x) => x.perSecond)),
          p50: median(ms.map((x) => x.p50)),
          p99: median(ms.map((x) => x.p99)),
          ...(cpu.length ? { cpuPerCall: median(cpu) } : {}),
          clientCpuPerCall: median(ms.map((x) => x.clientCpuPerCall)),
        });
      }
    table(
      rows.map((r) => ({
        transport: r.name,
        concurrency: r.mode,
        "calls/s": Math.round(r.perSecond),
        "p50 ms": r.p50.toFixed(3),
        "p99 ms": r.p99.toFixed(2),
        "server CPU µs/call": r.cpuPerCall === undefined ? "" : Math.round(r.cpuPerCall),
        "client CPU µs/call": Math.round(r.clientCpuPerCall),
      })),
    );
    console.log(`load average ${load()} after the side-by-side rounds`);
    const get = (name: string, mode: string) => rows.find((r) => r.name === name && r.mode === mode)!;
    if (BUDGETS) {
      const gateway = await gatewayFigures(dir, fixture.script, bridge, clients);
      return { ok: budgetVerdicts(rounds, gateway, BASELINE !== undefined) };
    }

    const eras = await erasSideBySide(
      { inproc, share: { url: share.shareUrl, token: share.token } },
      baselineInproc && baselineShare && { inproc: baselineInproc, share: baselineShare },
      httpFloor.url,
      clients,
    );

    // What a client entry costs: URL entry vs `connect` relay, on the in-process echo.
    console.log(
      "\nClient entry: URL (HTTP to the bridge) vs `connect` relay (stdio → connect → bridge), c=1",
    );
    const relayEnv = { ...baseEnv, MCP_TWIN_BRIDGE_HOME: inproc.stateDir };
    const relay = await stdioClient(process.execPath, relayArgs(BIN, inproc.url), relayEnv);
    clients.push(relay);
    const relayPid = await waitFor("the relay's pid", () => {
      const out = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, "utf8")
        .trim()
        .split(/\s+/);
      for (const pid of out.reverse()) {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        if (cmd.includes("connect")) return Number(pid);
      }
      return undefined;
    });
    const url = sessionsOf.get("mcp-twin serve (in-process)|1")!;
    const entryRows: Measured[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      entryRows.push(await measure(url, "URL entry", "1", 1));
      entryRows.push(await measure([relay], "connect relay entry", "1", 1));
    }
    const entryOf = (name: string) => {
      const ms = entryRows.filter((r) => r.name === name);
      return { p50: median(ms.map((m) => m.p50)), perSecond: median(ms.map((m) => m.perSecond)) };
    };
    let entryRun = 0;
    const firstList = async (bridgeRunning: boolean) => {
      const stateDir = path.join(dir, `entry-${++entryRun}`);
      const port = await freePort();
      const env = { ...baseEnv, MCP_TWIN_BRIDGE_HOME: stateDir };
      if (bridgeRunning) {
        const warm = await stdioClient(process.execPath, relayArgs(BIN, `http://127.0.0.1:${port}/mcp`), env);
        await warm.close();
      }
      const t = process.hrtime.bigint();
      const c = await stdioClient(process.execPath, relayArgs(BIN, `http://127.0.0.1:${port}/mcp`), env);
      await c.listTools();
      const ms = Number(process.hrtime.bigint() - t) / 1e6;
      await c.close();
      const { pid } = JSON.parse(readFileSync(path.join(stateDir, "serve.json"), "utf8")) as { pid: number };
      process.kill(pid, "SIGTERM");
      return ms;
    };
    const warm = median([await firstList(true), await firstList(true), await firstList(true)]);
    const cold = median([await firstList(false), await firstList(false), await firstList(false)]);
    table([
      {
        entry: "URL (type: http)",
        "p50 ms": entryOf("URL entry").p50.toFixed(2),
        "calls/s": Math.round(entryOf("URL entry").perSecond),
        "extra process": "none",
        "first tools/list": "—",
        "bridge not running": "fails until something starts it",
      },
      {
        entry: "connect relay (stdio)",
        "p50 ms": entryOf("connect relay entry").p50.toFixed(2),
        "calls/s": Math.round(entryOf("connect relay entry").perSecond),
        "extra process": `${rssMb(relayPid).toFixed(0)} MB RSS`,
        "first tools/list": `${warm.toFixed(0)} ms (${cold.toFixed(0)} ms starting the bridge)`,
        "bridge not running": "starts it",
      },
    ]);

    // Idle RSS, after the bridges settled.
    const idle = await bridge(BIN, "idle", []);
    const idleShare = await bridge(BIN, "idle-share", ["--share", "fixture"]);
    const idleShare0 = BASELINE
      ? await bridge(BASELINE, "idle-share-baseline", ["--share", "fixture"])
      : undefined;
    await sleep(2000);
    const rss = rssMb(idle.pid);
    const rssShare = rssMb(idleShare.pid);
    console.log(
      `\nidle RSS: serve --http ${rss.toFixed(1)} MB; serve --http --share fixture ${rssShare.toFixed(1)} MB` +
        (idleShare0 ? `; the baseline, with the share: ${rssMb(idleShare0.pid).toFixed(1)} MB` : ""),
    );

    // RSS of a bridge with a share after 20,000 and after 100,000 calls.
    let flat: number | undefined;
    if (LONG) {
      const long = await bridge(BIN, "long", ["--share", "fixture"]);
      const sessions = await Promise.all(
        Array.from({ length: 8 }, () => httpClient(long.shareUrl, long.token)),
      );
      clients.push(...sessions);
      await measure(sessions, "long", "8 in 8 sessions", 8, 20_000);
      const at20 = rssMb(long.pid);
      await measure(sessions, "long", "8 in 8 sessions", 8, LONG_CALLS - 20_000);
      const at100 = rssMb(long.pid);
      flat = (at100 / at20 - 1) * 100;
      console.log(
        `RSS of serve --http --share: ${at20.toFixed(1)} MB after 20,000 calls, ${at100.toFixed(1)} MB after ${LONG_CALLS.toLocaleString("en")} (${flat >= 0 ? "+" : ""}${flat.toFixed(1)} %)`,
      );
    }

    const gateway = await gatewayFigures(dir, fixture.script, bridge, clients);

    console.log("");
    const floor = get("stdio (floor)", "1").p50;
    const floorOverhead = get("HTTP floor (canned answers)", "1").p50 - floor;
    const over = (name: string) => get(name, "1").p50 - floor;
    const overhead = (name: string) =>
      `+${over(name).toFixed(3)} ms (${(over(name) / floorOverhead).toFixed(2)}×)`;
    console.log(
      `p50 overhead over stdio at c=1: the HTTP floor (SDK client + loopback, nothing served) +${floorOverhead.toFixed(3)} ms; in HTTP floor overheads: the relay floor ${overhead("relay floor (lines passed on)")}, serve --share ${overhead("mcp-twin serve --share")}, in-process ${overhead("mcp-twin serve (in-process)")}`,
    );
    const results: boolean[] = [
      verdict(
        "p50 overhead over stdio at c=1, in-process tools, in HTTP floor overheads",
        (get("mcp-twin serve (in-process)", "1").p50 - floor) / floorOverhead,
        1.5,
      ),
      verdict(
        "throughput vs supergateway --stateful at c=8 in one session, both relaying the stdio server",
        get("mcp-twin serve --share", "8 in 1 session").perSecond /
          get("supergateway --stateful", "8 in 1 session").perSecond,
        2,
        false,
      ),
      verdict(
        "throughput vs supergateway --stateful at c=8 in eight sessions, both relaying the stdio server",
        get("mcp-twin serve --share", "8 in 8 sessions").perSecond /
          get("supergateway --stateful", "8 in 8 sessions").perSecond,
        2,
        false,
      ),
      verdict("idle RSS of serve --http --share fixture (MB)", rssShare, 60),
      verdict(
        "call p50 through the gateway (serve --share) at c=1 − the relay floor's (ms)",
        get("mcp-twin serve --share", "1").p50 - get("relay floor (lines passed on)", "1").p50,
        0.1,
      ),
      verdict(
        "call p50 through /tools (call_tool) − the same call through /share at c=1 (ms)",
        get(SHARED_AT_TOOLS, "1").p50 - get(SHARED_AT_SHARE, "1").p50,
        0.3,
      ),
      verdict("a new session's tools/list of a stopped shared server (ms)", gateway.cachedList, 100),
      verdict(
        "first call on a cold shared server / a direct entry's start",
        gateway.coldCall / gateway.directStart,
        1.2,
      ),
      ...(flat !== undefined ? [verdict("RSS growth from 20,000 to 100,000 calls (%)", flat, 10)] : []),
    ];
    if (BASELINE) {
      for (const m of MODES)
        for (const [after, before] of [
          ["mcp-twin serve --share", "baseline: serve --share"],
          ["mcp-twin serve (in-process)", "baseline: serve (in-process)"],
          ["serve (in-process), v2 client 2025-11-25", "baseline: serve (in-process), v2 client 2025-11-25"],
          ["serve (in-process), 2026-07-28", "baseline: serve (in-process), v2 client 2025-11-25"],
          ["serve --share, 2026-07-28", "baseline: serve --share"],
        ] as const)
          console.log(
            `  this build/the baseline, ${after} vs ${before}, c=${m.mode}: ${(get(after, m.mode).perSecond / get(before, m.mode).perSecond).toFixed(2)}× the throughput, ${(get(after, m.mode).cpuPerCall! / get(before, m.mode).cpuPerCall!).toFixed(2)}× the bridge's CPU per call`,
          );
    }
    results.push(...eras());
    return { ok: results.every(Boolean) };
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await endAll(children);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The gateway's budgets from the interleaved rounds: the share's c=1 p50 over the relay floor's, and
 * its c=8 throughput against the build before's (each figure the median of its rounds, their spread
 * printed beside it); a new session's tools/list of a stopped shared server.
 */
function budgetVerdicts(
  rounds: Map<string, Measured[]>,
  gateway: { cachedList: number },
  before: boolean,
): boolean {
  const of = (name: string, mode: string) => rounds.get(`${name}|${mode}`)!;
  const share = "mcp-twin serve --share";
  const over = of(share, "1").map((m, i) => m.p50 - of("relay floor (lines passed on)", "1")[i]!.p50);
  console.log(`\nshare p50 − relay floor p50 at c=1, by round (ms): ${spread(over, 3)}`);
  const ok = [budget("c=1 p50 of a shared call over the relay floor", median(over), 0.2, " ms")];
  for (const mode of ["8 in 1 session", "8 in 8 sessions"]) {
    if (!before) {
      console.log(`budget c=${mode} throughput / the build before : not measured (no --before)`);
      continue;
    }
    const ratio = of(share, mode).map(
      (m, i) => m.perSecond / of("baseline: serve --share", mode)[i]!.perSecond,
    );
    console.log(`share c=${mode} throughput / the build before's, by round: ${spread(ratio)}`);
    ok.push(budget(`c=${mode} throughput / the build before`, median(ratio), 0.95, "×", false));
  }
  for (const build of before ? ["", "baseline: "] : [""]) {
    const tools = of(`${build}${SHARED_AT_TOOLS}`, "1").map(
      (m, i) => m.p50 - of(`${build}${SHARED_AT_SHARE}`, "1")[i]!.p50,
    );
    console.log(
      `${build || "this build: "}/tools call_tool p50 − /share p50 at c=1, by round (ms): ${spread(tools, 3)}`,
    );
    if (!build) ok.push(budget("c=1 p50 of call_tool through /tools over /share", median(tools), 0.3, " ms"));
  }
  ok.push(budget("a new session's tools/list of a stopped shared server", gateway.cachedList, 100, " ms"));
  return ok.every(Boolean);
}

/** The shared fixture on a bridge whose manifest puts it behind a toolSearch client: at /share, and at /tools. */
const SHARED_AT_SHARE = "gateway /share (toolSearch home)";
const SHARED_AT_TOOLS = "gateway /tools call_tool (toolSearch home)";

/** A client of `/tools` whose echo goes through `call_tool`, as a toolSearch client's model calls it. */
function viaCallTool(client: Client): Client {
  const callTool = (p: { name: string; arguments?: Record<string, unknown> }) =>
    client.callTool({ name: "call_tool", arguments: { name: `fixture/${p.name}`, arguments: p.arguments } });
  return { callTool, close: () => client.close() } as unknown as Client;
}

/**
 * Both eras side by side, at c=1 on the in-process echo and on the shared fixture (`--share`), each
 * contender's calls one at a time and in a new shuffled order every turn (so the machine's load, and
 * which bridge served the call just before, fall on every contender alike: rounds of a thousand
 * calls each drift by ±5 % here, more than the margin judged). Contenders:
 *   - a lean client (bench/_raw-client.ts: no MCP library, the same code per call in both eras) in
 *     2026-07-28 and 2025-11-25 on this build, and in 2025-11-25 on the baseline, on both paths;
 *   - the SDK's v2 client in both eras on this build, in 2025-11-25 on the baseline; the SDK's v1
 *     client on both builds;
 *   - both clients in both eras on the HTTP floor, where nothing is served: what 2026-07-28 itself
 *     adds to a call (its envelope and two headers on every request, a stamped result; the SDK's
 *     v2 client adds work of its own).
 * Prints the table and each era's own cost. Gives back the verdicts, for the end (with a
 * baseline): in 2025-11-25, each client's p50 no more than 1.05× the baseline's; in 2026-07-28,
 * the lean client's p50, less what the era adds on the floor, no more than 1.05× the baseline's
 * in 2025-11-25 — the bridge's own cost in each era no more than today's.
 */
type Reached = { url: string; token: string };
async function erasSideBySide(
  { inproc: build, share }: { inproc: Reached; share: Reached },
  base: { inproc: Reached; share: Reached } | undefined,
  floorUrl: string,
  clients: Client[],
): Promise<() => boolean[]> {
  type Caller = { callTool: Client["callTool"]; close(): Promise<void> };
  const raw = async (url: string, token: string, era: "2025-11-25" | "2026-07-28") =>
    (await rawClient(url, token, era)) as unknown as Caller;
  const contenders: Array<[string, Promise<Caller>]> = [
    ["lean client 2026-07-28", raw(build.url, build.token, "2026-07-28")],
    ["lean client 2025-11-25", raw(build.url, build.token, "2025-11-25")],
    ["shared server: lean client 2026-07-28", raw(share.url, share.token, "2026-07-28")],
    ["shared server: lean client 2025-11-25", raw(share.url, share.token, "2025-11-25")],
    ["SDK v2 client 2026-07-28", v2Client(build.url, build.token, MODERN)],
    ["SDK v2 client 2025-11-25", v2Client(build.url, build.token, "legacy")],
    ["SDK v1 client", httpClient(build.url, build.token)],
    ["HTTP floor: SDK v2 client 2026-07-28", v2Client(floorUrl, "", MODERN)],
    ["HTTP floor: SDK v2 client 2025-11-25", v2Client(floorUrl, "", "legacy")],
    ["HTTP floor: lean client 2026-07-28", raw(floorUrl, "", "2026-07-28")],
    ["HTTP floor: lean client 2025-11-25", raw(floorUrl, "", "2025-11-25")],
  ];
  const baseline = base?.inproc;
  if (base && baseline)
    contenders.push(
      ["baseline: lean client 2025-11-25", raw(baseline.url, baseline.token, "2025-11-25")],
      [
        "baseline: shared server: lean client 2025-11-25",
        raw(base.share.url, base.share.token, "2025-11-25"),
      ],
      ["baseline: SDK v2 client 2025-11-25", v2Client(baseline.url, baseline.token, "legacy")],
      ["baseline: SDK v1 client", httpClient(baseline.url, baseline.token)],
    );
  const callers = await Promise.all(contenders.map(([, c]) => c));
  clients.push(...(callers as unknown as Client[]));
  for (const [i, caller] of callers.entries())
    for (let k = 0; k < STEADY / 2; k++) await echo(caller as Client, contenders[i]![0]);
  const latencies = callers.map(() => [] as number[]);
  let seed = 1; // a fixed order, so two runs shuffle alike
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
  const order = callers.map((_, i) => i);
  for (let turn = 0; turn < ERA_CALLS; turn++) {
    for (let j = order.length - 1; j > 0; j--) {
      const x = Math.floor(random() * (j + 1));
      [order[j], order[x]] = [order[x]!, order[j]!];
    }
    for (const i of order) {
      const t = process.hrtime.bigint();
      await echo(callers[i] as Client, contenders[i]![0]);
      latencies[i]!.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
  }
  const p50 = new Map(contenders.map(([name], i) => [name, median(latencies[i]!)]));
  console.log(
    `\nBoth eras side by side: c=1, the in-process echo (and the shared fixture), ${ERA_CALLS.toLocaleString("en")} calls each, one at a time in a shuffled order`,
  );
  table(
    contenders.map(([name], i) => ({
      client: name,
      "p50 ms": p50.get(name)!.toFixed(3),
      "p99 ms": percentile(latencies[i]!, 99).toFixed(2),
    })),
  );
  const ratio = (a: string, b: string) => p50.get(a)! / p50.get(b)!;
  // What 2026-07-28 itself adds to a call, whoever serves it: its envelope and headers on every
  // request, its stamped result, measured where nothing is served (the lean client on the floor).
  const eraCost =
    p50.get("HTTP floor: lean client 2026-07-28")! - p50.get("HTTP floor: lean client 2025-11-25")!;
  console.log(
    `what 2026-07-28 itself adds to a call on the HTTP floor (nothing served): +${(eraCost * 1000).toFixed(0)} µs with the lean client; the SDK's v2 client in 2026-07-28 / itself in 2025-11-25: ${ratio("HTTP floor: SDK v2 client 2026-07-28", "HTTP floor: SDK v2 client 2025-11-25").toFixed(2)}× on the floor, ${ratio("SDK v2 client 2026-07-28", "SDK v2 client 2025-11-25").toFixed(2)}× on this build`,
  );
  if (!base) return () => [];
  const era26 = [
    ["lean client 2026-07-28", "baseline: lean client 2025-11-25"],
    ["shared server: lean client 2026-07-28", "baseline: shared server: lean client 2025-11-25"],
  ] as const;
  for (const [after, before] of [
    ...era26,
    ["SDK v2 client 2026-07-28", "baseline: SDK v2 client 2025-11-25"],
  ] as const)
    console.log(
      `  ${after} / the baseline's ${before.replace("baseline: ", "")}, that era's own cost included: ${ratio(after, before).toFixed(2)}×`,
    );
  return () => [
    // 2025-11-25: the same messages both sides, so the p50s compare as they are.
    ...(
      [
        ["lean client 2025-11-25", "baseline: lean client 2025-11-25"],
        ["shared server: lean client 2025-11-25", "baseline: shared server: lean client 2025-11-25"],
        ["SDK v2 client 2025-11-25", "baseline: SDK v2 client 2025-11-25"],
        ["SDK v1 client", "baseline: SDK v1 client"],
      ] as const
    ).map(([after, before]) =>
      verdict(
        `p50 at c=1, interleaved: ${after} / the baseline's ${before.replace("baseline: ", "")}`,
        ratio(after, before),
        1.05,
      ),
    ),
    // 2026-07-28 against the baseline's 2025-11-25, what the era itself adds (above) taken out:
    // what is left is the bridge's own cost.
    ...era26.map(([after, before]) =>
      verdict(
        `p50 at c=1, interleaved, the era's own cost taken out: ${after} / the baseline's ${before.replace("baseline: ", "")}`,
        (p50.get(after)! - eraCost) / p50.get(before)!,
        1.05,
      ),
    ),
  ];
}

/**
 * The gateway's lazy start, from the manifest (`share: machine`, `bridge.idleMinutes` 0.02): the
 * fixture started once (its lists cached) and stopped when idle, then a new session's connect and
 * tools/list while it is stopped; a new session's connect and first call while it is stopped (it
 * starts); a direct entry's start (a stdio client spawning the fixture, connecting and calling).
 * Medians of 5, each with the server stopped again first.
 */
async function gatewayFigures(
  dir: string,
  script: string,
  bridge: (
    bin: string,
    state: string,
    args: string[],
    plugin: boolean,
    home: string,
  ) => Promise<{ url: string; token: string; pid: number }>,
  clients: Client[],
): Promise<{ cachedList: number; coldCall: number; directStart: number }> {
  const home = path.join(dir, "gateway-home");
  mkdirSync(home, { recursive: true });
  writeFileSync(
    path.join(home, "mcp-twin.jsonc"),
    JSON.stringify({
      servers: { fixture: { command: process.execPath, args: [script], share: "machine" } },
      bridge: { idleMinutes: 0.02 },
    }),
  );
  const g = await bridge(BIN, "gateway", [], false, home);
  const url = g.url.replace(/\/mcp$/, "/share/fixture");
  const status = async () =>
    (
      (await (
        await fetch(g.url.replace(/\/mcp$/, "/control/status"), {
          headers: { authorization: `Bearer ${g.token}` },
        })
      ).json()) as { shares: Array<{ state: string; cached: boolean }> }
    ).shares[0]!;
  const stopped = () =>
    waitFor("the shared server stopped", async () =>
      (await status()).state === "stopped" ? true : undefined,
    );
  const first = await httpClient(url, g.token);
  clients.push(first);
  await echo(first, "gateway warm-up");
  await waitFor("its lists cached", async () => ((await status()).cached ? true : undefined));
  const time = async (f: () => Promise<unknown>) => {
    const t = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  const listed: number[] = [];
  const cold: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < 5; i++) {
    await stopped();
    listed.push(
      await time(async () => {
        const c = await httpClient(url, g.token);
        clients.push(c);
        await c.listTools();
      }),
    );
    if ((await status()).state !== "stopped")
      throw new Error("a cached tools/list started the shared server");
    cold.push(
      await time(async () => {
        const c = await httpClient(url, g.token);
        clients.push(c);
        await echo(c, "cold call");
      }),
    );
    direct.push(
      await time(async () => {
        const c = await stdioClient(process.execPath, [script]);
        await echo(c, "direct start");
        await c.close();
      }),
    );
  }
  const figures = { cachedList: median(listed), coldCall: median(cold), directStart: median(direct) };
  console.log(
    `\nGateway (share: machine, stopped when idle): a new session's connect + tools/list from the cache ${figures.cachedList.toFixed(1)} ms; connect + first call, the server cold ${figures.coldCall.toFixed(0)} ms; a direct entry's start (spawn, connect, call) ${figures.directStart.toFixed(0)} ms (${(figures.coldCall / figures.directStart).toFixed(2)}×)`,
  );
  return figures;
}
