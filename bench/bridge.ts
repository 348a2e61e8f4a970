/**
 * The bridge's HTTP path, side by side in one run on the same fixture server (its `echo` tool,
 * 100-byte payloads, 1000 calls after a warm-up, at concurrency 1 and 8):
 *   (a) direct stdio — the floor;
 *   (b) supergateway --stateful (the most used stdio→HTTP gateway) relaying the fixture server;
 *   (c) the SDK's own StreamableHTTPServerTransport serving the same tool in-process;
 *   (d) `mcp-twin serve --http --share fixture`: our bridge relaying the fixture server (the
 *       like-for-like of (b));
 *   (e) `mcp-twin serve --http` with the same echo tool as a plugin, in-process (the like-for-like
 *       of (c), and the path of the bridge's own memory/notes/hand-off tools).
 * Every HTTP client is the SDK's StreamableHTTPClientTransport; each figure is the median of 3
 * interleaved rounds of 1000 calls. Then the idle RSS of `serve --http`.
 * Targets: p50 overhead over stdio ≤ 1 ms (c=1); throughput ≥ 2× supergateway and ≥ 1.2× the SDK
 * in-process (c=8); idle RSS ≤ 60 MB. Throughput targets are judged on the like-for-like pair
 * (relay vs relay, in-process vs in-process); the p50 target on both of our paths.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { BIN, REPO } from "../test/helpers/fake-machine.js";
import { packFixture } from "../test/helpers/fixture-package.js";
import { freePort } from "../test/helpers/net.js";
import { median, table, verdict } from "./_lib.js";

const CALLS = Number(process.env.BENCH_BRIDGE_CALLS ?? 1000);
const WARMUP = 100;
/** Rounds per contender and concurrency; every figure is the median of its rounds. */
const ROUNDS = Number(process.env.BENCH_BRIDGE_ROUNDS ?? 3);
const PAYLOAD = "x".repeat(100);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Measured {
  name: string;
  concurrency: number;
  perSecond: number;
  p50: number;
  p99: number;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/**
 * `CALLS` echo calls with `concurrency` in flight, spread over `sessions` (8 clients at c=8, as
 * when several sessions share one bridge; stdio has one session by nature).
 */
async function measure(sessions: Client[], name: string, concurrency: number): Promise<Measured> {
  const call = async (client: Client) => {
    const r = await client.callTool({ name: "echo", arguments: { text: PAYLOAD } });
    const text = (r.content as Array<{ text: string }>)[0]?.text;
    if (text !== PAYLOAD) throw new Error(`${name}: echo answered ${JSON.stringify(text)?.slice(0, 80)}`);
  };
  for (const client of sessions) for (let i = 0; i < WARMUP / sessions.length; i++) await call(client);
  const latencies: number[] = [];
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      const client = sessions[worker % sessions.length]!;
      while (next < CALLS) {
        next++;
        const t = process.hrtime.bigint();
        await call(client);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    name,
    concurrency,
    perSecond: CALLS / seconds,
    p50: median(latencies),
    p99: percentile(latencies, 99),
  };
}

function httpClient(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: "bench", version: "0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    ...(token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {}),
  });
  return client.connect(transport).then(() => client);
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
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

