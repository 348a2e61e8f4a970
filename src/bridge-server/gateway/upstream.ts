/**
 * What the gateway calls: one interface for every server behind it — a process (process-upstream.ts),
 * the bridge's own tools (own-server.ts), tools on demand (tools-upstream.ts). SharedChild holds one
 * per key and decides everything around it (its start, lists, calls counted, questions); it answers.
 */
import { SERVER_INFO_KEY } from "../../core/jsonrpc/envelope-headers.js";
import type { Era } from "../endpoint.js";
import type { Call } from "./call.js";
import type { CachedServer } from "./list-cache.js";
import type { Json } from "./wire-json.js";

/** What a server said of itself when it started: the era it is driven in, who it is, what it can do. */
export interface Said {
  era: Era;
  capabilities: Json;
  serverInfo: CachedServer["serverInfo"] | undefined;
  instructions: string | undefined;
  /** 2026-07-28: its `server/discover` answer (the next start of a process asks nothing). */
  discover?: Json | undefined;
}

export interface Upstream {
  readonly said: Said;
  /** Its process, when it is one. */
  readonly pid?: number | undefined;
  /**
   * A client's list or call, in the client's era: its result, or its JSON-RPC error thrown. `c.stop`
   * cancels it; its progress goes to `c.notify`, its questions to `c.ask`.
   */
  call(c: Call): Promise<Json>;
  /** A request of the gateway's own (its lists read again, a subscription): its result, or its error thrown. */
  request(method: string, params?: Json, timeoutMs?: number): Promise<Json>;
  /** 2026-07-28: what it tells unasked (`filter`: list changes, resources), until the function given back is called. */
  listen?(filter: Json): Promise<() => void>;
  /** A client's notification it may act on (`roots/list_changed`, from a `session` server's own client). */
  notify?(method: string): void;
  close(): Promise<void>;
}

/** What an upstream tells the one holding it, unasked. */
export interface UpstreamEvents {
  /** A notification tied to no call: a list changed, a resource updated, a log line. */
  notified(method: string, params: Json | undefined): void;
  /** A question it cannot tie to a call (2025-11-25 over stdio): withdrawn when `signal` aborts. */
  asked(method: string, params: Json | undefined, signal: AbortSignal): Promise<Json>;
  /** It ended unasked (`exit`: how its process did, "code 1"). */
  closed(exit?: string): void;
}

/**
 * Starts one, given where its events go and what the cache remembers of its server (its era);
 * a start that fails throws why, in words.
 */
export type OpenUpstream = (events: UpstreamEvents, known: CachedServer | undefined) => Promise<Upstream>;

/**
 * What a handshake's answer says the server is — a 2026-07-28 `server/discover` answer, or a
 * 2025-11-25 `initialize` one: its capabilities, identity (when given as strings), instructions.
 */
export function saidBy(answer: Json, era: Era = "2026-07-28"): Said {
  const modern = era === "2026-07-28";
  const info = (modern ? (answer._meta as Json | undefined)?.[SERVER_INFO_KEY] : answer.serverInfo) as
    | Json
    | undefined;
  const named = typeof info?.name === "string" && typeof info.version === "string";
  return {
    era,
    ...(modern ? { discover: answer } : {}),
    capabilities: answer.capabilities as Json,
    serverInfo: named ? (info as CachedServer["serverInfo"]) : undefined,
    instructions: typeof answer.instructions === "string" ? answer.instructions : undefined,
  };
}
