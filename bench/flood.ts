/**
 * Another account's flood costs the user's clients nothing: while a process of
 * another user account floods the bridge's port (test/helpers/stranger-flood.ts: 1,000 held
 * connections, 32 requests with no credential at a time, 3,000 connections of its own swelling the
 * socket table), the user's client asks `GET /control/status` 40 times, each on a new connection;
 * its answered share and p95 beside the same 40 asked with no flood, on this build and (with
 * `--before`) another. Linux, as root (the flood runs as uid 65534).
 * Targets: ≥ 95 % answered, p95 < 1 s under the flood.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { nodeOutOfReach } from "../test/helpers/as-account.js";
import { BIN } from "../test/helpers/fake-machine.js";
import { p95, strangerFlood, userAsks } from "../test/helpers/stranger-flood.js";
import { table, verdict, waitFor } from "./_lib.js";
import { bridgeEnv } from "./_shared-fixture.js";

const ASKED = 40;
const STRANGER = 65534;

/** A bridge of `bin` in `dir`: its port and token, and how to stop it. */
async function bridge(bin: string, dir: string) {
  const state = path.join(dir, "state");
  const home = path.join(dir, "twin");
  mkdirSync(home, { recursive: true });
  const child: ChildProcess = spawn(process.execPath, [bin, "serve", "--http", "--port", "0"], {
    env: bridgeEnv(dir, home, state),
    stdio: "ignore",
  });
  const info = await waitFor("serve --http", () => {
    const i = JSON.parse(readFileSync(path.join(state, "serve.json"), "utf8")) as { port: number };
    return i.port ? i : undefined;
  });
  return {
    port: info.port,
    token: readFileSync(path.join(state, "token"), "utf8").trim(),
    stop: async () => {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** The user's asks alone, then under the flood, on a bridge of `bin`. */
async function measure(label: string, bin: string): Promise<Array<Record<string, string | number>>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bench-flood-"));
  const b = await bridge(bin, dir);
  try {
    const rows = [];
    for (const flooded of [false, true]) {
      const flood = flooded ? await strangerFlood(b.port, STRANGER) : undefined;
      try {
        const asked = await userAsks(b.port, b.token, ASKED);
        const answered = asked.filter((a) => a.status === 200);
        const failed = asked.filter((a) => a.status !== 200).map((a) => a.error ?? String(a.status));
        rows.push({
          build: label,
          flood: flooded ? "another account's" : "none",
          answered: `${answered.length}/${asked.length}`,
          "not answered": [...new Set(failed)].join(", ") || "-",
          "p95 ms": p95(asked.map((a) => a.ms)).toFixed(0),
        });
      } finally {
        await flood?.stop();
      }
    }
    return rows;
  } finally {
    await b.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<{ ok: boolean }> {
  const skip =
    process.platform !== "linux"
      ? "not Linux"
      : process.getuid?.() !== 0
        ? "not root: the flood cannot run as another account"
        : nodeOutOfReach();
  if (skip) {
    console.log(`skipped: ${skip}`);
    return { ok: true };
  }
  console.log(
    `the user's ${ASKED} requests (each on a new connection), alone and under another account's flood; load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  const before = process.env.BENCH_BEFORE_BIN;
  const rows = [...(before ? await measure("before", before) : []), ...(await measure("this", BIN))];
  table(rows);
  const mine = rows.at(-1)!;
  const [answered = 0, asked = 1] = String(mine.answered).split("/").map(Number);
  return {
    ok: [
      verdict("answered under the flood (%)", (100 * answered) / asked, 95, false),
      verdict("p95 under the flood (ms)", Number(mine["p95 ms"]), 1000),
    ].every(Boolean),
  };
}
