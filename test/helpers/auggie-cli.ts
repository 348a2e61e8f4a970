/**
 * The real Auggie (Augment's CLI) for opt-in tests (`@augmentcode/auggie`, installed by real-cli.ts),
 * and `auggie mcp list --json`, which lists the servers it read (it does not connect to them).
 */
import { execFile } from "node:child_process";
import { type RealCli, realCli } from "./real-cli.js";

const AUGGIE_VERSION = "0.36.0";

export function auggieCli(): RealCli {
  return realCli({
    pkg: "@augmentcode/auggie",
    version: AUGGIE_VERSION,
    command: "auggie",
    binVariable: "MCP_TWIN_AUGGIE_BIN",
  });
}

export interface AuggieServer {
  name: string;
  transport: string;
  command?: string;
  url?: string;
  enabled: boolean;
  source: string;
}

/** `auggie mcp list --json` with `home` as HOME, in `cwd`: the servers it lists (no login, no network). */
export function auggieMcpList(bin: string, home: string, cwd: string): Promise<AuggieServer[]> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      ["mcp", "list", "--json"],
      // No Augment API URL: it says it cannot fetch the tenant's servers (stderr) and lists the files'.
      { encoding: "utf8", timeout: 120_000, cwd, env: { ...process.env, HOME: home, USERPROFILE: home } },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stdout}${stderr}`));
        try {
          resolve((JSON.parse(stdout) as { servers: AuggieServer[] }).servers);
        } catch {
          reject(new Error(`not JSON:\n${stdout}${stderr}`));
        }
      },
    );
  });
}
