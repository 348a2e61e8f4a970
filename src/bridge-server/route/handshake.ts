/**
 * What a route answers itself, from what the upstream said at its last start: `initialize`,
 * `server/discover`, `ping` and `logging/setLevel` — as the SDK's server answers them.
 */
import { RPC } from "../../core/jsonrpc/codes.js";

/** The upstream as its last start described it (the list cache's entry holds the same). */
export interface Descriptor {
  serverInfo: { name: string; version: string; [key: string]: unknown };
  capabilities: Record<string, Record<string, unknown> | undefined>;
  instructions?: string;
}

/** The 2025 revisions as the SDK takes them, newest first (written out: the routes load no SDK). */
export const LEGACY = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", "2024-10-07"];
/** The revisions a 2026-07-28 client may name (the SDK lists the earlier era's alone). */
const MODERN_VERSIONS = ["2026-07-28"] as const;

export type Handshake =
  | { kind: "answer"; result: Record<string, unknown> }
  | { kind: "level"; level: string; result: Record<string, unknown> }
  | { kind: "error"; code: number; message: string };

/** The log levels of MCP, least severe first (`logging/setLevel`). */
const LEVELS = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];

type Params = Record<string, unknown> | undefined;

const answer = (result: Record<string, unknown>): Handshake => ({ kind: "answer", result });
const refused = (code: number, message: string): Handshake => ({ kind: "error", code, message });

/**
 * The answer to a handshake request, or undefined when `method` is not the handshake's (the
 * request goes upstream). `initialize` takes the client's revision when the SDK supports it, else
 * its latest (the SDK server's rule); `logging/setLevel` names the session's new level.
 */
export function handshake(method: string, params: Params, d: Descriptor): Handshake | undefined {
  switch (method) {
    case "initialize": {
      const asked = params?.protocolVersion;
      const protocolVersion = typeof asked === "string" && LEGACY.includes(asked) ? asked : LEGACY[0];
      return answer({
        protocolVersion,
        capabilities: d.capabilities,
        serverInfo: d.serverInfo,
        ...(d.instructions ? { instructions: d.instructions } : {}),
      });
    }
    case "server/discover":
      return answer({
        supportedVersions: [...MODERN_VERSIONS],
        capabilities: { ...d.capabilities },
        ...(d.instructions ? { instructions: d.instructions } : {}),
      });
    case "ping":
      return answer({});
    case "logging/setLevel": {
      const level = params?.level;
      if (!d.capabilities.logging)
        return refused(RPC.methodNotFound, "Method not found: the server does not log");
      if (typeof level !== "string" || !LEVELS.includes(level))
        return refused(RPC.invalidParams, `Invalid params: level must be one of ${LEVELS.join(", ")}`);
      return { kind: "level", level, result: {} };
    }
    default:
      return undefined;
  }
}