export async function run(): Promise<{ ok: boolean }> {
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
    const rows: Measured[] = [];

    // (a) stdio, the floor.
    const stdio = new Client({ name: "bench", version: "0" });
    await stdio.connect(
      new StdioClientTransport({ command: process.execPath, args: [fixture.script], stderr: "ignore" }),
    );
    clients.push(stdio);

    // (b) supergateway, stateful.
    const sgPort = await freePort();
    start(process.execPath, [
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

    // (d) ours: serve --http --share fixture.
    const home = path.join(dir, "twin");
    const bridgeDir = path.join(dir, "bridge");
    mkdirSync(home, { recursive: true });
    writeFileSync(
      path.join(home, "mcp-twin.jsonc"),
      JSON.stringify({ servers: { fixture: { command: process.execPath, args: [fixture.script] } } }),
    );
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      MCP_TWIN_HOME: home,
      MCP_TWIN_BRIDGE_HOME: bridgeDir,
      NO_COLOR: "1",
    };
    start(process.execPath, [BIN, "serve", "--http", "--port", "0", "--share", "fixture"], env);
    const info = await waitFor("serve --http", () => {
      const i = JSON.parse(readFileSync(path.join(bridgeDir, "serve.json"), "utf8")) as { url: string };
      return i.url ? i : undefined;
    });
    const token = readFileSync(path.join(bridgeDir, "token"), "utf8").trim();
    const shareUrl = info.url.replace(/\/mcp$/, "/share/fixture");

    // (e) ours, in-process: the echo tool as a plugin of a second bridge.
    const pluginDir = path.join(dir, "bridge-plugin");
    mkdirSync(path.join(pluginDir, "plugins"), { recursive: true });
    writeFileSync(
      path.join(pluginDir, "plugins", "echo.mjs"),
      `export const tools = [{ name: "echo", description: "Echo text back",
        inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
        handler: ({ text }) => text }];\n`,
    );
    start(process.execPath, [BIN, "serve", "--http", "--port", "0"], {
      ...env,
      MCP_TWIN_BRIDGE_HOME: pluginDir,
    });
    const pluginInfo = await waitFor("serve --http (plugin)", () => {
      const i = JSON.parse(readFileSync(path.join(pluginDir, "serve.json"), "utf8")) as { url: string };
      return i.url ? i : undefined;
    });
    const pluginToken = readFileSync(path.join(pluginDir, "token"), "utf8").trim();

    const contenders: Array<[string, () => Promise<Client>]> = [
      ["stdio (floor)", async () => stdio],
      ["supergateway --stateful", () => httpClient(sgUrl)],
      ["SDK HTTP in-process", () => httpClient(sdkUrl)],
      ["mcp-twin serve --share", () => httpClient(shareUrl, token)],
      ["mcp-twin serve (in-process)", () => httpClient(pluginInfo.url, pluginToken)],
    ];
    // ROUNDS rounds, interleaved (every contender at c=1, then at c=8, then again), so load drifts
    // on this shared machine hit them alike; each figure is the median of its rounds.
    const sessionsOf = new Map<string, Client[]>();
    for (const c of [1, 8]) {
      for (const [name, connect] of contenders) {
        const sessions = [...new Set(await Promise.all(Array.from({ length: c }, () => connect())))];
        clients.push(...sessions.filter((x) => x !== stdio));
        sessionsOf.set(`${name}|${c}`, sessions);
      }
    }
    const rounds = new Map<string, Measured[]>();
    for (let round = 0; round < ROUNDS; round++)
      for (const c of [1, 8])
        for (const [name] of contenders) {
          const m = await measure(sessionsOf.get(`${name}|${c}`)!, name, c);
          rounds.set(`${name}|${c}`, [...(rounds.get(`${name}|${c}`) ?? []), m]);
        }
    for (const c of [1, 8])
      for (const [name] of contenders) {
        const ms = rounds.get(`${name}|${c}`)!;
        rows.push({
          name,
          concurrency: c,
          perSecond: median(ms.map((m) => m.perSecond)),
          p50: median(ms.map((m) => m.p50)),
          p99: median(ms.map((m) => m.p99)),
        });
      }

    table(
      rows.map((r) => ({
        transport: r.name,
        c: r.concurrency,
        "calls/s": Math.round(r.perSecond),
        "p50 ms": r.p50.toFixed(2),
        "p99 ms": r.p99.toFixed(2),
      })),
    );

    // Idle RSS of a plain bridge (no shares), after it settled.
    const idleDir = path.join(dir, "idle");
    const idle = start(process.execPath, [BIN, "serve", "--http", "--port", "0"], {
      ...env,
      MCP_TWIN_BRIDGE_HOME: idleDir,
    });
    await waitFor("idle serve --http", () =>
      JSON.parse(readFileSync(path.join(idleDir, "serve.json"), "utf8")),
    );
    await sleep(1500);
    const rss = rssMb(idle.pid!);
    console.log(`idle RSS of serve --http: ${rss.toFixed(1)} MB`);

    const get = (name: string, c: number) => rows.find((r) => r.name === name && r.concurrency === c)!;
    const results = [
      verdict(
        "p50 overhead over stdio at c=1, in-process tools (ms)",
        get("mcp-twin serve (in-process)", 1).p50 - get("stdio (floor)", 1).p50,
        1,
      ),
      verdict(
        "p50 overhead over stdio at c=1, relaying a stdio server (ms)",
        get("mcp-twin serve --share", 1).p50 - get("stdio (floor)", 1).p50,
        1,
      ),

      verdict(
        "throughput vs supergateway --stateful at c=8, both relaying the stdio server",
        get("mcp-twin serve --share", 8).perSecond / get("supergateway --stateful", 8).perSecond,
        2,
        false,
      ),
      verdict(
        "throughput vs the SDK's in-process HTTP at c=8, both in-process",
        get("mcp-twin serve (in-process)", 8).perSecond / get("SDK HTTP in-process", 8).perSecond,
        1.2,
        false,
      ),
      verdict("idle RSS of serve --http (MB)", rss, 60),
    ];
    return { ok: results.every(Boolean) };
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    for (const child of children) child.kill("SIGTERM");
    await sleep(200);
    rmSync(dir, { recursive: true, force: true });
  }
}
