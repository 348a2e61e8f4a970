/**
 * The `connect` relay every client session runs, side by side in one run against one bridge (its
 * `echo` tool as a plugin, in-process, 100-byte payloads):
 *   - RSS: a bare idle `node` two ways — reading a piped stdin as a relay does
 *     (`process.stdin.resume()`), and idle with no stdin at all (`setInterval`, the bare node a
 *     reader would start: issue 74 measured the relay both ways) —, the relay idle (after its
 *     first tools/list), after 5,000 calls and after LONG_CALLS (50,000) calls — VmRSS, and the
 *     peak (VmHWM);
 *   - start to the first tools/list answered: the relay (bridge running) against the SDK stdio
 *     echo fixture, interleaved;
 *   - p50 per call at c=1: the relay against a direct Streamable HTTP client (the SDK's) to the same
 *     bridge, interleaved;
 *   - stdio `serve` (the relay to the bridge that stdio entries run): its p50 overhead over the
 *     stdio floor (the fixture over stdio) against the HTTP floor's own overhead (the SDK's HTTP
 *     client against node:http answering at once: bench/_http-floor.mjs).
 * The relay's rows speak 2025-11-25 (the SDK's v1 client, as every build's relay can); "relay
 * 2026" is this build's relay under a client of protocol 2026-07-28 (the SDK's v2 client, pinned).
 * BENCH_RELAY_BASELINE=<bin/mcp-twin.js of another build> measures that build's relay beside this
 * one (rows "before"); BENCH_RELAY_LONG_CALLS changes 50,000. Each relay starts as sync writes its
 * entry: `node <RELAY_NODE_FLAGS> <bin> connect <url>` for this build, and with the node options of
 * BENCH_RELAY_BASELINE_FLAGS (space-separated; none by default, as builds before them wrote no
 * options) for the other.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from "@modelcontextprotocol/client";
import { StdioClientTransport as StdioV2 } from "@modelcontextprotocol/client/stdio";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { RELAY_NODE_FLAGS } from "../src/core/entries/relay-node-flags.js";
import { BIN, REPO } from "../test/helpers/fake-machine.js";
import { packFixture } from "../test/helpers/fixture-package.js";
import { BUDGETS, budget, endAll, median, sleep, spread, table, verdict, waitFor } from "./_lib.js";
import { bridgeEnv } from "./_shared-fixture.js";

const BASELINE = process.env.BENCH_RELAY_BASELINE;
const BASELINE_FLAGS = (process.env.BENCH_RELAY_BASELINE_FLAGS ?? "").split(" ").filter(Boolean);

/** A relay's argv as its client entry starts it: this build's node options, or the baseline's. */
const relayArgs = (bin: string, ...args: string[]) => [
  ...(bin === BIN ? RELAY_NODE_FLAGS : BASELINE_FLAGS),
  bin,
  "connect",
  ...args,
];
const CALLS = 2000;
/** `--budgets` stops at the 5,000 calls the gateway's budget reads (the 50,000 took most of the time). */
const LONG_CALLS = Number(process.env.BENCH_RELAY_LONG_CALLS ?? (BUDGETS ? 5000 : 50_000));
const ROUNDS = 5;
const PAYLOAD = "x".repeat(100);

