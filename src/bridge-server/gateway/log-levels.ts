/**
 * Which log messages a client takes: MCP's levels, least severe first, and the threshold a
 * session set (`logging/setLevel`) or a request's envelope names.
 */
import type { LoggingLevel } from "@modelcontextprotocol/server";

const ALL: LoggingLevel[] = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"];
const LEVELS: readonly string[] = ALL;

/** Whether a log message at `level` passes a session's threshold (none set: every level). */
export const admits = (threshold: string | undefined, level: unknown) =>
  threshold === undefined || LEVELS.indexOf(String(level)) >= LEVELS.indexOf(threshold);
