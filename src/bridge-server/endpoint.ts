/**
 * What the bridge's HTTP front serves at one path: the bridge's own MCP endpoint or a shared
 * server's. The gateway implements it, http.ts drives it; neither needs the other's code.
 */
import type { IncomingHttpHeaders } from "node:http";
import { TOOLS_PATH, tokenScope } from "../core/bridge-link/index.js";
import type { LaneCall } from "./lane.js";
import type { HttpSessionTransport } from "./session-transport.js";

/** One MCP endpoint (a path), serving both protocol eras. */
export interface Endpoint {
  path: string;
  /** Why a 2025-11-25 session with these headers cannot open here (undefined: it can); forbidden: 403. */
  admit?(headers: IncomingHttpHeaders): { why: string; forbidden?: true } | undefined;
  /** Why a request of an open session with these headers is no longer served here (403), if it is not. */
  forbidden?(headers: IncomingHttpHeaders): string | undefined;
  /**
   * Headers (lower case) of a 2025-11-25 session's `initialize` that decide where it goes (a
   * project server's folder): sealed with its id, so a restart opens it again in the same place.
   */
  sessionHeaders?: readonly string[];
  /** A new 2025-11-25 session (its `initialize` came with these headers): its route. */
  connect(transport: HttpSessionTransport, headers: IncomingHttpHeaders): Promise<{ close(): Promise<void> }>;
  /**
   * A 2026-07-28 request (every POST the SDK's classification does not call 2025-11-25, its
   * refusals included) the lane does not take, answered whole by the endpoint's SDK handler.
   */
  serve2026(request: Request, parsedBody: unknown): Promise<Response>;
  /** The lane's call for an ordinary 2026-07-28 request with these headers (lane.ts), if it takes it. */
  lane?(headers: IncomingHttpHeaders, message: unknown): LaneCall | undefined;
  /**
   * A DELETE without `Mcp-Session-Id`: the end of the 2026-07-28 session its headers name (the
   * relay's `Mcp-Twin-Session`). true: ended; false: no such session; undefined: it names none.
   */
  end?(headers: IncomingHttpHeaders): Promise<boolean | undefined>;
}

/** The share a `/share/<name>` path names ("" when it names none readable), else undefined. */
export const shareOf = (pathname: string): string | undefined =>
  pathname === TOOLS_PATH ? undefined : tokenScope(pathname);

/** Which protocol era a server instance serves: 2025-11-25 (sessions) or 2026-07-28. */
export type Era = "2025-11-25" | "2026-07-28";
