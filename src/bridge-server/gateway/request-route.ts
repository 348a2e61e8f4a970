/**
 * A 2026-07-28 request to a shared server on the lane, one route for both eras of its process: the
 * one call (share-call.ts) with the request's envelope as its client.
 */
import type { JSONRPCMessage, JSONRPCRequest, RequestId } from "@modelcontextprotocol/server";
import {
  CLIENT_CAPABILITIES_KEY,
  CLIENT_INFO_KEY,
  LOG_LEVEL_KEY,
} from "../../core/jsonrpc/envelope-headers.js";
import type { CallStop } from "../call-stop.js";
import type { CachedServer } from "./list-cache.js";
import { admits } from "./log-levels.js";
import { type CallClient, callShared, type SharedCall, toProcess } from "./share-call.js";
import type { SessionRef } from "./share-view.js";
import type { SharedChild } from "./shared-child.js";
import type { Json } from "./wire-json.js";

/** One request on its way: where it goes, whose it is, and how its answers reach its client. */
export interface Passage {
  child: SharedChild;
  session: SessionRef;
  m: JSONRPCRequest & { params: Json };
  send: (message: JSONRPCMessage, related?: RequestId) => void;
  stop: CallStop;
}

/**
 * The lane's call, answered by the one call; nothing when the client cancelled. By hand rather than
 * through an SDK server: through one a 2026-07-28 call cost the bridge 390 µs of CPU against 197
 * past it (docs/dev/performance.md).
 */
export const answerOnLane = (p: Passage, cached: () => Promise<CachedServer>) =>
  void callShared(sharedCall(p, cached)).then((answer) => p.stop.aborted || (answer && p.send(answer)));

/**
 * The request as the one call (share-call.ts) takes it: to the process by toProcess, or, when it is
 * the client's retry of a call the gateway parked for it, with its answer to the question.
 */
export function sharedCall(p: Passage, server: SharedCall["server"]): SharedCall {
  const { child, m } = p;
  const call: SharedCall = {
    request: m,
    session: p.session,
    child,
    server,
    upstream: (list) => {
      const parked = list ? undefined : child.shim.handleOf(m.params.requestState);
      return parked === undefined
        ? toProcess(call, clientOf(p))
        : child.shim.resume(parked, m.params.inputResponses as Json | undefined, p.stop);
    },
  };
  return call;
}

/** The request's client, as its envelope says: what it can do, who it is, the log lines it asked for. */
function clientOf(p: Passage): CallClient {
  const { m, send } = p;
  const envelope = (m.params._meta ?? {}) as Json;
  const level = envelope[LOG_LEVEL_KEY] as string | undefined;
  const related = (method: string, params: Json) =>
    send({ jsonrpc: "2.0", method, params } as JSONRPCMessage, m.id);
  const notify = (method: string, params: Json) => {
    if (method === "notifications/message" && (level === undefined || !admits(level, params.level))) return;
    related(method, params);
  };
  const capabilities = (envelope[CLIENT_CAPABILITIES_KEY] ?? {}) as Json;
  const info = envelope[CLIENT_INFO_KEY] as Json | undefined;
  return { envelope: { capabilities, level, info }, caller: { session: {}, notify }, related, stop: p.stop };
}
