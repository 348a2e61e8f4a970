/**
 * The real Claude Code CLI for opt-in tests: `@anthropic-ai/claude-code` ships its binary as a
 * registry package, so it installs with npm into a cache folder (reused across runs). Opt in with
 * MCP_TWIN_REAL_CLIENTS=1 (installs it; needs the npm registry) or MCP_TWIN_CLAUDE_BIN=<a claude
 * binary>. Otherwise, and when it cannot be had, the reason says why the tests are skipped.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const CLAUDE_VERSION = "2.1.330";

export type ClaudeCli = { bin: string; version: string } | { reason: string };

export function claudeCli(): ClaudeCli {
  let bin = process.env.MCP_TWIN_CLAUDE_BIN;
  if (!bin) {
    if (process.env.MCP_TWIN_REAL_CLIENTS !== "1")
      return {
        reason: `opt-in: set MCP_TWIN_REAL_CLIENTS=1 (installs @anthropic-ai/claude-code@${CLAUDE_VERSION} from the npm registry) or MCP_TWIN_CLAUDE_BIN=<claude binary>`,
      };
    const prefix = path.join(os.tmpdir(), `mcp-twin-claude-cli-${CLAUDE_VERSION}`);
    bin = path.join(prefix, "bin", "claude");
    if (!existsSync(bin)) {
      mkdirSync(prefix, { recursive: true });
      try {
        execFileSync(
          "npm",
          ["install", "-g", "--prefix", prefix, `@anthropic-ai/claude-code@${CLAUDE_VERSION}`],
          {
            stdio: "pipe",
            timeout: 300_000,
            env: {
              ...process.env,
              ...(process.env.MCP_TWIN_NPM_REGISTRY
                ? { npm_config_registry: process.env.MCP_TWIN_NPM_REGISTRY }
                : {}),
            },
          },
        );
      } catch (error) {
        const why = String((error as { stderr?: Buffer }).stderr ?? error)
          .split("\n")
          .find((l) => /ERR|error/i.test(l));
        return {
          reason: `@anthropic-ai/claude-code@${CLAUDE_VERSION} could not be installed (no network?): ${why ?? "npm failed"}`,
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

/**
 * `claude mcp list` (it starts every configured server and reports each one's health). Not a
 * synchronous call: the servers it reaches may be served by this very test process.
 */
export function claudeMcpList(bin: string, env: Record<string, string>, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      ["mcp", "list"],
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
