/**
 * `mcp-twin tools`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, value } from "./shared/command.js";

export const toolsCommand = commandLine({
  name: "tools",
  description:
    "per client: the servers and tools it loads, their size in tokens, what it defers, its limit; each server's pinned tools",
  flags: {
    timeout: value("--timeout <seconds>", "how long a server not listed yet may take to answer (default 10)"),
    approve: value(
      "--approve <server>",
      "show what changed in the server's tools since they were approved (a word diff, and what the scan flags) and approve it",
    ),
  },
  shared: {
    json: true,
    yes: "with --approve: approve the change as shown without asking",
    manifest: true,
    env: true,
    client: true,
    project: true,
  },
});
