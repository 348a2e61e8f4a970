/**
 * What the bridge is, known before it runs: its instructions, capabilities and the `server/discover`
 * answer `serve` on stdio gives at once while the bridge starts.
 */
import { BRIDGE_SERVER_NAME } from "../core/bridge-link/index.js";
import { VERSION } from "../version.js";

export const BRIDGE_INSTRUCTIONS =
  "mcp-twin bridge: state shared by every connected session (Claude Desktop, Claude Code, Cursor…). " +
  "memory_* keeps decisions both sides need; notes_* holds Markdown plans (also readable as resources); " +
  "handoff_* passes tasks between sessions (post → claim → complete, then the poster reads the result).";

/** The bridge's name and version, as its every answer gives them. */
export const SERVER_INFO = { name: BRIDGE_SERVER_NAME, version: VERSION };

/** The notes are resources a session may subscribe to, and their list changes. */
export const RESOURCES_CAPABILITY = { subscribe: true, listChanged: true } as const;

/** The bridge's answer to `server/discover`, as its HTTP endpoint gives it (the SDK's shape). */
export function bridgeDiscoverResult(): Record<string, unknown> {
  return {
    supportedVersions: ["2026-07-28"],
    capabilities: { tools: {}, resources: { ...RESOURCES_CAPABILITY } },
    instructions: BRIDGE_INSTRUCTIONS,
    resultType: "complete",
    ttlMs: 0,
    cacheScope: "private",
    _meta: { "io.modelcontextprotocol/serverInfo": SERVER_INFO },
  };
}
