/**
 * What a restart costs a connected client (`node bench/run.js restart`): a session's first call
 * after the bridge was killed (SIGKILL) and started again on the same port — the sealed session id
 * opened again, then the call — against a session's first call before it (just after initialize).
 * Both on a shared server in `session` mode (its process starts with the call: the fixture server,
 * `echo`) and on the bridge's own endpoint (`memory_get`). Each round starts a bridge clean (the
 * last one stopped with no session open), connects, calls, kills it, starts it again and calls;
 * each figure is the median of ROUNDS rounds; the client is the SDK's v2 client in 2025-11-25.
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
import { median, table, verdict, waitFor } from "./_lib.js";
import { sharedFixture } from "./_shared-fixture.js";

const ROUNDS = Number(process.env.BENCH_RESTART_ROUNDS ?? 11);

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

export async function run(): Promise<{ ok: boolean }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bench-restart-"));
  let bridge: ChildProcess | undefined;
  const callers: Caller[] = [];
  try {
    const { state, env } = await sharedFixture(dir, "session");
    const port = await freePort();
    const start = async () => {
      const child = spawn(process.execPath, [BIN, "serve", "--http", "--port", String(port)], {
        env,
        stdio: ["ignore", "ignore", "ignore"],
      });
      await waitFor("serve --http", () => {
        const i = JSON.parse(readFileSync(path.join(state, "serve.json"), "utf8")) as {
          pid: number;
          url: string;
        };
        return i.pid === child.pid ? i : undefined;
      });
      bridge = child;
    };
    const kill = async (signal: NodeJS.Signals = "SIGKILL") => {
      const child = bridge!;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill(signal);
      await exited;
    };
    const url = `http://127.0.0.1:${port}/mcp`;
    const share = `http://127.0.0.1:${port}/share/fixture`;
    await start();
    const token = readFileSync(path.join(state, "token"), "utf8").trim();
    // Its lists cached once (a session of a cached server starts its process with the first call).
    const warm = await client(share, token);
    await warm.call("echo", { text: "warm" });
    await warm.close();
    await kill("SIGTERM");
    const empty = () => ({ connect: [] as number[], before: [] as number[], after: [] as number[] });
    const rows = { own: empty(), share: empty() };
    const endpoints = [
      ["own", url, "memory_get", { key: "k" }],
      ["share", share, "echo", { text: "x" }],
    ] as const;
    for (let round = 0; round < ROUNDS; round++) {
      // A bridge started clean: nothing to prepare for (the clients of the last round are closed,
      // but an SDK client's close sends no DELETE, so their sessions were open at the stop).
      rmSync(path.join(state, "sessions-open"), { force: true });
      await start();
      const open: Caller[] = [];
      for (const [name, at, tool, args] of endpoints) {
        let c: Caller | undefined;
        rows[name].connect.push(
          await timed(async () => {
            c = await client(at, token);
          }),
        );
        open.push(c!);
        rows[name].before.push(await timed(() => c!.call(tool, args)));
      }
      callers.push(...open);
      await kill();
      await start();
      for (const [i, [name, , tool, args]] of endpoints.entries())
        rows[name].after.push(await timed(() => open[i]!.call(tool, args)));
      await Promise.all(open.map((c) => c.close().catch(() => {})));
      await kill("SIGTERM");
    }
    const m = (xs: number[]) => median(xs).toFixed(1);
    table(
      Object.entries(rows).map(([name, r]) => ({
        endpoint: name === "share" ? "/share/fixture (session mode)" : "/mcp (the bridge's own)",
        "connect (ms)": m(r.connect),
        "first call (ms)": m(r.before),
        "connect + first call": m(r.connect.map((c, i) => c + r.before[i]!)),
        "first call after a restart": m(r.after),
        "after / first call": (median(r.after) / median(r.before)).toFixed(2),
      })),
    );
    let ok = true;
    for (const [name, r] of Object.entries(rows))
      ok =
        verdict(
          `${name}: first call after a restart / the first call before it`,
          median(r.after) / median(r.before),
          1.2,
        ) && ok;
    return { ok };
  } finally {
    await Promise.all(callers.map((c) => c.close().catch(() => {})));
    if (bridge && bridge.exitCode === null && bridge.signalCode === null) bridge.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
}
