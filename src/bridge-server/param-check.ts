/**
 * The check of a 2026-07-28 `tools/call` the SDK does not check (its servers here are low-level):
 * its `Mcp-Param-*` headers against its arguments, by the tool's `x-mcp-header` declarations.
 */
import type { IncomingHttpHeaders } from "node:http";
import { RPC } from "../core/jsonrpc/codes.js";
import {
  envelopeVersion,
  learnMirrors,
  type ParamHeader,
  paramMismatch,
} from "../core/jsonrpc/envelope-headers.js";
import { headerOf, requestIdOf } from "./http-guards.js";

/** The declarations of each listed tool that has some, read once per tools/list result. */
const read = new WeakMap<object, Map<string, readonly ParamHeader[]>>();

function mirrorsOf(list: object): Map<string, readonly ParamHeader[]> {
  let mirrors = read.get(list);
  if (!mirrors) {
    mirrors = new Map();
    learnMirrors(list, mirrors);
    read.set(list, mirrors);
  }
  return mirrors;
}

interface Call {
  id?: unknown;
  method?: unknown;
  params?: { name?: unknown; arguments?: unknown; _meta?: Record<string, unknown> };
}

/**
 * Whether the message is a call the check is for: a 2026-07-28 `tools/call` whose envelope the
 * SDK's own checks pass (the others get the SDK's answer, which comes first in its order).
 */
export function checkedCall(message: unknown): boolean {
  const m = message as Call | undefined;
  if (typeof m !== "object" || m === null || m.method !== "tools/call" || m.id === undefined) return false;
  const caps = m.params?._meta?.["io.modelcontextprotocol/clientCapabilities"];
  return (
    envelopeVersion(m.params as Record<string, unknown>) === "2026-07-28" &&
    typeof caps === "object" &&
    caps !== null &&
    typeof m.params?.name === "string"
  );
}

/**
 * Why the call's headers disagree with its body (a `400`, `-32020` HeaderMismatch, as the spec
 * words it and the SDK answers for its own servers), or undefined: they agree, or the tool is not
 * in `list` (a tools/list result) — a header not known to be a mirror is passed on, as the spec has it.
 */
export function paramRefusal(
  list: unknown,
  message: unknown,
  headers: IncomingHttpHeaders | Headers,
): { message: string; data: { mismatch: { header: string; body: string } } } | undefined {
  if (typeof list !== "object" || list === null || !checkedCall(message)) return undefined;
  const { params } = message as Call;
  const mirrored = mirrorsOf(list).get(params?.name as string);
  const fault = mirrored && paramMismatch(mirrored, params?.arguments, (name) => headerOf(headers, name));
  if (!fault) return undefined;
  return {
    message: `Bad Request: the request headers and body disagree: ${fault.why}`,
    data: { mismatch: { header: fault.header, body: fault.why } },
  };
}

/** The refusal as an HTTP answer: 400, the JSON-RPC error under the request's id. */
export const refusalResponse = (refusal: NonNullable<ReturnType<typeof paramRefusal>>, message: unknown) =>
  errorResponse(400, message, { code: RPC.headerMismatch, message: refusal.message, data: refusal.data });

/** A JSON-RPC error as an HTTP answer, under the id of the request `body` (requestIdOf). */
export function errorResponse(
  status: number,
  body: unknown,
  error: { code: number; message: string; data?: unknown },
  headers?: Record<string, string>,
): Response {
  return Response.json({ jsonrpc: "2.0", id: requestIdOf(body), error }, { status, headers });
}
