/**
 * The real Codex CLI for opt-in tests: `@openai/codex` ships its binary as a registry package, so
 * it installs with npm into a cache folder (reused across runs). Opt in with
 * MCP_TWIN_REAL_CLIENTS=1 (installs it; needs the npm registry) or MCP_TWIN_CODEX_BIN=<a codex
 * binary>. Otherwise, and when it cannot be had, the reason says why the tests are skipped.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const CODEX_VERSION = "0.169.0";

export type CodexCli = { bin: string; version: string } | { reason: string };

export function codexCli(): CodexCli {
  const given = process.env.MCP_TWIN_CODEX_BIN;
  let bin = given;
  if (!bin) {
    if (process.env.MCP_TWIN_REAL_CLIENTS !== "1")
      return {
        reason: `opt-in: set MCP_TWIN_REAL_CLIENTS=1 (installs @openai/codex@${CODEX_VERSION} from the npm registry) or MCP_TWIN_CODEX_BIN=<codex binary>`,
      };
    const prefix = path.join(os.tmpdir(), `mcp-twin-codex-cli-${CODEX_VERSION}`);
    bin = path.join(prefix, "bin", "codex");
    if (!existsSync(bin)) {
      mkdirSync(prefix, { recursive: true });
      try {
        execFileSync("npm", ["install", "-g", "--prefix", prefix, `@openai/codex@${CODEX_VERSION}`], {
          stdio: "pipe",
          timeout: 300_000,
          // npm's own registry setting (MCP_TWIN_NPM_REGISTRY overrides it).
          env: {
            ...process.env,
            ...(process.env.MCP_TWIN_NPM_REGISTRY
              ? { npm_config_registry: process.env.MCP_TWIN_NPM_REGISTRY }
              : {}),
          },
        });
      } catch (error) {
        const why = String((error as { stderr?: Buffer }).stderr ?? error)
          .split("\n")
          .find((l) => /ERR|error/i.test(l));
        return {
          reason: `@openai/codex@${CODEX_VERSION} could not be installed (no network?): ${why ?? "npm failed"}`,
        };
      }
    }
  }
  try {
    const out = execFileSync(bin, ["--version"], { encoding: "utf8", timeout: 30_000 });
    return { bin, version: out.trim() };
  } catch (error) {
    return { reason: `${bin} does not run here: ${(error as Error).message.split("\n")[0]}` };
  }
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
}

/**
 * Ask Codex itself to start every configured server and list its tools: `codex app-server`
 * (JSON-RPC on stdio), `initialize`, then `mcpServerStatus/list`.
 */
export async function codexServerStatus(
  bin: string,
  codexHome: string,
  timeoutMs = 60_000,
): Promise<McpServerStatus[]> {
  const child = spawn(bin, ["app-server"], {
    env: { PATH: process.env.PATH ?? "", HOME: path.dirname(codexHome), CODEX_HOME: codexHome },
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
