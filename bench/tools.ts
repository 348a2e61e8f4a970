/**
 * `mcp-twin tools` against `mcp-twin status` on a home with 10 shared servers whose lists the
 * gateway has cached: tools answers within 1.5× status, and starts no server (each server's program
 * would leave a mark if started).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gatewayKey } from "../src/core/entries/gateway-key.js";
import { sharedIdentity } from "../src/core/entries/tool-lists.js";
import { interleave, median, table, timeOnce, verdict } from "./_lib.js";

const SERVERS = 10;
const TOOLS_EACH = 12;

export async function run(): Promise<{ ok: boolean }> {
  const repo = process.env.MCP_TWIN_REPO ?? process.cwd();
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-bench-tools-"));
  try {
    const home = path.join(dir, "twin");
    const state = path.join(dir, "state");
    const marks = path.join(dir, "started");
    mkdirSync(home, { recursive: true });
    mkdirSync(state, { recursive: true });
    mkdirSync(path.join(dir, ".cursor"), { recursive: true });
    mkdirSync(path.join(dir, ".gemini"), { recursive: true });
    writeFileSync(path.join(dir, ".claude.json"), "{}");
    // A server that only leaves a mark: started at all, and the bench fails.
    const script = path.join(dir, "server.mjs");
    writeFileSync(
      script,
      `import { mkdirSync } from "node:fs"; mkdirSync(${JSON.stringify(marks)}, { recursive: true });\n`,
    );
    const servers: Record<string, { command: string; args: string[]; share: "machine" }> = {};
    const cache: Record<string, unknown> = {};
    const now = new Date().toISOString();
    for (let i = 0; i < SERVERS; i++) {
      const spec = { command: process.execPath, args: [script, `--n=${i}`], share: "machine" as const };
      servers[`s${i}`] = spec;
      const tools = Array.from({ length: TOOLS_EACH }, (_, t) => ({
        name: `s${i}_tool${t}`,
        description: `Tool ${t} of server ${i}: does one thing with the path it is given, and says what it did.`,
        inputSchema: {
          type: "object",
          properties: { path: { type: "string", description: "Where" } },
          required: ["path"],
        },
      }));
      cache[`s${i}`] = {
        key: gatewayKey(sharedIdentity(spec, "linux", undefined)),
        era: "2025-11-25",
        eraCheckedAt: now,
        serverInfo: { name: `s${i}`, version: "1.0.0" },
        capabilities: { tools: {} },
        lists: { "tools/list": { tools } },
        updatedAt: now,
      };
    }
    writeFileSync(path.join(home, "mcp-twin.jsonc"), JSON.stringify({ servers }));
    writeFileSync(
      path.join(state, "shares-cache.json"),
      JSON.stringify({ version: 1, servers: cache, folders: {} }),
    );
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      MCP_TWIN_HOME: home,
      MCP_TWIN_BRIDGE_HOME: state,
      XDG_CONFIG_HOME: path.join(dir, ".config"),
      NO_COLOR: "1",
    };
    const bin = path.join(repo, "bin", "mcp-twin.js");
    const cli = (args: string[]) => () => timeOnce(process.execPath, [bin, ...args], { env, cwd: dir });
    // What is timed is tools answering from the gateway's cache: every server's list read there.
    const read = JSON.parse(
      execFileSync(process.execPath, [bin, "tools", "--json"], { env, cwd: dir, encoding: "utf8" }),
    ) as { clients: Array<{ servers: Array<{ server: string; tools: number; from: string }> }> };
    const cached = new Set(
      read.clients.flatMap((c) => c.servers.filter((s) => s.from === "cache" && s.tools === TOOLS_EACH)),
    );
    const listed = new Set([...cached].map((s) => s.server)).size;
    const all = listed === SERVERS;
    console.log(
      `${all ? "✔" : "✖"} servers whose list tools read from the gateway's cache: ${listed} of ${SERVERS}`,
    );
    const timed = interleave(
      [
        { name: "status", run: cli(["status"]) },
        { name: "tools", run: cli(["tools"]) },
      ],
      10,
    );
    table(timed.map((t) => ({ command: `mcp-twin ${t.name}`, "median ms": median(t.ms).toFixed(0) })));
    const [status, tools] = timed.map((t) => median(t.ms));
    const ratio = (tools ?? 0) / (status ?? 1);
    const fast = verdict("tools ÷ status (median)", ratio, 1.5);
    const started = existsSync(marks);
    console.log(`${started ? "✖" : "✔"} servers started by tools: ${started ? "some" : "none"}`);
    return { ok: fast && !started && all };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
