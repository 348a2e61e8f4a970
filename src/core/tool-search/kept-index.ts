/**
 * The gateway's indexes of tools on demand, one per client, of the tools it gets only (its search
 * scores nothing else), kept as the gateway learns each list: a changed one is indexed again at once
 * (pushed, not at the next request) and told to the sessions whose tools it changes.
 */

import type { ToolDef } from "../entries/tool-lists.js";
import { countOf } from "../text/prose-lists.js";
import { indexable } from "./bounds.js";
import {
  folderKey,
  type OnDemandPlan,
  type OnDemandServers,
  onDemandOf,
  type ProjectOf,
  refreshIndex,
  visibleTools,
} from "./clients.js";
import type { OnDemand } from "./search-and-call.js";
import { ToolIndex } from "./tool-index.js";

/** What the gateway knows of a server behind `/tools`: its share mode, and what a client gets of it. */
type Known = Pick<OnDemandServers, "visible"> & { mode(server: string): string | undefined };

export class KeptIndex {
  /** Each client's own index (the clients toolSearch names: a handful). */
  readonly #indexes = new Map<string, ToolIndex>();
  readonly #plan: () => OnDemandPlan | undefined;
  readonly #known: OnDemandServers;
  readonly #log: (line: string) => void;
  /** Told once a list was indexed again: the open upstreams of `/tools`, which may list other tools. */
  readonly told = new Set<() => void>();

  /** `listed`: a server's tools list as the gateway's cache holds it (`folder`: its process's there). */
  constructor(
    plan: () => OnDemandPlan | undefined,
    known: Known,
    log: (line: string) => void,
    listed: (server: string, folder?: string) => unknown,
  ) {
    this.#plan = plan;
    this.#known = {
      visible: known.visible,
      perFolder: (s) => known.mode(s) === "project",
      // A tool past the bounds is left out of search, a list past them its server (bounds.ts), said once.
      toolsOf: (s, folder) => {
        const tools = listed(s, folder);
        const said = (why: string) =>
          log(`[tools] ${s}${folder ? ` (${folder})` : ""}: left out of search: ${why}`);
        return Array.isArray(tools) ? (indexable(tools, said) as ToolDef[]) : undefined;
      },
    };
    this.#log = log;
  }

  /** `client`'s index as it stands (none before its first request). */
  indexOf(client: string): ToolIndex | undefined {
    return this.#indexes.get(client);
  }

  /** A new tools list of `server` (`folder`: its process's there), indexed again where it is behind and differs. */
  changed(server: string, folder?: string): void {
    const key = folder === undefined ? server : folderKey(server, folder);
    const tools = this.#known.toolsOf(server, folder);
    let again = false;
    for (const { client, servers } of this.#plan()?.clients ?? []) {
      const index = this.#indexes.get(client);
      // A folder's list is indexed once a request of that folder came (onDemandOf), then kept so.
      if (!index || !tools || !servers.includes(server)) continue;
      if (folder !== undefined && !index.servers().includes(key)) continue;
      if (index.put(key, visibleTools(tools, this.#known.visible(server, client, folder)), server))
        again = true;
    }
    if (!again || !tools) return;
    this.#log(
      `[tools] ${server}${folder ? ` (${folder})` : ""}: its list changed, ${countOf(tools.length, "tool")} indexed again`,
    );
    for (const tell of this.told) tell();
  }

  /** What `client` gets for one request (onDemandOf), its index first brought up to the plan. */
  of(client: string | undefined, call: OnDemand["call"], project?: ProjectOf): OnDemand | undefined {
    const plan = this.#plan();
    for (const named of this.#indexes.keys())
      if (!plan?.clients.some((c) => c.client === named)) this.#indexes.delete(named);
    if (client === undefined || !plan?.clients.some((c) => c.client === client)) return undefined;
    const index = this.#indexes.get(client) ?? new ToolIndex();
    this.#indexes.set(client, index);
    refreshIndex(index, plan, this.#known, client);
    index.prepareSoon();
    return onDemandOf(plan, client, index, this.#known, call, project);
  }
}
