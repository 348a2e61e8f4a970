/**
 * A 2026-07-28 request to a shared server on the lane, one route for both eras of its process: the
 * request made one call (call.ts) at the edge, its client read from its envelope.
 */
import type { JSONRPCMessage, JSONRPCRequest, RequestId } from "@modelcontextprotocol/server";
import {
  CLIENT_CAPABILITIES_KEY,
  CLIENT_INFO_KEY,
  LOG_LEVEL_KEY,
} from "../../core/jsonrpc/envelope-headers.js";
import type { CallStop } from "../call-stop.js";
import type { Call, CallClient } from "./call.js";
import type { CachedServer } from "./list-cache.js";
import { admits } from "./log-levels.js";
import { callShared } from "./share-call.js";
import type { SharedChild } from "./shared-child.js";
import type { Json } from "./wire-json.js";

/** One request on its way: where it goes, whose it is, and how its answers reach its client. */
export interface Passage {
  child: SharedChild;
  /** What the edge knows of its client besides its envelope: its credential, folder and tools. */
  client: Pick<CallClient, "credential" | "project" | "tools">;
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
  void callShared(laneCall(p), p.child, cached).then(
    (answer) => p.stop.aborted || (answer && p.send(answer)),
  );

/** The request as one call: its client as its envelope says (what it can do, who it is, the log lines it asked for). */
function laneCall(p: Passage): Call {
  const { m, send } = p;
  const envelope = (m.params._meta ?? {}) as Json;
  const level = envelope[LOG_LEVEL_KEY] as string | undefined;
  return {
    request: m,
    client: {
      ...p.client,
      era: "2026-07-28",
      session: {},
      capabilities: (envelope[CLIENT_CAPABILITIES_KEY] ?? {}) as Json,
      info: envelope[CLIENT_INFO_KEY] as Json | undefined,
      level,
    },
    stop: p.stop,
    notify: (method, params) => {
      if (method === "notifications/message" && (level === undefined || !admits(level, params.level))) return;
      send({ jsonrpc: "2.0", method, params } as JSONRPCMessage, m.id);
    },
  };
}
