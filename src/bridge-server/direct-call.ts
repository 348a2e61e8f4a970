/**
 * What the fast lanes past the SDK's server (gateway/pass-through-call.ts, own-tool-call.ts) share: an ordinary
 * 2026-07-28 call's params, and its result encoded as the SDK's server encodes it.
 */
import { SERVER_INFO_META_KEY } from "@modelcontextprotocol/server";

type Json = Record<string, unknown>;

export const isPlain = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The members an ordinary call's params may have; anything else (an extension, a retry's state) is the SDK's. */
const ORDINARY = new Set(["name", "arguments", "_meta"]);

/** A call's params when they are ordinary: a name, an envelope, perhaps arguments, nothing else. */
export function ordinaryParams(message: unknown): (Json & { name: string; _meta: Json }) | undefined {
  const params = (message as { params?: unknown }).params;
  if (!isPlain(params) || typeof params.name !== "string" || !isPlain(params._meta)) return undefined;
  for (const key of Object.keys(params)) if (!ORDINARY.has(key)) return undefined;
  return params as Json & { name: string; _meta: Json };
}

/**
 * A `tools/call` or `prompts/get` result stamped as the SDK stamps it in 2026-07-28: `resultType`,
 * and the server's identity in `_meta` (neither result is cacheable, so no cache hints). The result
 * given is left as it was.
 */
export function encodeAsSdk(result: Json, serverInfo: Json): Json {
  return stampAsSdk({ ...result }, serverInfo);
}

/**
 * encodeAsSdk on a result the caller owns (parsed from a server's answer just now): stamped
 * in place, the same members in the same order, its nested objects left as they were.
 */
export function stampAsSdk(result: Json, serverInfo: Json): Json {
  if (result.resultType === undefined) result.resultType = "complete";
  if (isPlain(result.capabilities) && "tasks" in result.capabilities) {
    const { tasks: _, ...capabilities } = result.capabilities;
    result.capabilities = capabilities;
  }
  const meta = result._meta;
  if (meta === undefined) result._meta = { [SERVER_INFO_META_KEY]: serverInfo };
  else if (isPlain(meta) && meta[SERVER_INFO_META_KEY] === undefined)
    result._meta = { ...meta, [SERVER_INFO_META_KEY]: serverInfo };
  return result;
}
