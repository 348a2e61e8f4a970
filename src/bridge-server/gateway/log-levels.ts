/**
 * Which log messages a client takes: MCP's levels, least severe first, and the threshold a
 * session set (`logging/setLevel`) or a request's envelope names.
 */
import type { LoggingLevel } from "@modelcontextprotocol/server";

const LEVELS: readonly string[] = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
] satisfies LoggingLevel[];

/** Whether a log message at `level` passes a session's threshold (none set: every level). */
export const admits = (threshold: string | undefined, level: unknown) =>
  threshold === undefined || LEVELS.indexOf(String(level)) >= LEVELS.indexOf(threshold);
