/**
 * The SDK server a client of the gateway's `/tools` talks to: tools only, `tools/list` and
 * `tools/call` answered by search-and-call.ts; one per 2025-11-25 session or 2026-07-28 request.
 */
import {
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  SERVER_INFO_META_KEY,
  Server,
  type ServerContext,
  type Tool,
} from "@modelcontextprotocol/server";
import { VERSION } from "../../version.js";
import { zodValidator } from "../text/json-schema-validator.js";
import { type OnDemand, onDemandCall, onDemandTools, type Via } from "./search-and-call.js";

/** Its name in the handshake: what the client's tool list of the `tools` entry comes from. */
const SERVER_INFO = { name: "mcp-twin-tools", version: VERSION };

/**
 * The low-level `Server`, as the bridge's own: the SDK checks each request's shape (a call naming
 * its tool with anything but a string is refused before it reaches here, in either era).
 */
export function onDemandServer(find: () => OnDemand | undefined): Server {
  const o = () => {
    const found = find();
    if (!found)
      throw new Error(
        "Forbidden: this client's token no longer names a client the manifest's toolSearch names",
      );
    return found;
  };
  const server = new Server(SERVER_INFO, {
    capabilities: { tools: { listChanged: true } },
    instructions: "search_tools finds the tools of the servers behind this one; call_tool calls one.",
    jsonSchemaValidator: zodValidator,
  });
  // The servers' own tool definitions and results, passed on as they wrote them.
  server.setRequestHandler("tools/list", () => ({ tools: onDemandTools(o()) as Tool[] }));
  server.setRequestHandler("tools/call", async (request, ctx) => {
    const { name, arguments: args } = request.params;
    return unstamped(await onDemandCall(o(), name, args, viaOf(server, ctx))) as CallToolResult;
  });
  return server;
}

/**
 * Every call goes on as a 2026-07-28 request with its client's envelope — a 2025-11-25 session's
 * made of what its initialize said — so a server's question (elicitation, sampling, roots) comes
 * back as `input_required`: a 2026-07-28 client answers it and sends the call again; for a
 * 2025-11-25 one the SDK asks it on the call's stream and calls the handler again with the answers.
 */
function viaOf(server: Server, ctx: ServerContext): Via {
  const { envelope, _meta, inputResponses } = ctx.mcpReq;
  const info = server.getClientVersion();
  const meta = {
    ..._meta,
    ...(envelope ?? {
      [PROTOCOL_VERSION_META_KEY]: "2026-07-28",
      [CLIENT_CAPABILITIES_META_KEY]: server.getClientCapabilities() ?? {},
      ...(info ? { [CLIENT_INFO_META_KEY]: info } : {}),
    }),
  };
  const state = ctx.mcpReq.requestState();
  return {
    _meta: meta,
    ...(inputResponses ? { inputResponses } : {}),
    ...(typeof state === "string" ? { requestState: state } : {}),
  };
}

/**
 * A server's result without what marks it as that server's answer in 2026-07-28 (`resultType:
 * "complete"`, its `serverInfo`): this server's SDK stamps its own, in the client's era.
 */
function unstamped(result: Record<string, unknown>): Record<string, unknown> {
  const { resultType, _meta, ...rest } = result;
  const { [SERVER_INFO_META_KEY]: _, ...meta } = (_meta ?? {}) as Record<string, unknown>;
  return {
    ...rest,
    ...(resultType === "complete" || resultType === undefined ? {} : { resultType }),
    ...(Object.keys(meta).length > 0 ? { _meta: meta } : {}),
  };
}
