/**
 * A login costs the relay nothing on its hot path: the same `connect` relay to the OAuth fixture
 * (test/fixtures/oauth), once with mcp-twin's login (`--auth docs`, its token valid) and once with
 * the same token as a static header (`--header Authorization: …`): start to the first
 * `tools/list` and p50 per call, interleaved in one run (a login reads one file at start).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { startOAuthFixture } from "../test/fixtures/oauth/oauth-server.js";
import { BIN, createFakeMachine, writeManifest } from "../test/helpers/fake-machine.js";
import { BROWSER } from "../test/helpers/oauth.js";
import { median, table, verdict } from "./_lib.js";

const STARTS = 11;
const CALLS = 600;
const BLOCK = 50;

async function session(args: string[], env: Record<string, string>) {
  const started = process.hrtime.bigint();
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, ...args],
    env,
    stderr: "ignore",
  });
  const client = new Client({ name: "bench", version: "0" });
  await client.connect(transport);
  await client.listTools();
  return { client, startMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

export async function run(): Promise<{ ok: boolean }> {
  const fx = await startOAuthFixture();
  const m = createFakeMachine({ kind: "linux" });
  try {
    writeManifest(m, { servers: { docs: { url: fx.url } } });
    const login = await m.runBinary(["login", "docs"], { env: { BROWSER } });
    if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
    const token = JSON.parse(readFileSync(path.join(m.paths.home, "oauth", "docs.json"), "utf8")).tokens
      .access_token as string;
    const ways: Array<[string, string[], Record<string, string>]> = [
      ["connect --auth docs (mcp-twin's login)", ["connect", fx.url, "--auth", "docs"], m.env],
      [
        "connect --header (the same token, static)",
        // --no-start: a loopback /mcp is not taken for the bridge.
        ["connect", fx.url, "--header", "Authorization:${TOKEN}", "--no-start"],
        { ...m.env, TOKEN: `Bearer ${token}` },
      ],
    ];
    const starts = new Map<string, number[]>(ways.map(([name]) => [name, []]));
    const calls = new Map<string, number[]>(ways.map(([name]) => [name, []]));
    const kept: Array<{ name: string; client: Client }> = [];
    for (let i = 0; i < STARTS; i++)
      for (const [name, args, env] of ways) {
        const s = await session(args, env);
        starts.get(name)!.push(s.startMs);
        if (i === 0) kept.push({ name, client: s.client });
        else await s.client.close();
      }
    // Calls in blocks of BLOCK on each relay in turn: load on the machine falls on both alike.
    for (let c = 0; c < CALLS; c += BLOCK)
      for (const { name, client } of kept)
        for (let b = 0; b < BLOCK; b++) {
          const t = process.hrtime.bigint();
          await client.callTool({ name: "echo", arguments: { text: "x" } });
          calls.get(name)!.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
    for (const { client } of kept) await client.close();
    const rows = ways.map(([name]) => ({
      relay: name,
      "start → first tools/list (ms, median)": median(starts.get(name)!).toFixed(0),
      "p50 per call (ms)": median(calls.get(name)!).toFixed(2),
    }));
    table(rows);
    const [auth, plain] = ways.map(([name]) => name);
    const startRatio = median(starts.get(auth!)!) / median(starts.get(plain!)!);
    const callDelta = median(calls.get(auth!)!) - median(calls.get(plain!)!);
    const ok = [
      verdict("start with a login / with a static header", startRatio, 1.1),
      verdict("p50 per call with a login − with a static header (ms)", callDelta, 0.15),
    ].every(Boolean);
    return { ok };
  } finally {
    m.cleanup();
    await fx.close();
  }
}
