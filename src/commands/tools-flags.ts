/**
 * `mcp-twin tools`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, value } from "./shared/command.js";

export const toolsCommand = commandLine({
  name: "tools",
  description: "per client: the servers and tools it loads, their size in tokens, what it defers, its limit",
  flags: {
    timeout: value("--timeout <seconds>", "how long a server not listed yet may take to answer (default 10)"),
  },
  shared: { json: true, manifest: true, env: true, client: true, project: true },
});
