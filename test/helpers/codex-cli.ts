/**
 * The real Codex CLI for opt-in tests (`@openai/codex`, installed by real-cli.ts), and what the
 * tests ask of it: `codex <args>` with its own CODEX_HOME, and its MCP servers' status.
 */
import { execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { type RealCli, realCli } from "./real-cli.js";

const CODEX_VERSION = "0.169.0";

export type CodexCli = RealCli;

export function codexCli(): CodexCli {
  return realCli({
    pkg: "@openai/codex",
    version: CODEX_VERSION,
    command: "codex",
    binVariable: "MCP_TWIN_CODEX_BIN",
  });
}

/** `codex <args>` with CODEX_HOME (and HOME) set; its stdout. */
export function runCodex(bin: string, codexHome: string, args: string[]): string {
  return execFileSync(bin, args, {
    encoding: "utf8",
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? "", HOME: path.dirname(codexHome), CODEX_HOME: codexHome },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export interface McpServerStatus {
  name: string;
  serverInfo: { name: string; version: string } | null;
  tools: Record<string, { name: string }>;
  toolsError: string | null;
  /** The `_meta` of its tools/list result (2026-07-28 results carry the server's identity there). */
  toolListMeta?: Record<string, unknown> | null;
}

/**
 * Ask Codex itself to start every configured server and list its tools: `codex app-server`
 * (JSON-RPC on stdio), `initialize`, then `mcpServerStatus/list`. `o.flags`: before `app-server`
 * (`--enable <feature>`); `o.env`: more variables (a bearer token's).
 */
export async function codexServerStatus(
  bin: string,
  codexHome: string,
  timeoutMs = 60_000,
  /** Codex's flags (`--enable mcp_2026_07_28`), more of its environment (PWD, as a shell sets it), and the folder it starts in. */
  o: { flags?: string[]; env?: Record<string, string>; cwd?: string } = {},
): Promise<McpServerStatus[]> {
  const child = spawn(bin, [...(o.flags ?? []), "app-server"], {
    env: { PATH: process.env.PATH ?? "", HOME: path.dirname(codexHome), CODEX_HOME: codexHome, ...o.env },
    ...(o.cwd ? { cwd: o.cwd } : {}),
    stdio: ["pipe", "pipe", "ignore"],
  });
  const pending = new Map<number, (m: { result?: unknown; error?: { message: string } }) => void>();
  let buffer = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    for (let nl = buffer.indexOf("\n"); nl !== -1; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      const message = JSON.parse(line) as { id?: number; result?: unknown; error?: { message: string } };
      if (typeof message.id === "number") pending.get(message.id)?.(message);
    }
  });
  let next = 0;
  const request = (method: string, params: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++next;
      pending.set(id, (m) => (m.error ? reject(new Error(m.error.message)) : resolve(m.result)));
      child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    });
  const timer = setTimeout(() => child.kill(), timeoutMs);
  try {
    await request("initialize", {
      clientInfo: { name: "mcp-twin-test", version: "0.0.0" },
      capabilities: null,
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: "2.0", method: "initialized" })}\n`);
    const result = (await request("mcpServerStatus/list", {})) as { data: McpServerStatus[] };
    return result.data;
  } finally {
    clearTimeout(timer);
    child.kill();
  }
}
