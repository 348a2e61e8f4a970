/**
 * One SDK `Server` per 2025-11-25 session or per 2026-07-28 request (the SDK binds a server to one
 * transport), serving the tools built once per process and the notes as resources, over shared state.
 */
import {
  type CacheHint,
  type CallToolResult,
  CLIENT_INFO_META_KEY,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type Tool,
} from "@modelcontextprotocol/server";
import { z } from "zod";
import type { BridgeFiles } from "../core/bridge-link/index.js";
import { zodValidator } from "../core/text/json-schema-validator.js";
import { BRIDGE_INSTRUCTIONS, RESOURCES_CAPABILITY, SERVER_INFO } from "./description.js";
import type { Era } from "./endpoint.js";
import type { ShareStatus } from "./gateway/index.js";
import type { NotesFolder } from "./notes-folder.js";
import type { LoadedPlugins } from "./plugins.js";
import { serveNoteResources } from "./resources.js";
import type { SessionInfo } from "./sessions.js";
import type { JsonStore } from "./store.js";
import type { TokenGuard } from "./token-guard.js";
import type { BridgeTool, ToolCall } from "./tools/define.js";
import type { HandoffData } from "./tools/handoff-data.js";
import type { MemoryData } from "./tools/memory-data.js";
import { fail } from "./tools/result.js";

export interface BridgeContext {
  files: BridgeFiles;
  startedAt: Date;
  token: TokenGuard;
  memory: JsonStore<MemoryData>;
  handoff: JsonStore<HandoffData>;
  notes: NotesFolder;
  plugins: LoadedPlugins["report"];
  url(): string;
  sessions(): SessionInfo[];
  shares(): ShareStatus[];
}

/**
 * What a 2026-07-28 client may do with the lists it reads (2025-11-25 answers carry no hints): the
 * tools and the notes' URI template are fixed while the bridge runs (plugins load at its start), so
 * they may be reused for a minute; the notes change at any time, so their list and contents are
 * stale at once. Everything is the token holder's own: private.
 */
export const CACHE_HINTS: Partial<
  Record<"tools/list" | "resources/list" | "resources/templates/list" | "resources/read", CacheHint>
> = {
  "tools/list": { ttlMs: 60_000, cacheScope: "private" },
  "resources/templates/list": { ttlMs: 60_000, cacheScope: "private" },
  "resources/list": { ttlMs: 0, cacheScope: "private" },
  "resources/read": { ttlMs: 0, cacheScope: "private" },
};

/** The tools every session serves: looked up by name in a Map, listed from one cached array. */
export class ToolSet {
  readonly #byName: Map<string, BridgeTool>;
  readonly list: Tool[];

  constructor(tools: readonly BridgeTool[]) {
    this.#byName = new Map(tools.map((t) => [t.name, t]));
    this.list = tools.map((t) => ({
      name: t.name,
      ...(t.title ? { title: t.title } : {}),
      description: t.description,
      inputSchema: (t.inputJsonSchema ??
        z.toJSONSchema(t.input, { target: "draft-7", io: "input" })) as Tool["inputSchema"],
      ...(t.annotations ? { annotations: t.annotations } : {}),
    }));
  }

  get(name: string): BridgeTool | undefined {
    return this.#byName.get(name);
  }
}

/** A tool call: unknown name → -32602; bad arguments or a failing handler → a tool error. */
export async function callTool(
  tools: ToolSet,
  name: string,
  args: unknown,
  call: ToolCall,
): Promise<CallToolResult> {
  const tool = tools.get(name);
  if (!tool)
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `Unknown tool: ${JSON.stringify(name.slice(0, 80))} (tools/list names the bridge's tools)`,
    );
  const parsed = tool.input.safeParse(args ?? {});
  if (!parsed.success)
    return fail(
      `Invalid arguments for ${name}: ${parsed.error.issues
        .map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`)
        .join("; ")}`,
    );
  try {
    return await tool.run(parsed.data, call);
  } catch (error) {
    return fail(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The low-level `Server` rather than `McpServer`, so that:
 * - one factory serves both eras: a 2025-11-25 session's instance lives as long as the session, a
 *   2026-07-28 instance answers one request (`era`);
 * - the capabilities declared are exactly those served: tools (their list never changes while the
 *   bridge runs, so no `listChanged`) and resources with subscribe and list_changed;
 * - an unknown tool is a JSON-RPC error (-32602), as the spec's tools section says, not a result;
 * - tool names live in a Map: `__proto__` or `toString` is an unknown name like any other;
 * - argument values reach a tool as the client sent them (`__proto__` keys of a JSON value included);
 * - the tools' JSON Schemas are built once, not at every tools/list.
 */
export function createBridgeServer(
  ctx: BridgeContext,
  tools: ToolSet,
  era: Era = "2025-11-25",
): { server: Server; close(): Promise<void> } {
  const server = new Server(SERVER_INFO, {
    instructions: BRIDGE_INSTRUCTIONS,
    capabilities: { tools: {}, resources: { ...RESOURCES_CAPABILITY } },
    jsonSchemaValidator: zodValidator,
    cacheHints: CACHE_HINTS,
  });
  // On 2026-07-28 the client names itself in each request's envelope; on 2025-11-25, at initialize.
  const caller = (envelope: { [CLIENT_INFO_META_KEY]?: { name?: unknown } } | undefined) => {
    const named = envelope?.[CLIENT_INFO_META_KEY]?.name;
    return typeof named === "string" ? named : (server.getClientVersion()?.name ?? "unknown");
  };
  server.setRequestHandler("tools/list", () => ({ tools: tools.list }));
  server.setRequestHandler("tools/call", (request, extra) =>
    callTool(tools, request.params.name, request.params.arguments, {
      client: caller(extra.mcpReq.envelope as Parameters<typeof caller>[0]),
      signal: extra.mcpReq.signal,
    }),
  );
  const unsubscribe = serveNoteResources(server, ctx.notes, era);
  return {
    server,
    close: async () => {
      unsubscribe();
      await server.close();
    },
  };
}
