/**
 * The bridge's own tools (the built-ins and the plugins'), and the shared state they work on;
 * own-server.ts serves them.
 */
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

/** The tools every session serves: listed as given; by name in a Map once their code loads (a first call). */
export class ToolSet {
  readonly list: readonly object[];
  readonly #load: () => Promise<readonly BridgeTool[]>;
  #byName: Promise<Map<string, BridgeTool>> | undefined;

  constructor(list: readonly object[], load: () => Promise<readonly BridgeTool[]>) {
    this.list = list;
    this.#load = load;
  }

  async get(name: string): Promise<BridgeTool | undefined> {
    this.#byName ??= this.#load().then((tools) => new Map(tools.map((t) => [t.name, t])));
    return (await this.#byName).get(name);
  }
}
