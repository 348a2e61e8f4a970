/**
 * JetBrains Junie (its IDE plugin and CLI): ~/.junie/mcp/mcp.json, stdio entries only (remote
 * servers get the relay). Facts: docs/clients.md (sources there).
 */
import { anyExists, inHome } from "./locate.js";
import { type ClientModule, stdioWithoutEmptyEnv, UNDOCUMENTED_STARTUP_TIMEOUT_MS } from "./types.js";
import { NO_EXPANSION } from "./variables.js";

/**
 * Sources: JetBrains/junie-github-action src/mcp/prepare-mcp-config.ts@f5fa65a (JetBrains' own
 * writer: `<home>/.junie/mcp/mcp.json`, `mcpServers` of `{command, args, env}`, a remote server
 * through a stdio bridge), https://www.jetbrains.com/help/junie/model-context-protocol-mcp.html
 * ("Junie supports only MCP servers that use the stdio transport").
 * Not verified, so not used: a project `.junie/mcp/mcp.json` and url entries (only third parties
 * quote Junie CLI's docs for them), whether it expands variables, reads comments, or a timeout.
 * Tool rules (issue 55): none documented in the file (approval is the IDE's Action Allowlist).
 */
export const junie: ClientModule = {
  id: "junie",
  name: "Junie",
  kinds: ["windows", "wsl", "macos", "linux"],
  serversPath: ["mcpServers"],
  docs: {
    where: "Windows, WSL, macOS, Linux (its IDE plugin and CLI)",
    file: "`~/.junie/mcp/mcp.json` (`%USERPROFILE%\\.junie\\mcp\\mcp.json` on Windows)",
    shapes: "`command`, `args`, `env`",
  },
  sources: [
    {
      fact: "JetBrains' own writer of the file: `<home>/.junie/mcp/mcp.json`, `mcpServers` of `command`, `args`, `env`, a remote server through a stdio bridge",
      url: "https://github.com/JetBrains/junie-github-action/blob/f5fa65aa0e471d3144a9bf73d06eaf1c5cb97962/src/mcp/prepare-mcp-config.ts",
    },
    {
      fact: '"Junie supports only MCP servers that use the stdio transport"',
      url: "https://www.jetbrains.com/help/junie/model-context-protocol-mcp.html",
    },
  ],
  async userConfig(env) {
    return {
      path: inHome(env, ".junie", "mcp", "mcp.json"),
      present: await anyExists(env, [inHome(env, ".junie")]),
    };
  },
  // No project file: mcp-twin writes values, never references, into its user file.
  referenceStyle: (name) => `\${${name}}`,
  stdioEntry: (launch) => stdioWithoutEmptyEnv(launch),
  restartToApply: false,
  newSessionToApply: true,
  // Its IDE plugin, started from the desktop, is the stricter case (no shell PATH).
  gui: true,
  startupTimeoutMs: () => UNDOCUMENTED_STARTUP_TIMEOUT_MS,
  processNames: { windows: [], posix: [] },
  reading: { variables: NO_EXPANSION },
};
