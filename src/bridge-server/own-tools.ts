/**
 * The bridge's own tools, built once per process (the built-ins and the plugins'), and the shared
 * state they work on; own-server.ts serves them.
 */
import type { Tool } from "@modelcontextprotocol/server";
import { z } from "zod";
import type { BridgeFiles } from "../core/bridge-link/index.js";
import type { ShareStatus } from "./gateway/index.js";
import type { JsonStore } from "./json-store.js";
import type { NotesFolder } from "./notes-folder.js";
import type { LoadedPlugins } from "./plugins.js";
import type { SessionInfo } from "./sessions.js";
import type { TokenGuard } from "./token-guard.js";
import type { BridgeTool } from "./tools/define.js";
import type { HandoffData } from "./tools/handoff-data.js";
import type { MemoryData } from "./tools/memory-data.js";

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
 * The tools every session serves: looked up by name in a Map (`__proto__` or `toString` is an
 * unknown name like any other), listed from one array whose JSON Schemas are built once.
 */
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
