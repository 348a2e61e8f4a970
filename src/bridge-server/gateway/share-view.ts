/**
 * What the routes see of one shared server (ShareHost is it): the process a request goes to, what
 * its last start said, the sessions attached, and the session a call is for.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { ShareMode } from "../../core/manifest/schema.js";
import type { Era } from "../endpoint.js";
import type { CallClient } from "./call.js";
import type { ChildKey } from "./session-keys.js";
import type { Asker, SharedChild } from "./shared-child.js";
import type { Json } from "./wire-json.js";

/** One client session (or 2026-07-28 listen) as the gateway routes it: its era, log level and subscriptions. */
export interface SessionRef {
  era: Era;
  /** 2025-11-25: set by `logging/setLevel` (undefined: every level). */
  logLevel?: string;
  subscriptions: Set<string>;
  /** A 2025-11-25 session's way to be told what is tied to no call (none: it is told nothing). */
  notify?: (method: string, params?: Json) => void;
  /** A 2025-11-25 session's client as it can be asked outside a call (its GET stream open), else none. */
  asker?: () => Asker | undefined;
  /** Whether it can receive what is tied to no call now (its GET stream is open); none: always. */
  receiving?: () => boolean;
}

export interface ShareRoom {
  /** Its mode now (a reload may change it). */
  readonly mode: ShareMode;
  log(line: string): void;
  /** The process a request's headers name, made room for when it is new (key-room.ts). */
  route(headers: IncomingHttpHeaders | Headers, session?: string): ChildKey;
  /** The process of `key`, made when none is held (`cwd`: a project's folder). */
  child(key: string, cwd?: string): SharedChild;
  /** What a request's headers say of its client: its credential's label, its project folder (`cwd`), the tools it gets. */
  clientAt(
    headers: IncomingHttpHeaders | Headers,
    cwd?: string,
  ): Pick<CallClient, "credential" | "project" | "tools">;
  /** The sessions (and 2026-07-28 listens) attached to process `key`. */
  attached(key: string): Set<SessionRef>;
  /** Process `key` and all of it forgotten: stopped, its handlers and lanes closed. */
  drop(key: string): Promise<void>;
}
