/**
 * What the routes see of one shared server (ShareHost is it): the process a request goes to, what
 * its last start said, the sessions attached, and the session a call is for.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { ShareMode } from "../../core/manifest/schema.js";
import type { Era } from "../endpoint.js";
import type { ChildKey } from "./session-keys.js";
import type { SharedChild } from "./shared-child.js";
import type { ToolFilter } from "./tool-filter.js";
import type { Json } from "./wire-json.js";

/** One client session (or 2026-07-28 listen) as the gateway routes it: its era, log level and subscriptions. */
export interface SessionRef {
  era: Era;
  /** 2025-11-25: set by `logging/setLevel` (undefined: every level). */
  logLevel?: string;
  subscriptions: Set<string>;
  /** A 2025-11-25 session's way to be told what is tied to no call (none: it is told nothing). */
  notify?: (method: string, params?: Json) => void;
  /** The tool rules its client's entry leaves to the gateway (read on each use: a reload changes them). */
  tools?: (() => ToolFilter | undefined) | undefined;
  /** Whether it can receive what is tied to no call now (its GET stream is open); none: always. */
  receiving?: () => boolean;
}

export interface ShareRoom {
  /** Its mode now (a reload may change it). */
  readonly mode: ShareMode;
  log(line: string): void;
  /** The process a request's headers name, made room for when it is new (ShareHost's MAX_KEYS). */
  route(headers: IncomingHttpHeaders | Headers, session?: string): ChildKey;
  /** The process of `key`, made when none is held (`cwd`: a project's folder). */
  child(key: string, cwd?: string): SharedChild;
  /** The tool rules of the client a request's client token names (none: no rules of its own). */
  gate(headers: IncomingHttpHeaders | Headers | undefined): (() => ToolFilter | undefined) | undefined;
  /** The sessions (and 2026-07-28 listens) attached to process `key`. */
  attached(key: string): Set<SessionRef>;
  /** Process `key` and all of it forgotten: stopped, its handlers and lanes closed. */
  drop(key: string): Promise<void>;
}
