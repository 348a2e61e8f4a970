/**
 * The real GitHub Copilot CLI for opt-in tests (`@github/copilot`, installed by real-cli.ts): its
 * own `copilot mcp list`, and a session that starts every configured server, with no login.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type RealCli, realCli } from "./real-cli.js";

const COPILOT_VERSION = "1.0.102";

export function copilotCli(): RealCli {
  return realCli({
    pkg: "@github/copilot",
    version: COPILOT_VERSION,
    command: "copilot",
    binVariable: "MCP_TWIN_COPILOT_BIN",
  });
}

/**
 * Its environment: HOME (its ~/.copilot), no update check, and one package cache for every run
 * (it unpacks 235 MB of itself there on first start).
 */
function copilotEnv(home: string, more: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: home, ...copilotCacheEnv(), ...more };
}

/** One package cache for every run, and no update check (for a Copilot that doctor starts too). */
export function copilotCacheEnv(): Record<string, string> {
  const cache = path.join(os.tmpdir(), `mcp-twin-copilot-cache-${COPILOT_VERSION}`);
  mkdirSync(cache, { recursive: true });
  return { COPILOT_CACHE_HOME: cache, COPILOT_AUTO_UPDATE: "false" };
}

/** `copilot <args>` with this HOME; its stdout. */
export function runCopilot(bin: string, home: string, args: string[]): string {
  return execFileSync(bin, args, {
    encoding: "utf8",
    timeout: 120_000,
    env: copilotEnv(home),
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export interface CopilotServerOutcome {
  name: string;
  /** The server's tools as the session offered them to the model (empty: it did not connect). */
  tools: string[];
  /** Why it did not connect, as Copilot logged it. */
  error?: string;
}

/**
 * What a Copilot session made of each configured server: `copilot -p` in offline mode with a model
 * provider on a closed loopback port (no login, no network), which starts every server before it
 * asks the model; its debug log names each server's failure, and the tools it offered the model.
 */
export async function copilotSessionServers(
  bin: string,
  home: string,
  o: { cwd: string; deadPort: number; env?: Record<string, string> },
): Promise<{ servers: (name: string) => CopilotServerOutcome; log: string }> {
  const logDir = path.join(home, "copilot-test-logs");
  mkdirSync(logDir, { recursive: true });
  const child = spawn(
    bin,
    ["-p", "hi", "--allow-all-tools", "--model", "gpt-4o", "--log-level", "all", "--log-dir", logDir],
    {
      cwd: o.cwd,
      env: copilotEnv(home, {
        COPILOT_OFFLINE: "true",
        COPILOT_PROVIDER_BASE_URL: `http://127.0.0.1:${o.deadPort}/v1`,
        ...o.env,
      }),
      stdio: ["ignore", "ignore", "ignore"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error("copilot -p did not end within 180 s"));
    }, 180_000);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const log = readdirSync(logDir)
    .map((f) => readFileSync(path.join(logDir, f), "utf8"))
    .join("\n");
  const servers = (name: string): CopilotServerOutcome => {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const tools = [
      ...new Set(
        [...log.matchAll(new RegExp(`"${escaped}-([A-Za-z0-9_]+):[0-9a-f]+"`, "g"))].map((m) => m[1]!),
      ),
    ];
    const failed = log.match(
      new RegExp(`MCP server connection failed \\{"server_name":"${escaped}","raw_error":"([^"]*)"`),
    );
    return { name, tools, ...(failed ? { error: failed[1] } : {}) };
  };
  return { servers, log };
}
