/**
 * The real Qwen Code CLI for opt-in tests (`@qwen-code/qwen-code`, installed by real-cli.ts with a
 * Node.js 22 from the registry's `node` package), and `qwen mcp list`, which connects to each server.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { type RealCli, realCli } from "./real-cli.js";

const QWEN_VERSION = "0.24.4";
// Qwen Code 0.24 needs Node.js 22 (on 20, npm quietly installs 0.15.10 instead).
const NODE_VERSION = "22.23.3";

/** The CLI, with the folder of the Node.js it runs on (put first on PATH when it runs). */
export function qwenCli(): (RealCli & { nodeDir?: string }) | { reason: string } {
  const node = realCli({
    pkg: "node",
    version: NODE_VERSION,
    command: "node",
    binVariable: "MCP_TWIN_NODE22_BIN",
  });
  if ("reason" in node) return { reason: `Node.js ${NODE_VERSION} for Qwen Code: ${node.reason}` };
  const nodeDir = path.dirname(node.bin);
  const qwen = realCli({
    pkg: "@qwen-code/qwen-code",
    version: QWEN_VERSION,
    command: "qwen",
    binVariable: "MCP_TWIN_QWEN_BIN",
    pathFirst: nodeDir,
  });
  return "reason" in qwen ? qwen : { ...qwen, nodeDir };
}

/** `qwen mcp list` in `cwd` with `home` as HOME (and no QWEN_HOME): what it printed. */
export function qwenMcpList(
  cli: { bin: string; nodeDir?: string },
  home: string,
  cwd: string,
  env: Record<string, string> = {},
): Promise<string> {
  const PATH = [cli.nodeDir, env.PATH, process.env.PATH].filter(Boolean).join(path.delimiter);
  const { QWEN_HOME: _own, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    execFile(
      cli.bin,
      ["mcp", "list"],
      { encoding: "utf8", timeout: 120_000, cwd, env: { ...inherited, ...env, HOME: home, PATH } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}${stderr}`)) : resolve(`${stdout}${stderr}`),
    );
  });
}
