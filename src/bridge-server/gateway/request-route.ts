/**
 * An ordinary 2026-07-28 request to a shared server (one the lane takes), one route for both eras
 * of its process: written to it as it came, its answer stamped as the SDK's server stamps it.
 */
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type JSONRPCMessage,
  type JSONRPCRequest,
  LOG_LEVEL_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  type RequestId,
} from "@modelcontextprotocol/server";
import { errorObject, RPC, rpcError } from "../../core/jsonrpc/codes.js";
import type { CallStop } from "../call-stop.js";
import type { DirectCall } from "../connection-server.js";
import { stampAsSdk } from "../direct-call.js";
import type { Json } from "./as-sent.js";
import type { Caller } from "./asks.js";
import { capabilitiesOf, tidy } from "./eras.js";
import { type CachedServer, isList, type ListMethod } from "./list-cache.js";
import { admits } from "./log-levels.js";
import { CAPABILITY_OF, type ForwardTarget, type SessionRef } from "./target.js";
import { keptTools, refusal } from "./tool-filter.js";

/** The envelope keys the SDK's server lifts off a request: a 2025-11-25 server never sees them. */
const ENVELOPE = [
  PROTOCOL_VERSION_META_KEY,
  CLIENT_INFO_META_KEY,
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
];

/** One request on its way: where it goes, whose it is, and how its answers reach its client. */
export interface Passage {
  target: ForwardTarget;
  session: SessionRef;
  m: JSONRPCRequest & { params: Json };
  send: (message: JSONRPCMessage, related?: RequestId) => void;
  stop: CallStop;
}

/**
 * By hand rather than the SDK's server (which stays for what the lane does not take): through it a
 * 2026-07-28 call cost the bridge 390 µs of CPU against 197 past it (docs/dev/performance.md).
 * The call: the request's envelope was checked by the SDK's classification and its headers by
 * connectionServerTakes (connection-server.ts); `session` holds its client's tool rules.
 */
export function routeRequest(
  target: ForwardTarget,
  cached: () => Promise<CachedServer>,
  session: SessionRef,
  message: JSONRPCMessage,
): DirectCall {
  const m = message as JSONRPCRequest & { params: Json };
  return (send, stop) => {
    const p: Passage = { target, session, m, send, stop };
    cached()
      .then(async (c) => stampAsSdk(await answer(p, c), { ...(target.child.cached() ?? c).serverInfo }))
      .then(
        // A call the client cancelled gets no answer.
        (result) => stop.aborted || send({ jsonrpc: "2.0", id: m.id, result } as JSONRPCMessage),
        (error: unknown) => stop.aborted || send(errorAnswer(m.id, error)),
      );
  };
}

/** The request's result as the process gave it, tidied for a 2026-07-28 client (not yet stamped). */
export async function answer(p: Passage, cached: CachedServer): Promise<Json> {
  const { target, session, m } = p;
  const needs = CAPABILITY_OF[m.method as keyof typeof CAPABILITY_OF];
  if (!needs || !capabilitiesOf(cached)[needs]) throw rpcError("Method not found", RPC.methodNotFound);
  const { child } = target;
  let result: Json;
  const list = isList(m.method);
  if (list) {
    result = child.listFromCache(m.method as ListMethod, m.params.cursor) ?? (await upstream(p));
    if (m.method === "tools/list") result = keptTools(session.tools?.(), result);
  } else {
    const refused = m.method === "tools/call" ? refusal(session.tools?.(), m.params.name) : undefined;
    if (refused) throw Object.assign(new Error(refused.message), refused);
    // The client's retry of a call the gateway parked for it, with its answer to the question.
    const parked = target.shim.handleOf(m.params.requestState);
    result =
      parked === undefined
        ? await upstream(p)
        : await target.shim.resume(parked, m.params.inputResponses as Json | undefined, p.stop);
  }
  return tidy(result, "2026-07-28", list || m.method === "resources/read");
}

/**
 * The request to the process (started first when it is not running): to a 2026-07-28 one as it
 * came; to a 2025-11-25 one without the envelope, its questions parked for the client
 * (reverse-shim.ts), its `resultType` taken off.
 */
async function upstream(p: Passage): Promise<Json> {
  const { target, m, send, stop } = p;
  const { child } = target;
  const modern = (await child.speaks()) === "2026-07-28";
  const envelope = (m.params._meta ?? {}) as Json;
  const level = envelope[LOG_LEVEL_META_KEY] as string | undefined;
  const related = (method: string, params: Json) =>
    send({ jsonrpc: "2.0", method, params } as JSONRPCMessage, m.id);
  const notify = (method: string, params: Json) => {
    if (method === "notifications/message" && (level === undefined || !admits(level, params.level))) return;
    related(method, params);
  };
  const token = envelope.progressToken;
  const progress =
    token === undefined
      ? undefined
      : (q: Json) => related("notifications/progress", { ...q, progressToken: token });
  const call = async (sent: JSONRPCRequest, caller: Caller, given: CallStop) => {
    const result = await child.call(sent, caller, { ...(progress ? { progress } : {}), stop: given });
    // What the SDK's 2025-11-25 client keeps of a result: all but a `resultType`.
    if (!modern) delete result.resultType;
    return result;
  };
  if (modern) return call(m, { session: {}, notify }, stop);
  const meta: Json = { ...envelope };
  for (const key of ENVELOPE) delete meta[key];
  const { _meta, ...rest } = m.params;
  const params = Object.keys(meta).length > 0 ? { ...rest, _meta: meta } : rest;
  const caps = (envelope[CLIENT_CAPABILITIES_META_KEY] ?? {}) as Json;
  return target.shim.start(
    (ask, given) =>
      call({ jsonrpc: "2.0", id: m.id, method: m.method, params }, { session: {}, ask, notify }, given),
    caps,
    stop,
  );
}

function errorAnswer(id: RequestId, error: unknown): JSONRPCMessage {
  const e = errorObject(error);
  // 2026-07-28 forbids the code 2025-11-25 names a missing resource with.
  if (e.code === RPC.resourceNotFound) e.code = RPC.invalidParams;
  return { jsonrpc: "2.0", id, error: e } as JSONRPCMessage;
}
