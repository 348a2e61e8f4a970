/**
 * What one shared server gives the fronts of its two eras (session-route.ts, requests-2026.ts):
 * the process a request goes to, what it said at its last start, and the sessions attached to it.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { ShareMode } from "../../core/manifest/schema.js";
import type { CachedServer } from "./list-cache.js";
import type { ReverseShim } from "./reverse-shim.js";
import type { ChildKey } from "./session-keys.js";
import type { SharedChild } from "./shared-child.js";
import type { ForwardTarget, SessionRef } from "./target.js";
import type { ToolFilter } from "./tool-filter.js";

export interface ShareRoom {
  readonly name: string;
  /** Its mode now (a reload may change it). */
  readonly mode: ShareMode;
  /** Its 2025-11-25 servers' asks of a 2026-07-28 client, parked until the client's retry. */
  readonly shim: ReverseShim;
  log(line: string): void;
  /** The process a request's headers name, made room for when it is new (ShareHost's MAX_KEYS). */
  route(headers: IncomingHttpHeaders | Headers, session?: string): ChildKey;
  /** The process of `key` when one is held (none is made). */
  held(key: string): SharedChild | undefined;
  /** The process of `key`, made when none is held (`cwd`: a project's folder). */
  child(key: string, cwd?: string): SharedChild;
  /** What the last start learned, starting the process first when nothing is cached yet. */
  cached(child: SharedChild): Promise<CachedServer>;
  target(key: string, child: SharedChild): ForwardTarget;
  /** The tool rules of the client a request's client token names (none: no rules of its own). */
  gate(headers: IncomingHttpHeaders | Headers | undefined): (() => ToolFilter | undefined) | undefined;
  /** The sessions (and 2026-07-28 listens) attached to process `key`. */
  attached(key: string): Set<SessionRef>;
  /** Every URI some session of process `key` is subscribed to. */
  subscribed(key: string): Set<string>;
  /** Process `key` and all of it forgotten: stopped, its handlers and lanes closed. */
  drop(key: string): Promise<void>;
}
