/**
 * The gateway's one index of tools on demand, kept as the gateway learns each list: a server's
 * list that changed is indexed again at once (pushed, not at the next request), and told to the
 * sessions whose tools it changes.
 */

import type { ServerToolRules } from "../manifest/tool-rules.js";
import { held, type PinnedServer, visibleTools } from "../pins/hold-back.js";
import {
  folderKey,
  type OnDemandPlan,
  type OnDemandServers,
  onDemandOf,
  type ProjectOf,
  refreshIndex,
} from "./clients.js";
import type { OnDemand } from "./search-and-call.js";
import { ToolIndex } from "./tool-index.js";

/** What the gateway knows of a server behind `/tools` (its launch: its tool rules and share mode). */
type LaunchOf = (server: string) => { toolRules?: ServerToolRules; mode: string } | undefined;

export class KeptIndex {
  readonly index = new ToolIndex();
  readonly #plan: () => OnDemandPlan | undefined;
  readonly #known: OnDemandServers;
  readonly #log: (line: string) => void;
  /** Told once a list was indexed again: the open servers of `/tools` (server.ts), which may list other tools. */
  readonly told = new Set<() => void>();

  /**
   * `listed`: a server's `tools/list` as the gateway's cache holds it (`folder`: its process's
   * there); `pinned`: the pins it is judged by (core/pins: a tool held back is neither found nor called).
   */
  constructor(
    plan: () => OnDemandPlan | undefined,
    launchOf: LaunchOf,
    log: (line: string) => void,
    listed: (server: string, folder?: string) => unknown,
    pinned: PinnedServer["cache"],
  ) {
    this.#plan = plan;
    this.#known = {
      rulesOf: (s) => launchOf(s)?.toolRules,
      perFolder: (s) => launchOf(s)?.mode === "project",
      toolsOf: (s, folder) => visibleTools({ name: s, cache: pinned }, listed(s, folder)),
      heldOf: (s, tool, folder) => {
        const lists = { "tools/list": listed(s, folder) };
        return held({ name: s, cache: pinned, cached: () => ({ lists }) }, tool)?.message;
      },
    };
    this.#log = log;
  }

  /**
   * The gateway kept a new tools list of `server` (`folder`: of its process in that project
   * folder): indexed again now when it is behind some client's `tools` and differs from the one held.
   */
  changed(server: string, folder?: string): void {
    if (!this.#plan()?.clients.some((c) => c.servers.includes(server))) return;
    const key = folder === undefined ? server : folderKey(server, folder);
    // A folder's list is indexed once a request of that folder came (onDemandOf), then kept so.
    if (folder !== undefined && !this.index.servers().includes(key)) return;
    const tools = this.#known.toolsOf(server, folder);
    if (!tools || !this.index.put(key, tools, server)) return;
    this.#log(
      `[tools] ${server}${folder ? ` (${folder})` : ""}: its list changed, ${tools.length} tools indexed again`,
    );
    for (const tell of this.told) tell();
  }

  /** What `client` gets for one request (onDemandOf), the index first brought up to the plan. */
  of(client: string | undefined, call: OnDemand["call"], project?: ProjectOf): OnDemand | undefined {
    const plan = this.#plan();
    refreshIndex(this.index, plan, this.#known);
    return onDemandOf(plan, client, this.index, this.#known, call, project);
  }
}
