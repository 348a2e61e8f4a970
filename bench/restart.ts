/**
 * What a restart costs a connected client (`node bench/run.js restart`): a session's first call
 * after the bridge was killed (SIGKILL) and started again on the same port — the sealed session id
 * opened again, then the call — against a session's first call before it (just after initialize).
 * Both on a shared server in `session` mode (its process starts with the call: the fixture server,
 * `echo`) and on the bridge's own endpoint (`memory_get`). Each round starts a bridge clean (the
 * last one stopped with no session open), connects, calls, kills it, starts it again and calls;
 * each figure is the median of ROUNDS rounds; the client is the SDK's v2 client in 2025-11-25.
 * With `--before <build>` that build runs the same rounds beside this one, interleaved.
 *
 * Target: the first call after a restart ≤ 1.2× the first call before it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from "@modelcontextprotocol/client";
import { BIN } from "../test/helpers/fake-machine.js";
import { freePort } from "../test/helpers/net.js";
import { budget, median, spread, table, waitFor } from "./_lib.js";
import { sharedFixture } from "./_shared-fixture.js";

const ROUNDS = Number(process.env.BENCH_RESTART_ROUNDS ?? 11);
/** Another build measured beside this one (`npm run bench -- --before <build>`: bench/_before.mjs). */
const BEFORE = process.env.BENCH_BEFORE_BIN;

interface Caller {
  call(name: string, args: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

async function client(url: string, token: string): Promise<Caller> {
  const c = new ClientV2({ name: "bench-restart", version: "0" }, { versionNegotiation: { mode: "legacy" } });
  await c.connect(
    new HttpV2(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
  );
  return {
    call: async (name, args) => {
      const r = await c.callTool({ name, arguments: args });
      if (r.isError) throw new Error(`${name} failed: ${JSON.stringify(r.content)}`);
      return r;
    },
    close: () => c.close(),
  };
}

const timed = async (f: () => Promise<unknown>) => {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e6;
};

/** One build's bridge on its own home and port: started, killed, started again. */
interface Build {
  label: string;
  bin: string;
  port: number;
  state: string;
  env: Record<string, string>;
  token: string;
  bridge: ChildProcess | undefined;
  rows: Record<"own" | "share", { connect: number[]; before: number[]; after: number[] }>;
}

async function startBridge(b: Build): Promise<void> {
  const child = spawn(process.execPath, [b.bin, "serve", "--http", "--port", String(b.port)], {
    env: b.env,
    stdio: ["ignore", "ignore", "ignore"],
  });
  await waitFor("serve --http", () => {
    const i = JSON.parse(readFileSync(path.join(b.state, "serve.json"), "utf8")) as { pid: number };
    return i.pid === child.pid ? i : undefined;
  });
  b.bridge = child;
}

async function kill(b: Build, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  const child = b.bridge;
  if (!child) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill(signal);
  await exited;
}

const endpointsOf = (b: Build) =>
  [
    ["own", `http://127.0.0.1:${b.port}/mcp`, "memory_get", { key: "k" }],
    ["share", `http://127.0.0.1:${b.port}/share/fixture`, "echo", { text: "x" }],
  ] as const;

/** A build set up: its home, its token, the shared server's lists cached by one call. */
async function setUp(dir: string, label: string, bin: string): Promise<Build> {
  const home = path.join(dir, label.replace(/\W+/g, "-"));
  const { state, env } = await sharedFixture(home, "session");
  const b: Build = {
    label,
    bin,
    port: await freePort(),
    state,
    env,
    token: "",
    bridge: undefined,
    rows: {
      own: { connect: [], before: [], after: [] },
      share: { connect: [], before: [], after: [] },
    },
  };
  await startBridge(b);
  b.token = readFileSync(path.join(state, "token"), "utf8").trim();
  // Its lists cached once (a session of a cached server starts its process with the first call).
  const warm = await client(endpointsOf(b)[1][1], b.token);
  await warm.call("echo", { text: "warm" });
  await warm.close();
  await kill(b, "SIGTERM");
  return b;
}

/** One round on one build: connect and call, SIGKILL, start again, call again on the same sessions. */
async function round(b: Build, callers: Caller[]): Promise<void> {
  // A bridge started clean: nothing to prepare for (the clients of the last round are closed,
  // but an SDK client's close sends no DELETE, so their sessions were open at the stop).
  rmSync(path.join(b.state, "sessions-open"), { force: true });
  await startBridge(b);
  const open: Caller[] = [];
  for (const [name, at, tool, args] of endpointsOf(b)) {
    let c: Caller | undefined;
    b.rows[name].connect.push(
      await timed(async () => {
        c = await client(at, b.token);
      }),
    );
    open.push(c!);
    b.rows[name].before.push(await timed(() => c!.call(tool, args)));
  }
  callers.push(...open);
  await kill(b);
  await startBridge(b);
  for (const [i, [name, , tool, args]] of endpointsOf(b).entries())
    b.rows[name].after.push(await timed(() => open[i]!.call(tool, args)));
  await Promise.all(open.map((c) => c.close().catch(() => {})));
  await kill(b, "SIGTERM");
}

export async function run(): Promise<{ ok: boolean }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bench-restart-"));
  const builds: Build[] = [];
  const callers: Caller[] = [];
  try {
    builds.push(await setUp(dir, "this build", BIN));
    if (BEFORE) builds.push(await setUp(dir, "before", BEFORE));
    // Rounds interleaved, each build first every other round: the load falls on both alike.
    for (let r = 0; r < ROUNDS; r++)
      for (const b of r % 2 ? [...builds].reverse() : builds) await round(b, callers);
    const m = (xs: number[]) => median(xs).toFixed(1);
    table(
      builds.flatMap((b) =>
        Object.entries(b.rows).map(([name, r]) => ({
          build: b.label,
          endpoint: name === "share" ? "/share/fixture (session mode)" : "/mcp (the bridge's own)",
          "connect (ms)": m(r.connect),
          "first call (ms)": m(r.before),
          "connect + first call": m(r.connect.map((c, i) => c + r.before[i]!)),
          "first call after a restart": m(r.after),
          "after / first call": (median(r.after) / median(r.before)).toFixed(2),
        })),
      ),
    );
    const [self, before] = builds;
    let ok = true;
    for (const [name, r] of Object.entries(self!.rows)) {
      const byRound = r.after.map((a, i) => a / r.before[i]!);
      console.log(`  ${name}: first call after a restart / before it, by round: ${spread(byRound)}`);
      ok =
        budget(
          `${name}: first call after a restart / the first call before it`,
          median(r.after) / median(r.before),
          1.2,
          "×",
        ) && ok;
      if (before) {
        const was = before.rows[name as "own" | "share"];
        console.log(
          `  ${name}: first call after a restart, this build / before: ${(median(r.after) / median(was.after)).toFixed(2)}`,
        );
      }
    }
    return { ok };
  } finally {
    await Promise.all(callers.map((c) => c.close().catch(() => {})));
    for (const b of builds)
      if (b.bridge && b.bridge.exitCode === null && b.bridge.signalCode === null) b.bridge.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}
