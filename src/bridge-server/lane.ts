/**
 * The lane for ordinary 2026-07-28 requests: each answered by a route, past any SDK server, on its
 * connection's own transport (what it takes: laneTakes; the rest is the SDK handler's).
 */
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/server";
import { RPC } from "../core/jsonrpc/codes.js";
import { CallStop } from "./call-stop.js";
import { headerOf } from "./http-guards.js";
import { checkedCall, paramRefusal } from "./param-check.js";
import { HttpSessionTransport } from "./session-transport.js";

/**
 * The requests the lane serves: everything else 2026-07-28 (`server/discover`, `subscriptions/listen`,
 * a request with something amiss) goes to the SDK's HTTP handler, which answers each case exactly.
 */
const LANE_METHODS = new Set(
  "tools/list tools/call prompts/list prompts/get resources/list resources/templates/list resources/read completion/complete".split(
    " ",
  ),
);
/** The params of the spec's requests (a retry's too): an extension's is the SDK handler's, which knows what to keep. */
const SPEC_PARAMS = new Set(
  "_meta name arguments cursor uri ref argument context requestState inputResponses".split(" "),
);
/** The methods whose `Mcp-Name` header names `params.name` (or `params.uri`). */
const NAMED: Record<string, "name" | "uri"> = {
  "tools/call": "name",
  "prompts/get": "name",
  "resources/read": "uri",
};

/**
 * Whether the lane may take this message as it is: one 2026-07-28 request of a lane method, its
 * params the spec's, its envelope whole, every standard header present and equal to the body (a
 * name only in plain ASCII). Anything else — a refusal the spec words exactly — is the SDK handler's.
 */
export function laneTakes(message: unknown, headers: IncomingHttpHeaders): boolean {
  const m = message as { method?: unknown; id?: unknown; params?: Record<string, unknown> } | undefined;
  if (
    !m ||
    typeof m.method !== "string" ||
    !LANE_METHODS.has(m.method) ||
    m.id === undefined ||
    m.id === null
  )
    return false;
  for (const key in m.params) if (!SPEC_PARAMS.has(key)) return false;
  const meta = m.params?._meta as Record<string, unknown> | undefined;
  if (meta?.["io.modelcontextprotocol/protocolVersion"] !== "2026-07-28") return false;
  const caps = meta["io.modelcontextprotocol/clientCapabilities"];
  if (typeof caps !== "object" || caps === null || Array.isArray(caps)) return false;
  const sent = (name: string) => headerOf(headers, name);
  if (sent("mcp-protocol-version") !== "2026-07-28" || sent("mcp-method") !== m.method) return false;
  const named = NAMED[m.method];
  if (named) {
    const value = m.params?.[named];
    if (typeof value !== "string" || !/^[\x20-\x7e]*$/.test(value) || sent("mcp-name") !== value)
      return false;
  }
  for (const name of Object.keys(headers)) if (name.startsWith("mcp-param-")) return false;
  return true;
}

/**
 * Whether the lane may take a request as far as `Mcp-Param-*` headers go (it takes none that has
 * such headers): not a call to check, or its server's tools `list` known (null: it has no tools)
 * and its tool's mirrors agreeing. The others go to the SDK's way, which reads the list first.
 */
export const mirrorsAgree = (list: unknown, message: unknown, headers: IncomingHttpHeaders): boolean =>
  !checkedCall(message) || list === null || (list !== undefined && !paramRefusal(list, message, headers));

/**
 * A call served past the SDK server (gateway/request-route.ts): it answers through `send` (a
 * message related to the request, or its response) and stops when `stop` aborts.
 */
export type LaneCall = (send: (message: JSONRPCMessage, related?: RequestId) => void, stop: CallStop) => void;

/** 2026-07-28 answers a missing client capability with HTTP 400 too. */
const laneStatus = (m: JSONRPCMessage | undefined) =>
  (m as { error?: { code?: unknown } } | undefined)?.error?.code === RPC.missingCapability ? 400 : 200;

/** The lane: each call's answers given past any SDK server, on its connection's own transport. */
export class LaneAnswers {
  readonly #bySocket = new WeakMap<Socket, HttpSessionTransport>();

  answer(
    socket: Socket,
    message: JSONRPCMessage,
    res: ServerResponse,
    acceptsSse: boolean,
    call: LaneCall,
  ): void {
    let answers = this.#bySocket.get(socket);
    if (!answers) {
      answers = new HttpSessionTransport("lane", { status: laneStatus });
      this.#bySocket.set(socket, answers);
    }
    const transport = answers;
    const stop = new CallStop();
    // Closing the response before the answer is how a 2026-07-28 client cancels.
    res.once("close", () => {
      if (!res.writableFinished) stop.abort("the client cancelled the request");
    });
    transport.handlePost([message], false, res, { acceptsSse, headers: {} });
    call((m, related) => transport.deliver(m, related), stop);
  }
}
