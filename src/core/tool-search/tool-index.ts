/**
 * One search index over every server's tools (pure): BM25+ (MiniSearch) over each tool's name,
 * server, title, description and parameters; a server's tools replaced when its list changes.
 */
import MiniSearch from "minisearch";
import type { ToolDef } from "../entries/tool-lists.js";
import { queryTerms, terms } from "./terms.js";

/** A tool found: its server, its definition as the server lists it, and its rank's score. */
export interface Found {
  server: string;
  tool: ToolDef;
  score: number;
}

/** Whether the asking client gets this tool of this server (the manifest's rules, applied first). */
export type Admits = (server: string, tool: string) => boolean;

interface Doc {
  id: string;
  name: string;
  server: string;
  title: string;
  description: string;
  params: string;
}

/**
 * Field weights, tuned on test/fixtures/tool-search/queries.json (the catalogue's real tools): a
 * word of the name says most about what a tool does; parameters' words say least.
 */
const BOOST = { name: 2, title: 2, server: 2, description: 1.5, params: 0.5 };

/** The words of a tool's parameters: each one's name and description, one level deep. */
function paramsText(schema: unknown): string {
  const props = (schema as { properties?: unknown } | undefined)?.properties;
  if (!props || typeof props !== "object") return "";
  return Object.entries(props as Record<string, { description?: unknown }>)
    .map(([name, p]) => `${name} ${typeof p?.description === "string" ? p.description : ""}`)
    .join(" ");
}

function docOf(server: string, tool: ToolDef): Doc {
  const annotations = tool.annotations as { title?: unknown } | undefined;
  const titles = [tool.title, annotations?.title].filter((t): t is string => typeof t === "string");
  return {
    id: `${server}/${tool.name}`,
    name: tool.name,
    server,
    title: titles.join(" "),
    description: typeof tool.description === "string" ? tool.description : "",
    params: paramsText(tool.inputSchema),
  };
}

export class ToolIndex {
  readonly #search = new MiniSearch<Doc>({
    fields: ["name", "server", "title", "description", "params"],
    storeFields: ["server", "name"],
    tokenize: (text) => [text],
    processTerm: (text) => terms(text),
    searchOptions: {
      processTerm: (text) => queryTerms(text),
      boost: BOOST,
      // "screenshot" finds "screenshots"; one typo in a long word is forgiven.
      prefix: (term) => term.length >= 4,
      fuzzy: false,
      combineWith: "OR",
    },
  });
  /**
   * Each server's tools by name, and the list they came from and its text: the same list (or an
   * equal one) put again costs nothing — the index is built once per list, never per session.
   */
  readonly #servers = new Map<
    string,
    { tools: Map<string, ToolDef>; list: readonly ToolDef[]; was: string }
  >();

  /** The server's tools are now these (its list was read or changed); a tool named twice counts once. */
  put(server: string, tools: readonly ToolDef[]): void {
    const held = this.#servers.get(server);
    if (held?.list === tools) return;
    const was = JSON.stringify(tools);
    if (held?.was === was) {
      held.list = tools;
      return;
    }
    this.drop(server);
    const byName = new Map<string, ToolDef>();
    for (const tool of tools)
      if (typeof tool?.name === "string" && !byName.has(tool.name)) byName.set(tool.name, tool);
    this.#servers.set(server, { tools: byName, list: tools, was });
    this.#search.addAll([...byName.values()].map((tool) => docOf(server, tool)));
  }

  /** The server is gone (removed from the manifest). */
  drop(server: string): void {
    const old = this.#servers.get(server);
    if (!old) return;
    this.#servers.delete(server);
    for (const name of old.tools.keys()) this.#search.discard(`${server}/${name}`);
  }

  servers(): string[] {
    return [...this.#servers.keys()];
  }

  /** The tools of `server` as put (in its list's order). */
  tools(server: string): ToolDef[] {
    return [...(this.#servers.get(server)?.tools.values() ?? [])];
  }

  /** One tool by server and name, or undefined. */
  get(server: string, name: string): ToolDef | undefined {
    return this.#servers.get(server)?.tools.get(name);
  }

  /**
   * The best `limit` matches the client gets: `select:<server>/<tool>[,…]` gives those; a query
   * that is a tool's name (`<server>/<tool>` or the tool's own) puts it first; then BM25+ rank.
   */
  search(query: string, limit: number, admits: Admits): Found[] {
    const q = query.trim();
    if (q.startsWith("select:")) return this.#select(q.slice("select:".length), admits).slice(0, limit);
    const found: Found[] = [];
    const seen = new Set<string>();
    const add = (server: string, tool: ToolDef | undefined, score: number) => {
      const id = `${server}/${tool?.name}`;
      if (!tool || seen.has(id) || !admits(server, tool.name)) return;
      seen.add(id);
      found.push({ server, tool, score });
    };
    const named = this.named(q);
    if (named) add(named.server, named.tool, Infinity);
    for (const [server, { tools }] of this.#servers) add(server, tools.get(q), Infinity);
    if (found.length >= limit) return found.slice(0, limit);
    const ranked = this.#search.search(q, {
      filter: (r) => !seen.has(r.id) && admits(r.server as string, r.name as string),
    });
    for (const r of ranked) {
      if (found.length >= limit) break;
      add(r.server as string, this.get(r.server as string, r.name as string), r.score);
    }
    return found;
  }

  /** `select:`'s names, each `<server>/<tool>`, in the order given; one not there (or not the client's) is left out. */
  #select(names: string, admits: Admits): Found[] {
    const found: Found[] = [];
    for (const id of names.split(",")) {
      const named = this.named(id.trim());
      if (!named || !admits(named.server, named.tool.name) || found.some((f) => f.tool === named.tool))
        continue;
      found.push({ ...named, score: Infinity });
    }
    return found;
  }

  /** The tool a `<server>/<tool>` name names (a server's name may itself hold a `/`), or undefined. */
  named(id: string): { server: string; tool: ToolDef } | undefined {
    for (const [server, { tools }] of this.#servers) {
      const tool = id.startsWith(`${server}/`) ? tools.get(id.slice(server.length + 1)) : undefined;
      if (tool) return { server, tool };
    }
    return undefined;
  }
}
