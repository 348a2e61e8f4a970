/**
 * One search index over every server's tools (pure): BM25+ (MiniSearch) over each tool's name,
 * server, title, description and parameters; a server's tools replaced when its list changes.
 */
import MiniSearch from "minisearch";
import type { ToolDef } from "../entries/tool-lists.js";
import { queryTerms, terms } from "./terms.js";

/**
 * A tool found: its server, the list it came from (`key`: the server's name, or a project
 * folder's list of it), its definition as the server lists it, and its rank's score.
 */
export interface Found {
  server: string;
  key: string;
  tool: ToolDef;
  score: number;
}

/** Whether the asking client gets this tool of this list (`key`): the manifest's rules, applied first. */
export type Admits = (key: string, tool: string) => boolean;

interface Doc {
  id: string;
  key: string;
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

function docOf(key: string, server: string, tool: ToolDef): Doc {
  const annotations = tool.annotations as { title?: unknown } | undefined;
  const titles = [tool.title, annotations?.title].filter((t): t is string => typeof t === "string");
  return {
    id: `${key}/${tool.name}`,
    key,
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
    storeFields: ["key", "name"],
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
   * Each list's tools by name (by key: a server's name, or one of a project folder's), its server,
   * the list they came from and its text: the same list (or an equal one) put again costs nothing —
   * the index is built once per list, never per session.
   */
  readonly #servers = new Map<
    string,
    { server: string; tools: Map<string, ToolDef>; list: readonly ToolDef[]; was: string }
  >();

  /**
   * The server's tools are now these (its list was read or changed); a tool named twice counts
   * once. True when they were indexed again (the list was not the one held).
   */
  put(key: string, tools: readonly ToolDef[], server = key): boolean {
    const held = this.#servers.get(key);
    if (held?.list === tools) return false;
    const was = JSON.stringify(tools);
    if (held?.was === was) {
      held.list = tools;
      return false;
    }
    this.drop(key);
    const byName = new Map<string, ToolDef>();
    for (const tool of tools)
      if (typeof tool?.name === "string" && !byName.has(tool.name)) byName.set(tool.name, tool);
    this.#servers.set(key, { server, tools: byName, list: tools, was });
    this.#search.addAll([...byName.values()].map((tool) => docOf(key, server, tool)));
    return true;
  }

  /** The list is gone (its server removed from the manifest). */
  drop(key: string): void {
    const old = this.#servers.get(key);
    if (!old) return;
    this.#servers.delete(key);
    for (const name of old.tools.keys()) this.#search.discard(`${key}/${name}`);
  }

  servers(): string[] {
    return [...this.#servers.keys()];
  }

  /** The tools of list `key` as put (in its list's order). */
  tools(key: string): ToolDef[] {
    return [...(this.#servers.get(key)?.tools.values() ?? [])];
  }

  /** One tool by list and name, or undefined. */
  get(key: string, name: string): ToolDef | undefined {
    return this.#servers.get(key)?.tools.get(name);
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
    const add = (key: string, tool: ToolDef | undefined, score: number) => {
      const id = `${key}/${tool?.name}`;
      const server = this.#servers.get(key)?.server;
      if (!tool || server === undefined || seen.has(id) || !admits(key, tool.name)) return;
      seen.add(id);
      found.push({ server, key, tool, score });
    };
    const named = this.named(q, admits);
    if (named) add(named.key, named.tool, Infinity);
    for (const [key, { tools }] of this.#servers) add(key, tools.get(q), Infinity);
    if (found.length >= limit) return found.slice(0, limit);
    const ranked = this.#search.search(q, {
      filter: (r) => !seen.has(r.id) && admits(r.key as string, r.name as string),
    });
    for (const r of ranked) {
      if (found.length >= limit) break;
      add(r.key as string, this.get(r.key as string, r.name as string), r.score);
    }
    return found;
  }

  /** `select:`'s names, each `<server>/<tool>`, in the order given; one not there (or not the client's) is left out. */
  #select(names: string, admits: Admits): Found[] {
    const found: Found[] = [];
    for (const id of names.split(",")) {
      const named = this.named(id.trim(), admits);
      if (!named || found.some((f) => f.tool === named.tool)) continue;
      found.push({ ...named, score: Infinity });
    }
    return found;
  }

  /**
   * The tool a `<server>/<tool>` name names (a server's name may itself hold a `/`) in a list the
   * client gets (`admits`: of a project server, its folder's), or undefined.
   */
  named(id: string, admits: Admits): { server: string; key: string; tool: ToolDef } | undefined {
    for (const [key, { server, tools }] of this.#servers) {
      const tool = id.startsWith(`${server}/`) ? tools.get(id.slice(server.length + 1)) : undefined;
      if (tool && admits(key, tool.name)) return { server, key, tool };
    }
    return undefined;
  }
}
