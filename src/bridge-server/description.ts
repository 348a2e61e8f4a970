/**
 * What the bridge is, known before it runs: its `server/discover` answer (its instructions and
 * capabilities), which its own server gives and `serve` on stdio gives at once while it starts.
 */
import { BRIDGE_SERVER_NAME } from "../core/bridge-link/index.js";
import { VERSION } from "../version.js";

const BRIDGE_INSTRUCTIONS =
  "mcp-twin bridge: state shared by every connected session (Claude Desktop, Claude Code, Cursor…). " +
  "memory_* keeps decisions both sides need; notes_* holds Markdown plans (also readable as resources); " +
  "handoff_* passes tasks between sessions (post → claim → complete, then the poster reads the result).";

/** The bridge's answer to `server/discover` (the SDK's shape): own-server.ts's, the gateway's source for `/mcp`. */
export function bridgeDiscoverResult(): Record<string, unknown> {
  return {
    supportedVersions: ["2026-07-28"],
    // The notes are resources a session may subscribe to, and their list changes.
    capabilities: { tools: {}, resources: { subscribe: true, listChanged: true } },
    instructions: BRIDGE_INSTRUCTIONS,
    resultType: "complete",
    ttlMs: 0,
    cacheScope: "private",
    _meta: { "io.modelcontextprotocol/serverInfo": { name: BRIDGE_SERVER_NAME, version: VERSION } },
  };
}
