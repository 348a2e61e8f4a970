/**
 * Launch speed: time to the first `tools/list` answer through the entry sync writes
 * (`<node> <absolute script>`), against the same server started as `npx -y <pkg>` with a warm npm
 * cache, and against the bare `node <script>` floor — side by side in one run. Needs the npm
 * registry (the real @modelcontextprotocol/server-memory), so it runs only with BENCH_NETWORK=1.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { BIN, runCli, writeManifest } from "../test/helpers/fake-machine.js";
import { median, table, verdict } from "./_lib.js";

const PACKAGE = "@modelcontextprotocol/server-memory";

async function timeToToolsList(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<number> {
  const start = process.hrtime.bigint();
  const transport = new StdioClientTransport({ command, args, env, stderr: "ignore" });
  const client = new Client({ name: "bench", version: "0" });
  await client.connect(transport);
  await client.listTools();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  await client.close();
  return ms;
}

export async function run(): Promise<{ ok: boolean }> {
  if (process.env.BENCH_NETWORK !== "1") {
    console.log("skipped: needs the npm registry (run with BENCH_NETWORK=1)");
    return { ok: true };
  }
  const root = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bench-launch-"));
  try {
    const home = path.join(root, "home");
    mkdirSync(home, { recursive: true });
    const env: Record<string, string> = {
      HOME: home,
      PATH: process.env.PATH ?? "",
      MCP_TWIN_HOME: path.join(root, "twin"),
      NPM_CONFIG_PREFIX: path.join(root, "prefix"),
      npm_config_cache: path.join(root, "npm-cache"),
      NO_COLOR: "1",
      // Keep this machine's certificate settings so npm still reaches its registry.
      ...Object.fromEntries(
        [
          "NODE_EXTRA_CA_CERTS",
          "SSL_CERT_FILE",
          "SSL_CERT_DIR",
          "HTTPS_PROXY",
          "HTTP_PROXY",
          "NO_PROXY",
        ].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])),
      ),
    };
    writeManifest({ paths: { home: env.MCP_TWIN_HOME! } } as never, {
      servers: { memory: { package: PACKAGE } },
    });
    const sync = await runCli(["sync", "--client", "claude-code"], env, home);
    if (sync.code !== 0) throw new Error(`sync failed: ${sync.stderr}`);
    const entry = JSON.parse(readFileSync(path.join(home, ".claude.json"), "utf8")).mcpServers.memory as {
      command: string;
      args: string[];
    };
    const script = entry.args[0]!;
    const memoryFile = { MEMORY_FILE_PATH: path.join(root, "memory.json") };

    // Warm npx's cache, as a user who has run it before would have.
    await timeToToolsList("npx", ["-y", PACKAGE], { ...env, ...memoryFile });

    // The written entry must not need the network: point npm and proxies at a dead port.
    const offline = {
      ...env,
      ...memoryFile,
      npm_config_registry: "http://127.0.0.1:9/",
      HTTPS_PROXY: "http://127.0.0.1:9",
      HTTP_PROXY: "http://127.0.0.1:9",
    };
    const rounds = 9;
    const results = { entry: [] as number[], npx: [] as number[], floor: [] as number[] };
    for (let i = 0; i < rounds; i++) {
      results.entry.push(await timeToToolsList(entry.command, entry.args, offline));
      results.npx.push(await timeToToolsList("npx", ["-y", PACKAGE], { ...env, ...memoryFile }));
      results.floor.push(await timeToToolsList(process.execPath, [script], { ...env, ...memoryFile }));
    }
    const entryMs = median(results.entry);
    table([
      { start: "entry written by sync (offline)", "median ms": entryMs.toFixed(0), "× entry": "1.00" },
      {
        start: `npx -y ${PACKAGE} (warm cache)`,
        "median ms": median(results.npx).toFixed(0),
        "× entry": (median(results.npx) / entryMs).toFixed(2),
      },
      {
        start: "bare node <script> (floor)",
        "median ms": median(results.floor).toFixed(0),
        "× entry": (median(results.floor) / entryMs).toFixed(2),
      },
    ]);
    console.log(`entry: ${entry.command} ${script}`);
    const ok = [
      verdict("npx -y / written entry", median(results.npx) / entryMs, 3, false),
      verdict("written entry / floor", entryMs / median(results.floor), 1.15),
    ];
    void BIN;
    return { ok: ok.every(Boolean) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
