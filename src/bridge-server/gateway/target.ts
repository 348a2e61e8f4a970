/**
 * What the routes of a shared server know of it and of the session a request is for: its process,
 * the questions parked for clients, subscriptions, and what each method needs it to have declared.
 */
import type { Era } from "../endpoint.js";
import type { Json } from "./as-sent.js";
import type { ListMethod } from "./list-cache.js";
import type { ReverseShim } from "./reverse-shim.js";
import type { SharedChild } from "./shared-child.js";
import type { ToolFilter } from "./tool-filter.js";

/** One client session (or 2026-07-28 listen) as the gateway routes it: its era, log level and subscriptions. */
export interface SessionRef {
  era: Era;
  /** 2025-11-25: set by `logging/setLevel` (undefined: every level). */
  logLevel?: string;
  subscriptions: Set<string>;
  /** A 2025-11-25 session's way to be told what is tied to no call (none: it is told nothing). */
  notify?: (method: string, params?: Json) => void;
  /** The tool rules its client's entry leaves to the gateway (read on each use: a reload changes them). */
  tools?: () => ToolFilter | undefined;
  /** Whether it can receive what is tied to no call now (its GET stream is open); none: always. */
  receiving?: () => boolean;
}

/** What a route needs of its shared server. */
export interface ForwardTarget {
  name: string;
  child: SharedChild;
  shim: ReverseShim;
  subscribe(session: SessionRef, uri: string): Promise<void>;
  unsubscribe(session: SessionRef, uri: string): Promise<void>;
}

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
