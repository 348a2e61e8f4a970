/**
 * The fast lane of an ordinary 2026-07-28 `tools/call` or `prompts/get` to a running 2025-11-25
 * shared server: the request written to the server as it came, its answer encoded as the SDK would.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type JSONRPCMessage,
  type JSONRPCRequest,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  ProtocolError,
  type RequestId,
} from "@modelcontextprotocol/server";
import { RPC } from "../../core/jsonrpc/codes.js";
import type { CallStop } from "../call-stop.js";
import type { DirectCall } from "../connection-server.js";
import { isPlain, ordinaryParams, stampAsSdk } from "../direct-call.js";
import type { Json } from "./as-sent.js";
import { admits } from "./log-levels.js";
import type { ReverseShim } from "./reverse-shim.js";
import type { SharedChild } from "./shared-child.js";

/** The envelope keys the SDK lifts off a request before its handler sees it (never sent on). */
const ENVELOPE = new Set([
  PROTOCOL_VERSION_META_KEY,
  CLIENT_INFO_META_KEY,
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
]);
const strings = (v: unknown) => isPlain(v) && Object.values(v).every((s) => typeof s === "string");
/**
 * What the lane takes of each method: params exactly as the spec's schema has them, nothing else
 * (a retry's `requestState`/`inputResponses`, an extension, a wrong type: the SDK server's).
 */
const SHAPES: Record<string, { capability: string; takes(p: Json): boolean }> = {
  "tools/call": {
    capability: "tools",
    takes: (p) => p.arguments === undefined || isPlain(p.arguments),
  },
  "prompts/get": {
    capability: "prompts",
    takes: (p) => p.arguments === undefined || strings(p.arguments),
  },
};

export interface PassThroughTarget {
  child: SharedChild;
  shim: ReverseShim;
}

/**
 * The call, when the lane may take it: the request's envelope was checked by the SDK's
 * classification and its headers by connectionServerTakes (connection-server.ts); the server runs, speaks
 * 2025-11-25 and has the capability. Otherwise undefined: the SDK server answers it.
 */
export function passThroughCall(target: PassThroughTarget, message: JSONRPCMessage): DirectCall | undefined {
  // connectionServerTakes let through requests only: the narrowing is for the types.
  if (!("method" in message) || !("id" in message)) return undefined;
  const m = message;
  const shape = SHAPES[m.method];
  const params = ordinaryParams(m);
  if (!shape || !params || !shape.takes(params)) return undefined;
  const cached = target.child.cached();
  if (!target.child.running || cached?.era !== "2025-11-25" || !cached.capabilities[shape.capability])
    return undefined;
  const { serverInfo } = cached;
  return (send, stop) => void run(target, m, serverInfo, send, stop);
}

/**
 * As forward-server.ts does it through the SDK's server and client: the envelope lifted, the
 * progress token swapped for the gateway's (SharedChild.rawCall), the server's questions through
 * the reverse shim, log messages at the level the envelope asks for, the result stamped
 * (`resultType`, the server's identity) and an error's code in 2026-07-28's terms.
 */
async function run(
  target: PassThroughTarget,
  m: JSONRPCRequest,
  serverInfo: Json,
  send: (message: JSONRPCMessage, related?: RequestId) => void,
  stop: CallStop,
): Promise<void> {
  const { id } = m;
  const { _meta, ...rest } = m.params as Json;
  const envelope = _meta as Json;
  const caps = envelope[CLIENT_CAPABILITIES_META_KEY] as Json | undefined;
  const level = envelope[LOG_LEVEL_META_KEY] as string | undefined;
  // What the server sees of `_meta`: all but the envelope (most requests carry nothing else).
  let meta: Json | undefined;
  if (Object.keys(envelope).some((key) => !ENVELOPE.has(key))) {
    meta = { ...envelope };
    for (const key of ENVELOPE) delete meta[key];
  }
  const token = meta?.progressToken;
  const params = meta ? { ...rest, _meta: meta } : rest;
  const related = (method: string, p: Json) =>
    send({ jsonrpc: "2.0", method, params: p } as JSONRPCMessage, id);
  const notify = (method: string, p: Json) => {
    if (method === "notifications/message" && (level === undefined || !admits(level, p.level))) return;
    related(method, p);
  };
  const progress =
    token === undefined
      ? undefined
      : (p: Json) => related("notifications/progress", { ...p, progressToken: token });
  const { child } = target;
  const call = async (ask: (method: string, params: Json | undefined) => Promise<Json>, given: CallStop) => {
    let rawId: number | undefined;
    const off = given.onAbort(() => {
      if (rawId !== undefined) child.rawCancel({ params: { reason: String(given.reason) } }, rawId);
    });
    try {
      const response = await child.rawCall(
        { jsonrpc: "2.0", id, method: m.method, params },
        { session: {}, ask, notify },
        {
          ...(progress ? { progress } : {}),
          sent: (raw) => {
            rawId = raw;
          },
        },
      );
      const error = "error" in response ? response.error : undefined;
      if (error) throw ProtocolError.fromError(error.code, error.message, error.data);
      // What the SDK's 2025-11-25 client keeps of a result: all but a `resultType`. The result is
      // this call's own (parsed from the server's answer), so it is changed in place.
      const result = "result" in response && isPlain(response.result) ? response.result : {};
      if (result.resultType !== undefined) delete result.resultType;
      return result;
    } finally {
      off();
    }
  };
  try {
    const result = await target.shim.start(call, caps ?? {}, stop);
    if (stop.aborted) return;
    // The result is this call's own: the server's, or the shim's input_required.
    send({ jsonrpc: "2.0", id, result: stampAsSdk(result, serverInfo) } as JSONRPCMessage);
  } catch (error) {
    // A call the client cancelled gets no answer.
    if (stop.aborted) return;
    const e = error as { code?: unknown; message?: string; data?: unknown };
    const code = Number.isSafeInteger(e.code) ? (e.code as number) : RPC.internalError;
    send({
      jsonrpc: "2.0",
      id,
      error: {
        code: code === RPC.resourceNotFound ? RPC.invalidParams : code,
        message: e.message ?? "Internal error",
        ...(e.data !== undefined ? { data: e.data } : {}),
      },
    } as JSONRPCMessage);
  }
}
