/**
 * One McpServer per client session (the SDK binds a server to one transport), with the built-in
 * tools and the plugins' tools over state that every session shares.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { VERSION } from "../version.js";
import type { BridgeFiles } from "./paths.js";
import { type LoadedPlugins, registerPluginTools } from "./plugins.js";
import type { JsonStore, KeyedQueue } from "./store.js";
import type { TokenGuard } from "./token.js";
import { registerHandoffTools } from "./tools/handoff.js";
import type { HandoffData } from "./tools/handoff-data.js";
import { registerMemoryTools } from "./tools/memory.js";
import type { MemoryData } from "./tools/memory-data.js";
import { registerNotesTools } from "./tools/notes.js";
import { registerStatusTool } from "./tools/status.js";
import { zodValidator } from "./validator.js";

export interface SessionInfo {
  id: string;
  endpoint: string;
  client: string;
  since: Date;
  lastSeen: Date;
}

export interface ShareInfo {
  name: string;
  path: string;
  state: "starting" | "running" | "restarting" | "stopped";
  restarts: number;
  lastError?: string;
}

export interface BridgeContext {
  version: string;
  files: BridgeFiles;
  startedAt: Date;
  token: TokenGuard;
  memory: JsonStore<MemoryData>;
  handoff: JsonStore<HandoffData>;
  notesQueue: KeyedQueue;
  plugins: LoadedPlugins["report"];
  pluginTools: LoadedPlugins["tools"];
  url(): string;
  sessions(): SessionInfo[];
  shares(): ShareInfo[];
}

export const BRIDGE_INSTRUCTIONS =
  "mcp-twin bridge: state shared by every connected session (Claude Desktop, Claude Code, Cursor…). " +
  "memory_* keeps decisions both sides need; notes_* holds Markdown plans; handoff_* passes tasks " +
  "between sessions (post → claim → complete, then the poster reads the result).";

export function createBridgeServer(ctx: BridgeContext): McpServer {
  const server = new McpServer(
    { name: "mcp-twin-bridge", version: VERSION },
    { instructions: BRIDGE_INSTRUCTIONS, capabilities: { tools: {} }, jsonSchemaValidator: zodValidator },
  );
  const caller = () => server.server.getClientVersion()?.name ?? "unknown";
  registerMemoryTools(server, ctx.memory, caller);
  registerNotesTools(server, ctx.files.notes, ctx.notesQueue);
  registerHandoffTools(server, ctx.handoff, caller);
  registerStatusTool(server, ctx);
  registerPluginTools(server, ctx.pluginTools, caller);
  return server;
}
