/**
 * The real Claude Code CLI for opt-in tests (`@anthropic-ai/claude-code`, installed by
 * real-cli.ts), and `claude mcp list`, which health-checks every configured server.
 */
import { execFile } from "node:child_process";
import { type RealCli, realCli } from "./real-cli.js";

const CLAUDE_VERSION = "2.1.332";

export type ClaudeCli = RealCli;

export function claudeCli(): ClaudeCli {
  return realCli({
    pkg: "@anthropic-ai/claude-code",
    version: CLAUDE_VERSION,
    command: "claude",
    binVariable: "MCP_TWIN_CLAUDE_BIN",
  });
}

/**
 * `claude mcp list` (it starts every configured server and reports each one's health). Not a
 * synchronous call: the servers it reaches may be served by this very test process.
 */
export function claudeMcpList(bin: string, env: Record<string, string>, cwd: string): Promise<string> {
  return claude(bin, ["mcp", "list"], env, cwd);
}

/** `claude <args>`: its stdout (it may reach servers served by this very test process). */
export function claude(
  bin: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      args,
      {
        encoding: "utf8",
        timeout: 120_000,
        env: { ...env, PATH: `${env.PATH ?? ""}:${process.env.PATH ?? ""}` },
        cwd,
      },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}${stderr}`)) : resolve(stdout),
    );
  });
}
