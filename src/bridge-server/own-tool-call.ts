/**
 * The fast lane of an ordinary 2026-07-28 `tools/call` to one of the bridge's own tools (plugins'
 * too): the tool run as the SDK's server runs it (session-server.ts), its answer encoded as it does.
 */
import { CLIENT_INFO_META_KEY, type JSONRPCMessage } from "@modelcontextprotocol/server";
import { BRIDGE_SERVER_NAME } from "../core/bridge-link/index.js";
import { RPC } from "../core/jsonrpc/codes.js";
import { VERSION } from "../version.js";
import type { DirectCall } from "./connection-server.js";
import { encodeAsSdk, isPlain, ordinaryParams } from "./direct-call.js";
import { callTool, type ToolSet } from "./session-server.js";

const SERVER_INFO = { name: BRIDGE_SERVER_NAME, version: VERSION };

/**
 * The call, when the lane may take it: the envelope was checked by the SDK's classification and
 * the headers by connectionServerTakes (connection-server.ts); the tool exists (an unknown name is the SDK server's
 * JSON-RPC error) and the arguments are an object or absent. Otherwise undefined.
 */
export function ownToolCall(tools: ToolSet, message: JSONRPCMessage): DirectCall | undefined {
  // connectionServerTakes let through requests only: the narrowing is for the types.
  if (!("method" in message) || !("id" in message)) return undefined;
  const m = message;
  const params = m.method === "tools/call" ? ordinaryParams(m) : undefined;
  if (!params || (params.arguments !== undefined && !isPlain(params.arguments))) return undefined;
  if (!tools.get(params.name)) return undefined;
  const named = (params._meta[CLIENT_INFO_META_KEY] as { name?: unknown } | undefined)?.name;
  // A server built for one 2026-07-28 request knows no client but the envelope's.
  const client = typeof named === "string" ? named : "unknown";
  const { name, arguments: args } = params;
  const { id } = m;
  return (send, stop) =>
    // The tool's AbortSignal is made when its handler asks for it (most never do).
    void callTool(tools, name, args, {
      client,
      get signal() {
        return stop.signal;
      },
    }).then(
      (result) => {
        // A call the client cancelled gets no answer; the members go in the SDK server's order,
        // so the bytes are its bytes too.
        if (!stop.aborted)
          send({ result: encodeAsSdk(result, SERVER_INFO), jsonrpc: "2.0", id } as JSONRPCMessage);
      },
      (error: unknown) => {
        if (stop.aborted) return;
        send({
          jsonrpc: "2.0",
          id,
          error: {
            code: RPC.internalError,
            message: error instanceof Error ? error.message : "Internal error",
          },
        } as JSONRPCMessage);
      },
    );
}