function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)![1]) / 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** The pid of this process's newest child whose command line holds `word`. */
function childPid(word: string, not: Set<number>): number {
  const pids = readdirSync(`/proc/${process.pid}/task`).flatMap((tid) =>
    readFileSync(`/proc/${process.pid}/task/${tid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number),
  );
  for (const pid of pids.reverse()) {
    if (not.has(pid)) continue;
    if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(word)) return pid;
  }
  throw new Error(`no child running ${word}`);
}

/** What the benchmark asks of a client, either SDK's. */
interface Caller {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

const echo = async (client: Caller) => {
  const r = (await client.callTool({ name: "echo", arguments: { text: PAYLOAD } })) as {
    content: Array<{ text: string }>;
  };
  if (r.content[0]?.text !== PAYLOAD) throw new Error("echo answered wrong");
};

async function p50(client: Caller, calls = CALLS): Promise<number> {
  for (let i = 0; i < 100; i++) await echo(client);
  const ms: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = process.hrtime.bigint();
    await echo(client);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(ms);
}

async function stdio(command: string, args: string[], env: Record<string, string>): Promise<Client> {
  const client = new Client({ name: "bench", version: "0" });
  await client.connect(new StdioClientTransport({ command, args, env, stderr: "ignore" }));
  return client;
}

/** A client of protocol 2026-07-28 alone over stdio (the SDK's v2 client, pinned). */
async function stdioModern(command: string, args: string[], env: Record<string, string>): Promise<ClientV2> {
  const client = new ClientV2(
    { name: "bench", version: "0" },
    { versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  await client.connect(new StdioV2({ command, args, env, stderr: "ignore" }));
  return client;
}

/** A client of protocol 2026-07-28 alone straight to the bridge (the relay 2026 row's reference). */
async function httpModern(url: string, token: string): Promise<ClientV2> {
  const client = new ClientV2(
    { name: "bench", version: "0" },
    { versionNegotiation: { mode: { pin: "2026-07-28" } } },
  );
  await client.connect(
    new HttpV2(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
  );
  return client;
}

async function http(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: "bench", version: "0" });
  const headers = token ? { Authorization: `Bearer ${token}` } : undefined;
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), headers ? { requestInit: { headers } } : {}),
  );
  return client;
}

async function firstList(command: string, args: string[], env: Record<string, string>): Promise<number> {
  const t = process.hrtime.bigint();
  const client = await stdio(command, args, env);
  await client.listTools();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  await client.close();
  return ms;
}

/** A bridge with the echo plugin in a state folder of its own, and the HTTP floor. */
async function setUp(dir: string, children: ChildProcess[]) {
  const b = await echoBridge(dir, BIN, children);
  const floor = spawn(process.execPath, [path.join(REPO, "bench", "_http-floor.mjs")], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  children.push(floor);
  let out = "";
  floor.stdout!.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const floorPort = await waitFor("the HTTP floor", () => (/^\d+\n/.test(out) ? Number(out) : undefined));
  return { ...b, floorPort };
}

/** `bin serve --http` with the echo plugin, its state and home in `dir`, once it listens. */
async function echoBridge(dir: string, bin: string, children: ChildProcess[]) {
  const state = path.join(dir, "bridge");
  mkdirSync(path.join(state, "plugins"), { recursive: true });
  writeFileSync(
    path.join(state, "plugins", "echo.mjs"),
    `export const tools = [{ name: "echo", description: "Echo text back",
      inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
      handler: ({ text }) => text }];\n`,
  );
  const home = path.join(dir, "twin");
  mkdirSync(home, { recursive: true });
  const env = bridgeEnv(dir, home, state);
  const child = spawn(process.execPath, [bin, "serve", "--http", "--port", "0"], { env, stdio: "ignore" });
  children.push(child);
  const info = await waitFor("the bridge", () => {
    const i = JSON.parse(readFileSync(path.join(state, "serve.json"), "utf8")) as {
      url: string;
      port: number;
    };
    return i.url ? i : undefined;
  });
  // The manifest names the bridge's port, as sync writes it.
  writeFileSync(
    path.join(home, "mcp-twin.jsonc"),
    JSON.stringify({ servers: {}, bridge: { enabled: true, port: info.port } }),
  );
  return { env, url: info.url, token: readFileSync(path.join(state, "token"), "utf8").trim(), child };
}

/**
 * The first session after the bridge started (the gateway's budget: it pays for what the bridge loads
 * late): each round, each build's bridge started fresh, its relay's start to the first tools/list
 * and the SDK stdio echo fixture's, interleaved; round 0 warms page caches.
 */
async function firstSessions(builds: Builds, fixture: string, dir: string): Promise<number> {
  const ms = new Map<string, number[]>([
    ["fixture", []],
    ...builds.map(([n]) => [n, []] as [string, number[]]),
  ]);
  for (let i = 0; i < ROUNDS + 1; i++) {
    const round: Array<[string, number]> = [];
    for (const [name, bin] of builds) {
      const b = await echoBridge(path.join(dir, `first-${name}-${i}`), bin, []);
      round.push([name, await firstList(process.execPath, relayArgs(bin, b.url), b.env)]);
      round.push(["fixture", await firstList(process.execPath, [fixture], b.env)]);
      const exited = new Promise((r) => b.child.once("exit", r));
      b.child.kill("SIGTERM");
      await exited;
    }
    if (i > 0) for (const [name, m] of round) ms.get(name)!.push(m);
  }
  const relay = ms.get("relay")!;
  const fixtures = ms.get("fixture")!.filter((_, k) => k % builds.length === 0);
  console.log(
    `first session after the bridge started, relay first tools/list / SDK stdio echo fixture, by round: ${spread(relay.map((m, k) => m / fixtures[k]!))}`,
  );
  for (const [name] of builds)
    console.log(
      `  ${name}: ${median(ms.get(name)!).toFixed(0)} ms (the fixture ${median(fixtures).toFixed(0)} ms)`,
    );
  return median(relay) / median(fixtures);
}

type Builds = Array<[string, string]>;

/** Start to first tools/list: each build's relay (bridge running) and the SDK stdio echo fixture, interleaved. */
async function starts(builds: Builds, fixture: string, url: string, env: Record<string, string>) {
  const ms = new Map<string, number[]>([
    ["fixture", []],
    ...builds.map(([n]) => [n, []] as [string, number[]]),
  ]);
  for (let i = 0; i < ROUNDS + 1; i++) {
    const round: Array<[string, number]> = [["fixture", await firstList(process.execPath, [fixture], env)]];
    for (const [name, bin] of builds)
      round.push([name, await firstList(process.execPath, relayArgs(bin, url), env)]);
    if (i > 0) for (const [name, m] of round) ms.get(name)!.push(m); // round 0 warms compile and page caches
  }
  const ratio = ms.get("relay")!.map((m, i) => m / ms.get("fixture")![i]!);
  console.log(`relay first tools/list / SDK stdio echo fixture, by round: ${spread(ratio)}`);
  return (name: string) => median(ms.get(name)!);
}

/** p50 at c=1 of each contender, in interleaved rounds. */
async function latencies(contenders: Array<[string, Caller]>) {
  const lat = new Map<string, number[]>(contenders.map(([n]) => [n, []]));
  for (let round = 0; round < ROUNDS; round++)
    for (const [name, client] of contenders) lat.get(name)!.push(await p50(client, CALLS / ROUNDS));
  return (name: string) => median(lat.get(name)!);
}

/** RSS after 5,000 and after LONG_CALLS calls through a relay (it made `done` calls already). */
async function longRun(client: Caller, pid: number, done: number) {
  for (let i = done; i < 5000; i++) await echo(client);
  const at5k = memory(pid).rss;
  for (let i = 5000; i < LONG_CALLS; i++) await echo(client);
  const m = memory(pid);
  return { at5k, atLong: m.rss, hwm: m.hwm };
}

export async function run(): Promise<{ ok: boolean }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bench-relay-"));
  const children: ChildProcess[] = [];
  const clients: Caller[] = [];
  const keep = <C extends Caller>(c: C): C => {
    clients.push(c);
    return c;
  };
  try {
    const fixture = await packFixture(dir, "1.0.0");
    const { env, url, token, floorPort } = await setUp(dir, children);
    const builds: Builds = [["relay", BIN], ...(BASELINE ? [["before", BASELINE] as [string, string]] : [])];

    // A bare idle node both ways (reading a piped stdin, as a relay does; idle without stdin),
    // and each build's relay idle after its first tools/list.
    const bare = spawn(process.execPath, ["-e", "process.stdin.resume()"], {
      stdio: ["pipe", "ignore", "ignore"],
    });
    const bareIdle = spawn(process.execPath, ["-e", "setInterval(() => {}, 1e9)"], { stdio: "ignore" });
    children.push(bare, bareIdle);
    const seen = new Set<number>();
    const relays = new Map<string, { client: Caller; pid: number }>();
    for (const [name, bin] of builds) {
      const client = keep(await stdio(process.execPath, relayArgs(bin, url), env));
      await client.listTools();
      const pid = childPid("connect", seen);
      seen.add(pid);
      relays.set(name, { client, pid });
    }
    {
      const client = keep(await stdioModern(process.execPath, relayArgs(BIN, url), env));
      await client.listTools();
      const pid = childPid("connect", seen);
      seen.add(pid);
      relays.set("relay 2026", { client, pid });
    }
    await sleep(2000);
    const bareRss = memory(bare.pid!).rss;
    const bareIdleRss = memory(bareIdle.pid!).rss;
    const idle = new Map([...relays].map(([name, r]) => [name, memory(r.pid).rss]));

    const start = await starts(builds, fixture.script, url, env);
    const first = await firstSessions(builds, fixture.script, dir);
    const p = await latencies([
      ["direct HTTP client", keep(await http(url, token))],
      ["direct HTTP client 2026", keep(await httpModern(url, token))],
      ...[...relays].map(([name, r]) => [name, r.client] as [string, Caller]),
      ["serve (stdio)", keep(await stdio(process.execPath, [BIN, "serve"], env))],
      ["stdio floor (fixture)", keep(await stdio(process.execPath, [fixture.script], env))],
      ["HTTP floor", keep(await http(`http://127.0.0.1:${floorPort}/mcp`))],
    ]);
    const long = new Map<string, Awaited<ReturnType<typeof longRun>>>();
    for (const [name, r] of relays) long.set(name, await longRun(r.client, r.pid, CALLS + 100 * ROUNDS));
    return report({ builds, bareRss, bareIdleRss, idle, start, first, p, long });
  } finally {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    await endAll(children);
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(r: {
  builds: Builds;
  bareRss: number;
  /** A bare node idle without stdin (`setInterval`): the other way to measure (issue 74). */
  bareIdleRss: number;
  idle: Map<string, number>;
  start: (name: string) => number;
  /** The first session after the bridge started: relay ÷ the SDK stdio echo fixture. */
  first: number;
  p: (name: string) => number;
  long: Map<string, { at5k: number; atLong: number; hwm: number }>;
}): { ok: boolean } {
  const { bareRss, bareIdleRss, idle, start, first, p, long } = r;
  console.log(
    `bare idle node: ${bareRss.toFixed(1)} MB RSS reading a piped stdin, ${bareIdleRss.toFixed(1)} MB idle without stdin (setInterval)`,
  );
  const rows: Array<[string, string]> = [...r.builds, ["relay 2026", ""]];
  const label = (name: string) =>
    name === "relay"
      ? "connect (this build), 2025-11-25"
      : name === "relay 2026"
        ? "connect (this build), 2026-07-28"
        : "connect (BENCH_RELAY_BASELINE), 2025-11-25";
  table(
    rows.map(([name]) => ({
      relay: label(name),
      "idle MB": `${idle.get(name)!.toFixed(1)} (${(idle.get(name)! / bareRss).toFixed(2)}×)`,
      "5k calls MB": `${long.get(name)!.at5k.toFixed(1)} (${(long.get(name)!.at5k / bareRss).toFixed(2)}×, ${(long.get(name)!.at5k / bareIdleRss).toFixed(2)}× no stdin)`,
      // (`--budgets` stops at 5,000 calls: this column would overwrite the one above.)
      ...(LONG_CALLS === 5000
        ? {}
        : { [`${LONG_CALLS / 1000}k calls MB`]: long.get(name)!.atLong.toFixed(1) }),
      "peak MB": long.get(name)!.hwm.toFixed(1),
      "first tools/list ms":
        name === "relay 2026"
          ? "—"
          : `${start(name).toFixed(0)} (${(start(name) / start("fixture")).toFixed(2)}× fixture)`,
      "p50 ms": `${p(name).toFixed(3)} (direct ${p(name === "relay 2026" ? "direct HTTP client 2026" : "direct HTTP client").toFixed(3)})`,
    })),
  );
  console.log(`SDK stdio echo fixture, first tools/list: ${start("fixture").toFixed(0)} ms`);
  const stdioFloor = p("stdio floor (fixture)");
  const floorOver = p("HTTP floor") - stdioFloor;
  const serveOver = p("serve (stdio)") - stdioFloor;
  console.log(
    `p50 over the stdio floor (${stdioFloor.toFixed(3)} ms): serve (stdio) +${serveOver.toFixed(3)} ms, HTTP floor +${floorOver.toFixed(3)} ms`,
  );
  const me = long.get("relay")!;
  if (BUDGETS)
    return {
      ok: [
        budget(
          "relay first tools/list, first session after the bridge started / an SDK stdio server's start",
          first,
          0.6,
          "×",
        ),
        budget(
          "relay first tools/list, a later session / an SDK stdio server's start",
          start("relay") / start("fixture"),
          0.6,
          "×",
        ),
        budget("relay RSS after 5,000 calls / a bare node reading stdin", me.at5k / bareRss, 1.3, "×"),
        budget("relay RSS after 5,000 calls / a bare node without stdin", me.at5k / bareIdleRss, 1.3, "×"),
      ].every(Boolean),
    };
  const ok = [
    verdict("relay idle RSS / bare idle node", idle.get("relay")! / bareRss, 1.2),
    verdict("relay RSS after 5,000 calls / bare idle node reading stdin", me.at5k / bareRss, 1.3),
    verdict("relay RSS after 5,000 calls / bare idle node without stdin", me.at5k / bareIdleRss, 1.3),
    verdict(
      `relay RSS change from 5,000 to ${LONG_CALLS.toLocaleString("en")} calls (%)`,
      Math.abs(me.atLong / me.at5k - 1) * 100,
      10,
    ),
    verdict("relay first tools/list / SDK stdio echo fixture", start("relay") / start("fixture"), 0.6),
    verdict("relay p50 − direct HTTP client p50 (ms)", p("relay") - p("direct HTTP client"), 0.15),
    verdict(
      "relay in 2026-07-28: p50 − direct 2026-07-28 HTTP client p50 (ms)",
      p("relay 2026") - p("direct HTTP client 2026"),
      0.15,
    ),
    verdict(
      "relay in 2026-07-28: RSS after 5,000 calls / bare idle node",
      (long.get("relay 2026")?.at5k ?? 0) / bareRss,
      1.3,
    ),
    verdict("serve (stdio) p50 overhead / HTTP floor's own overhead", serveOver / floorOver, 1.5),
  ];
  return { ok: ok.every(Boolean) };
}
