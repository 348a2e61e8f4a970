/**
 * The real Factory Droid CLI for opt-in tests (`@factory/cli` and its platform binary, installed
 * by real-cli.ts): its own `droid mcp list`, which connects to every server of its files, no login.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { type RealCli, realCli } from "./real-cli.js";

const CLI_VERSION = "0.225.1";
// The registry's only build of the platform binary near 0.225.1 (`droid --version` says 0.225.2).
const BINARY_VERSION = "0.225.2";

export function droidCli(): RealCli {
  return realCli({
    pkg: "@factory/cli",
    version: CLI_VERSION,
    command: "droid",
    binVariable: "MCP_TWIN_DROID_BIN",
    also: [`@factory/cli-${process.platform}-${process.arch}@${BINARY_VERSION}`],
  });
}

/**
 * `droid mcp list` with this HOME (its ~/.factory) from this folder; its stdout. Not synchronous:
 * servers of this test process (an SSE remote) must answer while it waits.
 */
export async function droidList(
  bin: string,
  home: string,
  cwd: string,
  env: Record<string, string> = {},
): Promise<string> {
  // A fresh log for this run: droidConnections reads what this run recorded.
  rmSync(droidLog(home), { force: true });
  const { stdout } = await promisify(execFile)(bin, ["mcp", "list"], {
    encoding: "utf8",
    timeout: 120_000,
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: home, FACTORY_DROID_AUTO_UPDATE_ENABLED: "false", ...env },
  });
  return stdout;
}

/** Each server's line of `droid mcp list`: name → its status ("connected", "failed: …") and source. */
export function droidStatuses(
  stdout: string,
): Record<string, { type: string; status: string; source: string }> {
  const out: Record<string, { type: string; status: string; source: string }> = {};
  for (const line of stdout.split("\n")) {
    const m = /^ {2}(\S+) {2}(\S+) {2}(.*?) {2}\[(\w+)\]\s*$/.exec(line);
    if (m?.[1] && m[2] && m[3] && m[4]) out[m[1]] = { type: m[2], status: m[3], source: m[4] };
  }
  return out;
}

function droidLog(home: string): string {
  return path.join(home, ".factory", "logs", "droid-log-single.log");
}

/**
 * The servers droid's own log says it connected to in its last run (`[McpHub] MCP server
 * connected`): `droid mcp list` prints each status at a deadline of its own, and on a loaded
 * machine a stdio server that connects a second later is printed "connecting".
 */
export function droidConnections(home: string): string[] {
  const file = droidLog(home);
  if (!existsSync(file)) return [];
  return [
    ...readFileSync(file, "utf8").matchAll(/\[McpHub\] MCP server connected \| Context: \{"name":"([^"]+)"/g),
  ].flatMap((m) => (m[1] ? [m[1]] : []));
}
