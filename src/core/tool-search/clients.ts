/**
 * Tools on demand for one client (pure): the servers the manifest's `toolSearch` puts behind its
 * `tools` entry, only the tools it gets of each (the gateway's policy says which), and the kept
 * tools it gets.
 */
import type { ToolDef } from "../entries/tool-lists.js";
import type { OnDemand } from "./search-and-call.js";
import type { ToolIndex } from "./tool-index.js";

/** What the gateway reads of the manifest's `toolSearch` (entries/share-launch.ts fills it). */
export interface OnDemandPlan {
  /** Each client named, with the servers it reaches through `/tools`. */
  clients: ReadonlyArray<{ client: string; servers: readonly string[] }>;
  /** `<server>/<tool>` listed as they are beside search_tools and call_tool. */
  keep: readonly string[];
}

/** Which tools of a server a client gets (gateway/tool-policy.ts); `key`: the same for the same tools admitted. */
export interface Visible {
  admits(tool: string): boolean;
  readonly key: string;
}

/** What the gateway knows of each server: what each client gets of it, and its tools as last listed (none: never listed). */
export interface OnDemandServers {
  /** What `client` gets of `server` (undefined: every tool), its list as last listed (`folder`: there). */
  visible(server: string, client: string, folder?: string): Visible | undefined;
  /** Its tools as last listed (`folder`: by its process in that project folder). */
  toolsOf(server: string, folder?: string): readonly ToolDef[] | undefined;
  /** Whether it runs once per project folder (`share: "project"`): its tools depend on the folder. */
  perFolder?(server: string): boolean;
}

/**
 * The project folder a request names (`Mcp-Twin-Project`, as the gateway reads it: `cwd`), or why
 * it names none that can be used: a project server's tools are those of its process in that folder.
 */
export type ProjectOf = { ok: true; cwd?: string } | { ok: false; why: string };

/** The index's key of a project server's list in one folder (its server's name holds no NUL). */
export const folderKey = (server: string, folder: string) => `${server}\u0000${folder}`;

/** Each list as one client sees it, kept while the list and what decides it are the same (one array: put skips it). */
const seen = new WeakMap<readonly ToolDef[], Map<string, readonly ToolDef[]>>();

/** The tools of `tools` a client gets (`visible`; none: all of them, the same array). */
export function visibleTools(tools: readonly ToolDef[], visible: Visible | undefined): readonly ToolDef[] {
  if (!visible) return tools;
  const byKey = seen.get(tools) ?? new Map<string, readonly ToolDef[]>();
  seen.set(tools, byKey);
  const kept = byKey.get(visible.key) ?? tools.filter((t) => visible.admits(String(t?.name)));
  byKey.set(visible.key, kept);
  return kept;
}

/**
 * `client`'s index brought up to the lists the gateway holds now, each with only the tools it gets
 * (none: every client's servers, whole); a list no longer behind the entry dropped, folders' too.
 */
export function refreshIndex(
  index: ToolIndex,
  plan: OnDemandPlan | undefined,
  known: OnDemandServers,
  client?: string,
): void {
  const wanted = new Set(
    plan?.clients.flatMap((c) => (client === undefined || c.client === client ? c.servers : [])) ?? [],
  );
  for (const key of index.servers()) if (!wanted.has(key.split("\u0000")[0] ?? key)) index.drop(key);
  for (const server of wanted) {
    const tools = known.toolsOf(server);
    const visible = client === undefined ? undefined : known.visible(server, client);
    if (tools) index.put(server, visibleTools(tools, visible));
  }
}

/**
 * The index's key of each server for this request: a project server's list in the request's folder
 * (indexed now if the cache holds it), else its server's; none when the request names no folder.
 */
function keysOf(
  servers: readonly string[],
  index: ToolIndex,
  known: OnDemandServers,
  visible: (server: string) => Visible | undefined,
  project: ProjectOf | undefined,
): Map<string, string | undefined> {
  const keys = new Map<string, string | undefined>();
  for (const server of servers) {
    if (!known.perFolder?.(server)) keys.set(server, server);
    else if (!project?.ok || project.cwd === undefined) keys.set(server, undefined);
    else {
      const tools = known.toolsOf(server, project.cwd);
      const key = folderKey(server, project.cwd);
      if (tools) index.put(key, visibleTools(tools, visible(server)), server);
      keys.set(server, tools ? key : server);
    }
  }
  return keys;
}

/**
 * What `client` gets at `/tools`, calling through `call`; undefined when the manifest does not name
 * it. `index`: its own (refreshIndex); `project`: the folder the request names, for project servers.
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
  const folderOf = (s: string) => (known.perFolder?.(s) && project?.ok ? project.cwd : undefined);
  const visible = new Map(mine.servers.map((s) => [s, known.visible(s, client, folderOf(s))]));
  const keys = keysOf(mine.servers, index, known, (s) => visible.get(s), project);
  const byKey = new Map([...keys].flatMap(([server, key]) => (key === undefined ? [] : [[key, server]])));
  const admits = (key: string, tool: string) => {
    const server = byKey.get(key);
    return server !== undefined && (visible.get(server)?.admits(tool) ?? true);
  };
  const unsearched = [...keys].filter(([, key]) => key === undefined).map(([server]) => server);
  // The longest name: a server named "a" must not take "a/b/x" of a server named "a/b".
  const route = (id: string) => {
    const server = mine.servers.filter((s) => id.startsWith(`${s}/`)).sort((a, b) => b.length - a.length)[0];
    return server === undefined ? undefined : { server, tool: id.slice(server.length + 1) };
  };
  return {
    index,
    route,
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
