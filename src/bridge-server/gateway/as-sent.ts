/**
 * What the gateway passes on as the other end sent it, in the SDK's terms: JSON never rebuilt from
 * a schema, and a result handed on as its method's handler's.
 */
import type { HandlerResultTypeMap, RequestMethod } from "@modelcontextprotocol/server";

/** A result or notification params: passed through as JSON, never rebuilt from a schema. */
export type Json = Record<string, unknown>;

/**
 * Another end's result, answered by the handler of `method` (the SDK's server answering its
 * client, or its client answering its server) as it came: unread, not rebuilt.
 */
export function asResultOf<M extends RequestMethod>(_method: M, result: Json): HandlerResultTypeMap[M] {
  // The SDK types a handler's result by its method, narrower than the wire: what passes through is
  // the other end's (extensions, members of a newer revision) and is neither read nor checked here.
  return result as HandlerResultTypeMap[M];
}
