/**
 * One call to a shared server, whichever era its client speaks: the server's capabilities, its lists
 * from the cache, the client's tool rules, then the process; the answer tidied and errors said per era.
 */
import type { JSONRPCMessage, JSONRPCRequest } from "@modelcontextprotocol/server";
import { errorObject, RPC, rpcError } from "../../core/jsonrpc/codes.js";
import { held, withoutHeld } from "../../core/pins/hold-back.js";
import type { CallStop } from "../call-stop.js";
import type { Era } from "../endpoint.js";
import { stampAsSdk } from "../sdk-stamp.js";
import type { AskMethod, Caller } from "./asks.js";
import { capabilitiesOf, in2025Terms, tidy, withEnvelope } from "./eras.js";
import { type CachedServer, isList, type ListMethod } from "./list-cache.js";
import type { SessionRef } from "./share-view.js";
import type { SharedChild } from "./shared-child.js";
import { keptTools, refusal } from "./tool-filter.js";
import type { Json } from "./wire-json.js";

export const CALLS = ["tools/call", "prompts/get", "resources/read", "completion/complete"] as const;
/** What each list and call needs the server to have declared. */
export const CAPABILITY_OF: Record<ListMethod | (typeof CALLS)[number], string> = {
  "tools/list": "tools",
  "prompts/list": "prompts",
  "resources/list": "resources",
  "resources/templates/list": "resources",
  "tools/call": "tools",
  "prompts/get": "prompts",
  "resources/read": "resources",
  "completion/complete": "completions",
};

/** One call on its way: whose it is (its client's era and tool rules), to which process, and how it goes there. */
export interface SharedCall {
  request: JSONRPCRequest;
  session: SessionRef;
  child: SharedChild;
  /** What the client is told the server is (a 2025-11-25 session: at its initialize; else now). */
  server: CachedServer | (() => Promise<CachedServer>);
  /** The request to the process when the cache cannot answer (undefined: it answered the client itself). */
  upstream(list: boolean): Promise<Json | undefined>;
}

/**
 * The call's answer to its client in its era's terms, result or error; undefined when it was answered
 * already or cancelled. What a new endpoint reuses to call a shared server's tool for a client.
 */
export async function callShared(call: SharedCall): Promise<JSONRPCMessage | undefined> {
  const { id, method } = call.request;
  const { era } = call.session;
  try {
    const server = typeof call.server === "function" ? await call.server() : call.server;
    const result = await sharedResult(call, server);
    if (!result) return undefined;
    const stamped =
      era === "2026-07-28" ? stampAsSdk(result, { ...(call.child.cached() ?? server).serverInfo }) : result;
    return { jsonrpc: "2.0", id, result: stamped } as JSONRPCMessage;
  } catch (error) {
    if ((error as { cancelled?: boolean }).cancelled) return undefined;
    return { jsonrpc: "2.0", id, ...errorIn(era, method, error) } as JSONRPCMessage;
  }
}

/**
 * The call's result past capabilities, cache and rules, tidied for the client's era, not yet
 * stamped (undefined: answered already); its error thrown as it is (errorIn says it).
 */
async function sharedResult(call: SharedCall, server: CachedServer): Promise<Json | undefined> {
  const { method } = call.request;
  const params = (call.request.params ?? {}) as Json;
  const needs = CAPABILITY_OF[method as keyof typeof CAPABILITY_OF];
  if (!needs || !capabilitiesOf(server)[needs]) throw rpcError("Method not found", RPC.methodNotFound);
  const filter = call.session.tools?.();
  if (isList(method)) {
    const result = call.child.listFromCache(method, params.cursor) ?? (await call.upstream(true));
    if (!result) return undefined;
    const tools = method === "tools/list" && keptTools(filter, withoutHeld(call.child, result));
    return tidy(tools || result, call.session.era, true);
  }
  const refused = method === "tools/call" && (held(call.child, params.name) ?? refusal(filter, params.name));
  if (refused) throw Object.assign(new Error(refused.message), refused);
  const result = await call.upstream(false);
  return result && tidy(result, call.session.era, method === "resources/read");
}

/** The client a call goes to the process for: what it declared, and how the call's messages reach it. */
export interface CallClient {
  /** What it can do, what it wants logged, who it is (a session's initialize, a request's envelope). */
  envelope: { capabilities: Json; level?: string | undefined; info?: Json | undefined };
  /** Whose call it is, how the server's log lines (and a 2025-11-25 client's questions) reach it. */
  caller: Caller;
  /** A notification tied to the call (its progress). */
  related(method: string, params: Json): void;
  stop: CallStop;
}

/**
 * The request to the process, started first when it is not running, in the era it speaks: as it
 * came when that is the client's; to a 2026-07-28 one with the client's envelope, its
 * `input_required` asked of the client and the call sent again with the answers; to a 2025-11-25
 * one without the envelope, its questions parked for the client's retry (reverse-shim.ts).
 */
export async function toProcess(call: SharedCall, client: CallClient): Promise<Json> {
  const { request: m } = call;
  const { child } = call;
  const received = m.params as Json | undefined;
  const token = (received?._meta as Json | undefined)?.progressToken;
  const progress = (p: Json) => client.related("notifications/progress", { ...p, progressToken: token });
  const send = (params: Json | undefined, caller = client.caller, stop = client.stop) =>
    child.call({ ...m, ...(params ? { params } : {}) }, caller, { progress, stop });
  const modern = (await child.speaks()) === "2026-07-28";
  if (modern === (call.session.era === "2026-07-28")) return send(received);
  if (!modern) {
    const params = withEnvelope(received, client.envelope, "2025-11-25");
    const run = async (ask: Caller["ask"], stop: CallStop) => {
      const result = await send(params, { ...client.caller, ask }, stop);
      // What the SDK's 2025-11-25 client keeps of a result: all but a `resultType`.
      delete result.resultType;
      return result;
    };
    return child.shim.start(run, client.envelope.capabilities, client.stop);
  }
  const params = withEnvelope(received, client.envelope, "2026-07-28");
  // A 2025-11-25 client's caller asks it on the call's stream (session-route.ts).
  const caller = client.caller as Required<Caller>;
  for (let sent = params; ; ) {
    const result = await send(sent);
    if (result.resultType !== "input_required") return result;
    const inputResponses: Json = {};
    const asked = (result.inputRequests ?? {}) as Record<string, { method: AskMethod; params?: Json }>;
    for (const [key, q] of Object.entries(asked))
      inputResponses[key] = await child.ask(caller, q.method, q.params, client.stop.signal);
    sent = {
      ...params,
      inputResponses,
      ...(result.requestState !== undefined ? { requestState: result.requestState } : {}),
    };
  }
}

/** An error in the terms of the client's era: a 2025-11-25 one knows no 2026-only code, a 2026-07-28 one no -32002. */
function errorIn(era: Era, method: string, error: unknown): { result: Json } | { error: Json } {
  if (era === "2025-11-25") {
    const said = in2025Terms(method, error);
    if (said && "result" in said) return said;
    return { error: errorObject(said?.error ?? error) };
  }
  const e = errorObject(error);
  if (e.code === RPC.resourceNotFound) e.code = RPC.invalidParams;
  return { error: e };
}
