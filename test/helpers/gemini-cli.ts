/**
 * The real Gemini CLI for opt-in tests (`@google/gemini-cli`, installed by real-cli.ts), and
 * `gemini mcp list`, which connects to every configured server and reports each one's state.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type RealCli, realCli } from "./real-cli.js";

const GEMINI_VERSION = "0.61.0";

export function geminiCli(): RealCli {
  return realCli({
    pkg: "@google/gemini-cli",
    version: GEMINI_VERSION,
    command: "gemini",
    binVariable: "MCP_TWIN_GEMINI_BIN",
  });
}

/**
 * Mark a folder trusted as `gemini trust` does: ~/.gemini/trustedFolders.json maps its path to
 * TRUST_FOLDER. Gemini starts no stdio server in a folder that is not.
 */
export function trustFolder(home: string, folder: string): void {
  mkdirSync(path.join(home, ".gemini"), { recursive: true });
  writeFileSync(
    path.join(home, ".gemini", "trustedFolders.json"),
    JSON.stringify({ [folder]: "TRUST_FOLDER" }),
  );
}

/** `gemini mcp list` in `cwd` with `env` (HOME names the home it reads): its output. */
export function geminiMcpList(bin: string, env: Record<string, string>, cwd: string): Promise<string> {
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
        error ? reject(new Error(`${error.message}\n${stdout}${stderr}`)) : resolve(`${stdout}${stderr}`),
    );
  });
}
