/**
 * How the SDK's server encodes a `tools/call` or `prompts/get` result in 2026-07-28, for the fast
 * lanes that answer past it (gateway/modern-fast.ts, own-fast.ts): neither result is cacheable.
 */
import { SERVER_INFO_META_KEY } from "@modelcontextprotocol/server";

type Json = Record<string, unknown>;

const isPlain = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The result stamped as the SDK stamps it: `resultType`, and the server's identity in `_meta`. */
export function encodeModernResult(result: Json, serverInfo: Json): Json {
  let out = result.resultType === undefined ? { ...result, resultType: "complete" } : result;
  if (isPlain(out.capabilities) && "tasks" in out.capabilities) {
    const { tasks: _, ...capabilities } = out.capabilities;
    out = { ...out, capabilities };
  }
  const meta = out._meta;
  if (meta === undefined) return { ...out, _meta: { [SERVER_INFO_META_KEY]: serverInfo } };
  if (!isPlain(meta) || meta[SERVER_INFO_META_KEY] !== undefined) return out;
  return { ...out, _meta: { ...meta, [SERVER_INFO_META_KEY]: serverInfo } };
}
