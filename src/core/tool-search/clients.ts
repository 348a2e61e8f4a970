/**
 * Tools on demand for one client (pure): the servers the manifest's `toolSearch` puts behind its
 * `tools` entry, the manifest's tool rules for it applied first, and the kept tools it gets.
 */
import type { ToolDef } from "../entries/tool-lists.js";
import { rulesFor, type ServerToolRules, toolsFor } from "../manifest/tool-rules.js";
import type { OnDemand } from "./search-and-call.js";
import type { ToolIndex } from "./tool-index.js";

/** What the gateway reads of the manifest's `toolSearch` (entries/share-launch.ts fills it). */
export interface OnDemandPlan {
  /** Each client named, with the servers it reaches through `/tools`. */
  clients: ReadonlyArray<{ client: string; servers: readonly string[] }>;
  /** `<server>/<tool>` listed as they are beside search_tools and call_tool. */
  keep: readonly string[];
}

/** What the gateway knows of each server: its rules, and its tools as last listed (none: never listed). */
export interface OnDemandServers {
  rulesOf(server: string): ServerToolRules | undefined;
  /** Its tools as last listed (`folder`: by its process in that project folder). */
  toolsOf(server: string, folder?: string): readonly ToolDef[] | undefined;
  /** Whether it runs once per project folder (`share: "project"`): its tools depend on the folder. */
  perFolder?(server: string): boolean;
  /** Why a tool of it is held back (core/pins: changed, new or flagged since approved); none: it is not. */
  heldOf?(server: string, tool: string, folder?: string): string | undefined;
}

/**
 * The project folder a request names (`Mcp-Twin-Project`, as the gateway reads it: `cwd`), or why
 * it names none that can be used: a project server's tools are those of its process in that folder.
 */
export type ProjectOf = { ok: true; cwd?: string } | { ok: false; why: string };

/** The index's key of a project server's list in one folder (its server's name holds no NUL). */
export const folderKey = (server: string, folder: string) => `${server}\u0000${folder}`;

/**
 * The index brought up to date with the servers' lists as the gateway holds them now: a server
 * whose list is the same is not indexed again (ToolIndex.put), one no longer behind any client is
 * dropped (and its folders' lists with it).
 */
export function refreshIndex(index: ToolIndex, plan: OnDemandPlan | undefined, known: OnDemandServers): void {
  const wanted = new Set(plan?.clients.flatMap((c) => c.servers) ?? []);
  for (const key of index.servers()) if (!wanted.has(key.split("\u0000")[0] ?? key)) index.drop(key);
  for (const server of wanted) {
    const tools = known.toolsOf(server);
    if (tools) index.put(server, tools);
  }
}

/**
 * The index's key of each server for this request: a project server's list in the request's
 * folder (indexed now if the cache holds it and the index does not), else the one its server was
 * listed with (sync's, from no folder); none when the request names no folder.
 */
function keysOf(
  servers: readonly string[],
  index: ToolIndex,
  known: OnDemandServers,
  project: ProjectOf | undefined,
): Map<string, string | undefined> {
  const keys = new Map<string, string | undefined>();
  for (const server of servers) {
    if (!known.perFolder?.(server)) keys.set(server, server);
    else if (!project?.ok || project.cwd === undefined) keys.set(server, undefined);
    else {
      const tools = known.toolsOf(server, project.cwd);
      const key = folderKey(server, project.cwd);
      if (tools) index.put(key, tools, server);
      keys.set(server, tools ? key : server);
    }
  }
  return keys;
}

/**
 * What `client` gets at `/tools`, calling through `call`; undefined when the manifest does not
 * name it (a request with another client's token, or the bridge's own, finds nothing there).
 * `project`: the folder the request names, for the project servers behind it.
 */
export function onDemandOf(
  plan: OnDemandPlan | undefined,
  client: string | undefined,
  index: ToolIndex,
  known: OnDemandServers,
  call: OnDemand["call"],
  project?: ProjectOf,
): OnDemand | undefined {
  const mine = client === undefined ? undefined : plan?.clients.find((c) => c.client === client);
  if (!plan || !mine || client === undefined) return undefined;
  const rules = new Map(mine.servers.map((s) => [s, rulesFor(known.rulesOf(s) ?? {}, s, client)]));
  const keys = keysOf(mine.servers, index, known, project);
  const byKey = new Map([...keys].flatMap(([server, key]) => (key === undefined ? [] : [[key, server]])));
  const admits = (key: string, tool: string) => {
    const server = byKey.get(key);
    const applied = server === undefined ? undefined : rules.get(server);
    return applied !== undefined && toolsFor(applied, [tool]).kept.length === 1;
  };
  const unsearched = [...keys].filter(([, key]) => key === undefined).map(([server]) => server);
  const held = (id: string) => {
    const server = mine.servers.find((s) => id.startsWith(`${s}/`));
    const folder = project?.ok ? project.cwd : undefined;
    return (
      server &&
      known.heldOf?.(server, id.slice(server.length + 1), known.perFolder?.(server) ? folder : undefined)
    );
  };
  return {
    index,
    held,
    servers: [...keys].flatMap(([name, key]) => (key === undefined ? [] : [{ name, key }])),
    admits,
    keep: plan.keep,
    call,
    ...(unsearched.length > 0 ? { unsearched: { servers: unsearched, why: unsearchedWhy(project) } } : {}),
  };
}

/** Why a request's project servers are not searched: it names no folder, or one that cannot be used. */
const unsearchedWhy = (project: ProjectOf | undefined) =>
  project && !project.ok
    ? project.why
    : "each runs once per project folder, and this request named none (the Mcp-Twin-Project header its entry sends)";
