/**
 * The SDK server a client of the gateway's `/tools` talks to: tools only, `tools/list` and
 * `tools/call` answered by on-demand.ts; one per 2025-11-25 session or 2026-07-28 request.
 */
import { type CallToolResult, Server, type Tool } from "@modelcontextprotocol/server";
import { VERSION } from "../../version.js";
import { zodValidator } from "../text/json-schema-validator.js";
import { type OnDemand, onDemandCall, onDemandTools } from "./search-and-call.js";

/** Its name in the handshake: what the client's tool list of the `tools` entry comes from. */
const SERVER_INFO = { name: "mcp-twin-tools", version: VERSION };

/**
 * The low-level `Server`, as the bridge's own: the SDK checks each request's shape (a call naming
 * its tool with anything but a string is refused before it reaches here, in either era).
 */
export function onDemandServer(o: OnDemand): Server {
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: {} },
    instructions: "search_tools finds the tools of the servers behind this one; call_tool calls one.",
    jsonSchemaValidator: zodValidator,
  });
  // The servers' own tool definitions and results, passed on as they wrote them.
  server.setRequestHandler("tools/list", () => ({ tools: onDemandTools(o) as Tool[] }));
  server.setRequestHandler(
    "tools/call",
    async (request) =>
      (await onDemandCall(o, request.params.name, request.params.arguments)) as CallToolResult,
  );
  return server;
}
