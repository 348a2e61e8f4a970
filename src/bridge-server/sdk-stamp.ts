/**
 * A 2026-07-28 result stamped as the SDK's server stamps it, for the routes that answer past it
 * (gateway/share-call.ts, for the shares and the bridge's own `/mcp`).
 */
import { SERVER_INFO_KEY } from "../core/jsonrpc/envelope-headers.js";
import { isPlain } from "../core/plain-records.js";

type Json = Record<string, unknown>;

/**
 * A `tools/call` or `prompts/get` result the caller owns (parsed from a server's answer just now, or
 * a copy) stamped as the SDK stamps it in 2026-07-28, in place: `resultType`, and the server's
 * identity in `_meta` (neither result is cacheable, so no cache hints); the same members in the same
 * order, its nested objects left as they were.
 */
export function stampAsSdk(result: Json, serverInfo: Json): Json {
  if (result.resultType === undefined) result.resultType = "complete";
  if (isPlain(result.capabilities) && "tasks" in result.capabilities) {
    const { tasks: _, ...capabilities } = result.capabilities;
    result.capabilities = capabilities;
  }
  const meta = result._meta;
  if (meta === undefined) result._meta = { [SERVER_INFO_KEY]: serverInfo };
  else if (isPlain(meta) && meta[SERVER_INFO_KEY] === undefined)
    result._meta = { ...meta, [SERVER_INFO_KEY]: serverInfo };
  return result;
}
