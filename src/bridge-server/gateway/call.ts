/**
 * One call of a client, made at the edge from either era (session-route.ts, request-route.ts) and
 * carried whole to its upstream (upstream.ts): whose it is, what stops it, how its progress, log
 * lines and a server's questions reach its client. Nothing on the way rebuilds it.
 */
import type { RequestId } from "@modelcontextprotocol/server";
import type { CallStop } from "../call-stop.js";
import type { Era } from "../endpoint.js";
import type { AskMethod } from "./asks.js";
import type { ToolPolicy } from "./tool-policy.js";
import type { Json } from "./wire-json.js";

/** A question put to a client (`signal` aborts when it is given up): its answer, or its refusal thrown. */
export type Ask = (method: AskMethod, params: Json | undefined, signal: AbortSignal) => Promise<Json>;

/** Who a call is of, as its edge read it. */
export interface CallClient {
  era: Era;
  /** What it is told apart by (a server's questions are capped per it): its 2025-11-25 session, or its 2026-07-28 request. */
  session: object;
  /** Who it is: a 2025-11-25 session's `clientInfo`, a 2026-07-28 request's envelope's. */
  info?: Json | undefined;
  /** What it can do (its roots among it: asked of it, never kept, where its process is its alone). */
  capabilities: Json;
  /** The log level it asked for (2025-11-25: `logging/setLevel`; 2026-07-28: its envelope); none: every level. */
  level?: string | undefined;
  /** The label of the client token it came with (`<env>:<client>`); none: the bridge's token, or none. */
  credential?: string | undefined;
  /** The project folder its request named (`Mcp-Twin-Project`), as this side reads it. */
  project?: string | undefined;
  /** The tools it gets of the server it called, as `listed` (tool-policy.ts), read on each use: a reload changes them. */
  tools?: ((listed: unknown) => ToolPolicy | undefined) | undefined;
}

export interface Call {
  /** The request as its client sent it: its id the client's, its params as the lane keeps them. */
  request: { id: RequestId; method: string; params?: Json | undefined };
  client: CallClient;
  /** Aborts when the client cancels the call or goes: its upstream is told to stop. */
  stop: CallStop;
  /** A notification tied to the call: its progress (under the client's own token), a log line its level takes. */
  notify(method: string, params: Json): void;
  /** A server's question put to this client during the call; none for a 2026-07-28 client (`input_required`). */
  ask?: Ask | undefined;
}
