/**
 * `mcp-twin connect`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, list, noFlag, value } from "./shared/command.js";

export const connectCommand = commandLine({
  name: "connect",
  description:
    "relay stdio ⇄ Streamable HTTP (or SSE), so a stdio-only client (Claude Desktop) can use the bridge or any remote MCP server",
  args: [{ name: "<url>", description: "the server's URL, e.g. http://127.0.0.1:7760/mcp" }],
  flags: {
    header: list("--header <header>", 'send "Name: value" (repeatable; ${VAR} is read from the environment)'),
    tokenFile: value("--token-file <file>", "send the bearer token in this file"),
    start: noFlag("--no-start", "do not start the local bridge when nothing answers"),
    transport: value(
      "--transport <transport>",
      "how the server speaks: http (Streamable HTTP, default) or sse",
    ),
    auth: value(
      "--auth <server>",
      "send mcp-twin's login to this manifest server (`mcp-twin login <server>`), renewing it",
    ),
    as: value(
      "--as <env:client>",
      "to a shared server: present this client's own credential, so the bridge keeps its tool rules (sync writes it)",
    ),
  },
  shared: {},
});
