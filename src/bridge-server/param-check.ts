/**
 * The check of a 2026-07-28 `tools/call` the SDK does not check (its servers here are low-level):
 * its `Mcp-Param-*` headers against its arguments, by the tool's `x-mcp-header` declarations.
 */
import type { IncomingHttpHeaders } from "node:http";
import { learnMirrors, type ParamHeader, paramMismatch } from "../core/jsonrpc/envelope-headers.js";
import { headerOf, requestIdOf } from "./http-guards.js";

/** The declarations of each listed tool that has some, read once per tools/list result. */
const read = new WeakMap<object, Map<string, readonly ParamHeader[]>>();

interface Call {
  params?: { name?: unknown; arguments?: unknown };
}

/**
 * Why a `tools/call`'s headers disagree with its body (a `400`, `-32020` HeaderMismatch, as the
 * spec words it and the SDK answers for its own servers), or undefined: they agree, or the tool is
 * not in `list` (a tools/list result) — a header not known to be a mirror is passed on, as the spec has it.
 */
export function paramRefusal(
  list: unknown,
  message: unknown,
  headers: IncomingHttpHeaders | Headers,
): { message: string; data: { mismatch: { header: string; body: string } } } | undefined {
  if (typeof list !== "object" || list === null) return undefined;
  const { params } = message as Call;
  let mirrors = read.get(list);
  if (!mirrors) {
    mirrors = new Map();
    learnMirrors(list, mirrors);
    read.set(list, mirrors);
  }
  const mirrored = typeof params?.name === "string" ? mirrors.get(params.name) : undefined;
  const fault = mirrored && paramMismatch(mirrored, params?.arguments, (name) => headerOf(headers, name));
  if (!fault) return undefined;
  return {
    message: `Bad Request: the request headers and body disagree: ${fault.why}`,
    data: { mismatch: { header: fault.header, body: fault.why } },
  };
}

/** A JSON-RPC error as an HTTP answer, under the id of the request `body` (requestIdOf). */
export function errorResponse(
  status: number,
  body: unknown,
  error: { code: number; message: string; data?: unknown },
  headers?: Record<string, string>,
): Response {
  return Response.json({ jsonrpc: "2.0", id: requestIdOf(body), error }, { status, headers });
}
