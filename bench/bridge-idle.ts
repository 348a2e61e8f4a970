/**
 * The bridge at rest against a bare node at rest, side by side in one run: `serve --http` with
 * three shared servers in the manifest and none started (the manifest validated once, as sync
 * leaves it), started fresh beside `node -e 'setInterval(() => {}, 1e9)'`. RSS and PSS
 * (/proc/PID/smaps_rollup) of each, SETTLE ms after the bridge listens (V8's memory reducer runs
 * some seconds into an idle process: both figures are printed, at 5 s and at SETTLE); then after
 * sync's warm (`POST /control/warm`: a fourth shared server, the test fixture, has its lists read
 * and cached), SETTLE later; then after use — a session lists the tools and calls one
 * (memory_list) —, with that session's tools/list time. BENCH_BRIDGE_BASELINE names another build's bin/mcp-twin.js (e.g. main built in
 * .tmp/baseline): measured beside this one, in the same rounds. Every figure is the median of
 * ROUNDS rounds, each with a new home.
 * Targets: this build's idle RSS ≤ 1.3× the bare node's (at SETTLE), after sync's warm too; a new
 * session's tools/list ≤ 100 ms.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { bridgeEnv } from "../test/bridge-server/helpers.js";
import { BIN, REPO } from "../test/helpers/fake-machine.js";
import { packFixture } from "../test/helpers/fixture-package.js";
import { BUDGETS, budget, median, pssMb, rssMb, sleep, spread, table, verdict, waitFor } from "./_lib.js";

const ROUNDS = Number(process.env.BENCH_IDLE_ROUNDS ?? 3);
const SETTLE = Number(process.env.BENCH_IDLE_SETTLE_MS ?? 30_000);
const EARLY = 5000;
const BASELINE = process.env.BENCH_BRIDGE_BASELINE;

interface Figures {
  rss5: number;
  pss5: number;
  rss: number;
  pss: number;
  warmRss: number;
  warmPss: number;
  usedRss: number;
  usedPss: number;
  listMs: number;
}

/**
 * A home with three shared servers (never started: nothing calls them) and the fixture server
 * (started once, by sync's warm) for `bin`.
 */
function home(fixture: string): { root: string; env: Record<string, string> } {
  const root = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-idle-"));
  const env = bridgeEnv(root, { USER: "bench" });
  const manifestDir = env.MCP_TWIN_HOME ?? "";
  mkdirSync(manifestDir, { recursive: true });
  const server = (share: string) => ({
    command: process.execPath,
    args: [path.join(root, "never-started.js")],
    share,
  });
  writeFileSync(
    path.join(manifestDir, "mcp-twin.jsonc"),
    JSON.stringify({
      servers: {
        memory: server("machine"),
        filesystem: server("machine"),
        thinking: server("session"),
        fixture: { command: process.execPath, args: [fixture], share: "machine" },
      },
    }),
  );
  return { root, env };
}

/** `serve --http --port 0` of `bin` in that home, once it listens (serve.json names it). */
async function start(
  bin: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const serveJson = path.join(env.MCP_TWIN_BRIDGE_HOME ?? "", "serve.json");
  rmSync(serveJson, { force: true });
  const child = spawn(process.execPath, [bin, "serve", "--http", "--port", "0"], { env, stdio: "ignore" });
  const info = await waitFor("the bridge to listen", () =>
    existsSync(serveJson)
      ? (JSON.parse(readFileSync(serveJson, "utf8")) as { pid: number; url: string })
      : undefined,
  );
  if (info.pid !== child.pid) throw new Error(`serve.json names ${info.pid}, not ${child.pid}`);
  return { child, url: info.url };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** One round for every build at once: fresh bridges beside one bare node. */
async function round(
  bins: string[],
  fixture: string,
): Promise<{ bare: { rss: number; pss: number }; builds: Figures[] }> {
  const homes = bins.map(() => home(fixture));
  const running: ChildProcess[] = [];
  const bare = spawn(process.execPath, ["-e", "setInterval(() => {}, 1e9)"], { stdio: "ignore" });
  try {
    // The manifest validated once (its check cached in the home), as after a sync.
    for (const [i, bin] of bins.entries()) await stop((await start(bin, homes[i]!.env)).child);
    const started = [];
    for (const [i, bin] of bins.entries()) {
      const s = await start(bin, homes[i]!.env);
      running.push(s.child);
      started.push(s);
    }
    const t0 = Date.now();
    await sleep(EARLY);
    const early = started.map(({ child }) => ({ rss: rssMb(child.pid ?? 0), pss: pssMb(child.pid ?? 0) }));
    await sleep(Math.max(0, SETTLE - (Date.now() - t0)));
    const bareNow = { rss: rssMb(bare.pid ?? 0), pss: pssMb(bare.pid ?? 0) };
    const settled = started.map(({ child }) => ({ rss: rssMb(child.pid ?? 0), pss: pssMb(child.pid ?? 0) }));
    // As sync asks after writing the entries: the never-started servers' lists are read (the three
    // absent scripts fail, the fixture is cached).
    for (const [i, { url }] of started.entries()) {
      const token = readFileSync(path.join(homes[i]!.env.MCP_TWIN_BRIDGE_HOME ?? "", "token"), "utf8").trim();
      await fetch(url.replace(/\/mcp$/, "/control/warm"), {
        method: "POST",
        headers: { authorization: `Bearer ${token}` },
      }).then((r) => r.json());
    }
    await sleep(SETTLE);
    const warmed = started.map(({ child }) => ({ rss: rssMb(child.pid ?? 0), pss: pssMb(child.pid ?? 0) }));
    const lists: number[] = [];
    for (const [i, { url }] of started.entries()) {
      const token = readFileSync(path.join(homes[i]!.env.MCP_TWIN_BRIDGE_HOME ?? "", "token"), "utf8").trim();
      const client = new Client({ name: "bench", version: "0" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url), {
          requestInit: { headers: { Authorization: `Bearer ${token}` } },
        }),
      );
      const t = performance.now();
      await client.listTools();
      lists.push(performance.now() - t);
      await client.callTool({ name: "memory_list", arguments: {} });
      await client.close();
    }
    // What use leaves, at rest: printed, not one of the gateway's budgets (`--budgets` skips the wait).
    if (!BUDGETS) await sleep(SETTLE);
    return {
      bare: bareNow,
      builds: started.map(({ child }, i) => ({
        rss5: early[i]!.rss,
        pss5: early[i]!.pss,
        rss: settled[i]!.rss,
        pss: settled[i]!.pss,
        warmRss: warmed[i]!.rss,
        warmPss: warmed[i]!.pss,
        usedRss: rssMb(child.pid ?? 0),
        usedPss: pssMb(child.pid ?? 0),
        listMs: lists[i]!,
      })),
    };
  } finally {
    bare.kill();
    for (const child of running) await stop(child);
    for (const h of homes) rmSync(h.root, { recursive: true, force: true });
  }
}

