/**
 * `mcp-twin search`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, registryFlag, value } from "./shared/command.js";

export const searchCommand = commandLine({
  name: "search",
  description: "search the MCP Registry (and the catalogue) for servers",
  args: [{ name: "<words...>", description: "what to look for, e.g. github, or web search" }],
  flags: {
    limit: value("--limit <n>", "at most this many registry servers (default 20)"),
    cursor: value("--cursor <cursor>", "continue a search where the last page ended"),
    registry: registryFlag(),
  },
  shared: { json: true },
});
