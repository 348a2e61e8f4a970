/**
 * JetBrains Junie (its IDE plugin and CLI): ~/.junie/mcp/mcp.json, stdio entries only (remote
 * servers get the relay). Facts: docs/clients.md (sources there).
 */
import { defineClient } from "./define-client.js";
import { commandEntry } from "./entry-shapes.js";
import { NO_EXPANSION } from "./variables.js";

const FILE = { base: "home", path: [".junie", "mcp", "mcp.json"], presentIf: [[".junie"]] } as const;

/**
 * Sources: JetBrains/junie-github-action src/mcp/prepare-mcp-config.ts@f5fa65a (JetBrains' own
 * writer: `<home>/.junie/mcp/mcp.json`, `mcpServers` of `{command, args, env}`, a remote server
 * through a stdio bridge), https://www.jetbrains.com/help/junie/model-context-protocol-mcp.html
 * ("Junie supports only MCP servers that use the stdio transport").
 * Not verified, so not used: a project `.junie/mcp/mcp.json` and url entries (only third parties
 * quote Junie CLI's docs for them), whether it expands variables, reads comments, or a timeout.
 * Tool rules (issue 55): none documented in the file (approval is the IDE's Action Allowlist).
 */
export const junie = defineClient({
  id: "junie",
  name: "Junie",
  files: { windows: FILE, wsl: FILE, macos: FILE, linux: FILE },
  serversPath: ["mcpServers"],
  docs: {
    where: "Windows, WSL, macOS, Linux (its IDE plugin and CLI)",
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
  entry: { stdio: (launch) => commandEntry(launch) },
  // Its IDE plugin (a window) and its CLI: each session reads the file when it starts.
  app: "editor",
  newSessionToApply: true,
  processes: { windows: [], posix: [] },
  variables: NO_EXPANSION,
});