export async function run(): Promise<{ ok: boolean }> {
  const bins = [BIN, ...(BASELINE ? [BASELINE] : [])];
  const names = ["this build", ...(BASELINE ? [`baseline (${path.relative(REPO, BASELINE)})`] : [])];
  const packed = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-idle-fixture-"));
  const fixture = (await packFixture(packed, "1.0.0")).script;
  const rounds: Array<Awaited<ReturnType<typeof round>>> = [];
  try {
    // `--budgets`: the rounds at once, not one after the other — each its own homes, bridges and
    // bare node; what is measured is at rest, and their waits (SETTLE each) overlap.
    if (BUDGETS)
      rounds.push(...(await Promise.all(Array.from({ length: ROUNDS }, () => round(bins, fixture)))));
    else for (let r = 0; r < ROUNDS; r++) rounds.push(await round(bins, fixture));
  } finally {
    rmSync(packed, { recursive: true, force: true });
  }
  const bareRss = median(rounds.map((r) => r.bare.rss));
  const barePss = median(rounds.map((r) => r.bare.pss));
  const of = (i: number, key: keyof Figures) => median(rounds.map((r) => r.builds[i]![key]));
  const mb = (v: number) => v.toFixed(1);
  const rows: Array<Record<string, string | number>> = [
    {
      process: "bare node, idle",
      "RSS 5 s": "",
      [`RSS ${SETTLE / 1000} s (× bare)`]: mb(bareRss),
      [`PSS ${SETTLE / 1000} s (× bare)`]: mb(barePss),
      "after sync's warm RSS / PSS": "",
      "after use RSS / PSS": "",
      "new session's tools/list": "",
    },
  ];
  for (const [i, name] of names.entries())
    rows.push({
      process: `${name}, idle, 3 shares none started`,
      "RSS 5 s": mb(of(i, "rss5")),
      [`RSS ${SETTLE / 1000} s (× bare)`]: `${mb(of(i, "rss"))} (${(of(i, "rss") / bareRss).toFixed(2)}×)`,
      [`PSS ${SETTLE / 1000} s (× bare)`]: `${mb(of(i, "pss"))} (${(of(i, "pss") / barePss).toFixed(2)}×)`,
      "after sync's warm RSS / PSS": `${mb(of(i, "warmRss"))} / ${mb(of(i, "warmPss"))}`,
      "after use RSS / PSS": `${mb(of(i, "usedRss"))} / ${mb(of(i, "usedPss"))}`,
      "new session's tools/list": `${of(i, "listMs").toFixed(1)} ms`,
    });
  console.log(`${ROUNDS} rounds, medians; load average ${os.loadavg()[0]?.toFixed(1)}`);
  table(rows);
  const idleRatio = rounds.map((r) => r.builds[0]!.rss / r.bare.rss);
  console.log(`this build idle ÷ bare node (RSS), by round: ${spread(idleRatio)}`);
  if (BUDGETS) {
    const ok = [
      budget("bridge idle RSS / a bare node", of(0, "rss") / bareRss, 1.3, "×"),
      budget("a new session's tools/list (bridge at rest)", of(0, "listMs"), 100, " ms"),
    ];
    return { ok: ok.every(Boolean) };
  }
  let ok = verdict("this build idle ÷ bare node (RSS)", of(0, "rss") / bareRss, 1.3);
  ok = verdict("this build after sync's warm ÷ bare node (RSS)", of(0, "warmRss") / bareRss, 1.3) && ok;
  ok = verdict("a new session's tools/list (ms)", of(0, "listMs"), 100) && ok;
  return { ok };
}
