/**
 * The lane for 2026-07-28 requests: each answered by a route, past any SDK server, on a transport
 * of its own (what it takes: laneTakes; the rest is the SDK handler's to refuse).
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/server";
import { RPC } from "../core/jsonrpc/codes.js";
import { decodeHeaderValue, NAMED_BY, objectOr } from "../core/jsonrpc/envelope-headers.js";
import { CallStop } from "./call-stop.js";
import { headerOf } from "./http-guards.js";
import { HttpSessionTransport } from "./session-transport.js";

/**
 * The requests the lane serves, each with the params the SDK's schema for it keeps (and a retry's):
 * everything else 2026-07-28 (`server/discover`, `subscriptions/listen`, a request with something
 * amiss) goes to the SDK's HTTP handler, which answers each case exactly.
 */
const LISTED = "_meta cursor".split(" ");
const NAMED_CALL = "_meta name arguments".split(" ");
const PARAMS_OF: Record<string, readonly string[]> = {
  "tools/list": LISTED,
  "prompts/list": LISTED,
  "resources/list": LISTED,
  "resources/templates/list": LISTED,
  "tools/call": NAMED_CALL,
  "prompts/get": NAMED_CALL,
  "resources/read": ["_meta", "uri"],
  "completion/complete": ["_meta", "ref", "argument", "context"],
};
const RETRY = ["requestState", "inputResponses"];

/**
 * Whether the lane may take this message: one 2026-07-28 request of a lane method, its envelope
 * whole, every standard header present and equal to the body (a name in the Base64 sentinel read
 * as the SDK reads it). Anything else — a refusal the spec words exactly — is the SDK handler's.
 */
export function laneTakes(message: unknown, headers: IncomingHttpHeaders): boolean {
  const m = message as { method?: unknown; id?: unknown; params?: Record<string, unknown> } | undefined;
  if (!m || typeof m.method !== "string" || !PARAMS_OF[m.method] || m.id === undefined || m.id === null)
    return false;
  const meta = m.params?._meta as Record<string, unknown> | undefined;
  if (meta?.["io.modelcontextprotocol/protocolVersion"] !== "2026-07-28") return false;
  if (!objectOr(meta["io.modelcontextprotocol/clientCapabilities"])) return false;
  const sent = (name: string) => headerOf(headers, name);
  if (sent("mcp-protocol-version") !== "2026-07-28" || sent("mcp-method") !== m.method) return false;
  const named = NAMED_BY[m.method];
  if (named) {
    const value = m.params?.[named];
    const header = sent("mcp-name");
    if (typeof value !== "string" || header === undefined) return false;
    // As the SDK's check finds it (a sentinel's Base64 decoded; one shorter than its ends is its to refuse).
    const sentinel = header.startsWith("=?base64?") && header.endsWith("?=");
    if (sentinel ? header.length < 11 || decodeHeaderValue(header) !== value : header !== value) return false;
  }
  return true;
}

/**
 * The params of a request laneTakes took as the SDK's server hands them on: an extension's
 * members dropped, as its schema drops them (the same object when there is none).
 */
export function specParams<T extends { method: string; params?: Record<string, unknown> }>(m: T): T {
  const kept = (key: string) => PARAMS_OF[m.method]?.includes(key) || RETRY.includes(key);
  const params = m.params ?? {};
  if (Object.keys(params).every(kept)) return m;
  return { ...m, params: Object.fromEntries(Object.entries(params).filter(([key]) => kept(key))) };
}

/**
 * A call served past the SDK server (gateway/request-route.ts): it answers through `send` (a
 * message related to the request, or its response) and stops when `stop` aborts.
 */
export type LaneCall = (send: (message: JSONRPCMessage, related?: RequestId) => void, stop: CallStop) => void;

/** The lane's own refusals before a call (the SDK's ladder's, not a server's error passed on). */
const refusals = new WeakSet<JSONRPCMessage>();
export function laneRefusal(m: JSONRPCMessage): JSONRPCMessage {
  refusals.add(m);
  return m;
}

/** 2026-07-28 answers a missing client capability with HTTP 400 too, as the SDK its refusals. */
const laneStatus = (m: JSONRPCMessage | undefined) =>
  (m && refusals.has(m)) ||
  (m as { error?: { code?: unknown } } | undefined)?.error?.code === RPC.missingCapability
    ? 400
    : 200;

/**
 * One call's answers given past any SDK server, on a transport of its own (not its connection's:
 * two requests pipelined on one connection may carry the same id, and each gets its own answer).
 */
export function laneAnswer(m: JSONRPCMessage, res: ServerResponse, acceptsSse: boolean, call: LaneCall) {
  const transport = new HttpSessionTransport("lane", { status: laneStatus });
  const stop = new CallStop();
  // Closing the response before the answer is how a 2026-07-28 client cancels.
  res.once("close", () => {
    if (!res.writableFinished) stop.abort("the client cancelled the request");
  });
  transport.handlePost([m], false, res, { acceptsSse, headers: {} });
  call((answer, related) => transport.deliver(answer, related), stop);
}
