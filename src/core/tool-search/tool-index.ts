/**
 * One search index over every server's tools: what of a tool is searched (name, server, title,
 * description, parameters at any depth), ranked by core/text-search; a list replaced when it changes.
 */
import type { ToolDef } from "../entries/tool-lists.js";
import { firstSentence, paramsText } from "../text-search/described.js";
import { EVERYDAY } from "../text-search/everyday-words.js";
import { type Examples, loadExamples, saidOf } from "../text-search/examples.js";
import { type Field, TextRanker, type Weights } from "../text-search/ranker.js";
import { loadWordVectors, type WordVectors } from "../text-search/word-vectors.js";
import { isFiller, onlyReads, surfaceWords } from "../text-search/words.js";

/** A tool found; `key`: its list (a server's, or a project folder's); `matched`: 0–1 of the query's words. */
export interface Found {
  server: string;
  key: string;
  tool: ToolDef;
  score: number;
  coverage: number;
}

/** Whether the asking client gets this tool of this list (`key`): the manifest's rules, applied first. */
export type Admits = (key: string, tool: string) => boolean;

/**
 * What a tool is found by, and how much each weighs (tuned on test/fixtures/tool-search/needs.json):
 * its name most, its first sentence more than the rest (a 7,000-character description is no magnet),
 * its parameters least; what people asked of it (tool-examples.json), or lower, of known tools named
 * like it, below its name. Its meaning: name, title, first sentence, examples, a little description.
 */
const FIELDS: Field[] = [
  { name: "name", weight: 3, b: 0.3, meaning: 2 },
  { name: "title", weight: 2, b: 0.3, meaning: 1 },
  { name: "server", weight: 1.5, b: 0.3 },
  { name: "summary", weight: 1, b: 0.5, meaning: 1 },
  { name: "description", weight: 0.2, b: 0.9, meaning: 0.3, meaningWords: 40 },
  { name: "params", weight: 0.2, b: 0.8 },
  { name: "examples", weight: 0.45, b: 0.3, meaning: 1, said: true },
  { name: "borrowed", weight: 0.25, b: 0.3, meaning: 1, lent: true },
];

/**
 * The vectors and examples shipped beside the code that reads them (src/ in a checkout; dist/, or
 * above a bundle's folder, as the bridge's dist/serve/, when built), read once for the process at
 * its first search.
 */
let shipped: { vectors: WordVectors | undefined; examples: Examples | undefined } | undefined;
function shippedFiles() {
  shipped ??= {
    vectors: loadWordVectors([
      new URL("../text-search/word-vectors.bin", import.meta.url),
      new URL("./word-vectors.bin", import.meta.url),
      new URL("../word-vectors.bin", import.meta.url),
    ]),
    examples: loadExamples([
      new URL("./tool-examples.json", import.meta.url),
      new URL("../tool-examples.json", import.meta.url),
    ]),
  };
  return shipped;
}

export class ToolIndex {
  readonly #search: TextRanker;
  /** Each list's tools, by key: the same (or an equal) list put again costs nothing. */
  readonly #servers = new Map<
    string,
    { server: string; tools: Map<string, ToolDef>; list: readonly ToolDef[]; was: string }
  >();

  /** Each tool's id in the ranker, as its list's key and its name (the ranker's filter asks per tool: no split each time). */
  readonly #parts = new Map<string, readonly [string, string]>();
  #preparing = false;
  /** What people asked of tools, read at the first search (null: not yet; undefined: none). */
  #examples: Examples | undefined | null = null;
  readonly #examplesOf: () => Examples | undefined;

  /** `vectors`, `examples`: what the first search loads (the shipped ones unless given); `weights`, `synonyms`: for tuning. */
  constructor(
    vectors: () => WordVectors | undefined = () => shippedFiles().vectors,
    weights?: Partial<Weights>,
    synonyms: Readonly<Record<string, readonly string[]>> = EVERYDAY,
    examples: () => Examples | undefined = () => shippedFiles().examples,
  ) {
    this.#search = new TextRanker({ fields: FIELDS, synonyms, vectors, ...(weights ? { weights } : {}) });
    this.#examplesOf = examples;
  }

  /** The server's tools are now these (a tool named twice counts once); true when indexed again. */
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
    for (const tool of byName.values()) this.#add(key, server, tool);
    return true;
  }

  /** A tool indexed: its own words, and what people asked of it (once read) besides its name. */
  #add(key: string, server: string, tool: ToolDef): void {
    const hints = tool.annotations as { title?: unknown; readOnlyHint?: unknown } | undefined;
    const said = saidOf(this.#examples, tool.name, tool.description, server);
    const texts = { ...textsOf(server, tool, hints?.title), ...said };
    this.#parts.set(idOf(key, tool.name), [key, tool.name]);
    this.#search.add(idOf(key, tool.name), texts, onlyReads(tool.name, hints?.readOnlyHint), server);
  }

  drop(key: string): void {
    const old = this.#servers.get(key);
    if (!old) return;
    this.#servers.delete(key);
    for (const name of old.tools.keys()) {
      this.#search.remove(idOf(key, name));
      this.#parts.delete(idOf(key, name));
    }
  }

  /** The examples read once, at a first search (never for a bridge or command that does not search), each tool indexed with its own. */
  #withExamples(): void {
    if (this.#examples !== null) return;
    this.#examples = this.#examplesOf();
    for (const [key, { tools, server }] of this.#servers)
      for (const t of tools.values())
        this.#search.extend(idOf(key, t.name), saidOf(this.#examples, t.name, t.description, server));
  }

  /** A first search's work done just after this request: a client lists long before its model searches. */
  prepareSoon(): void {
    if (this.#preparing) return;
    this.#preparing = true;
    setImmediate(() => {
      this.#preparing = false;
      this.prepare();
    }).unref();
  }

  /** A first search's work done now: see TextRanker.prepare. */
  prepare(): void {
    this.#withExamples();
    this.#search.prepare();
  }

  /** Whether a search would find the word vectors read (prepared, or searched once). */
  get ready(): boolean {
    return this.#search.ready;
  }

  servers(): string[] {
    return [...this.#servers.keys()];
  }

  /** The tools of list `key` as put (in its list's order). */
  tools(key: string): ToolDef[] {
    return [...(this.#servers.get(key)?.tools.values() ?? [])];
  }

  /**
   * What a list's tools are for, in a few words: the words of their names that are most its own
   * (frequent in its names, rare elsewhere), its server's own name left out.
   */
  about(key: string, admits: Admits, most = 4): string {
    const held = this.#servers.get(key);
    if (!held) return "";
    const own = new Set(surfaceWords(held.server));
    const counts = new Map<string, number>();
    for (const tool of held.tools.values()) {
      if (!admits(key, tool.name)) continue;
      for (const word of new Set(surfaceWords(tool.name)))
        if (!isFiller(word) && !own.has(word) && word.length > 2)
          counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    return [...counts]
      .map(([word, n]) => [word, Math.sqrt(n) * this.#search.idf(word)] as const)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, most)
      .map(([word]) => word)
      .join(", ");
  }

  get(key: string, name: string): ToolDef | undefined {
    return this.#servers.get(key)?.tools.get(name);
  }

  /**
   * The best `limit` matches the client gets (`within`: of that server alone): `select:<server>/<tool>[,…]`
   * gives those; a query that is a tool's name (`<server>/<tool>` or the tool's own) puts it first;
   * then the ranking.
   */
  search(query: string, limit: number, admits: Admits, within?: string): Found[] {
    const q = query.trim();
    const mine: Admits = (key, tool) =>
      admits(key, tool) && (within === undefined || this.#servers.get(key)?.server === within);
    if (q.startsWith("select:")) return this.#select(q.slice("select:".length), mine).slice(0, limit);
    const found: Found[] = [];
    const seen = new Set<string>();
    const add = (key: string, tool: ToolDef | undefined, score: number, coverage: number) => {
      const id = idOf(key, tool?.name ?? "");
      const server = this.#servers.get(key)?.server;
      if (!tool || server === undefined || seen.has(id) || !mine(key, tool.name)) return;
      seen.add(id);
      found.push({ server, key, tool, score, coverage });
    };
    const named = this.named(q, mine);
    if (named) add(named.key, named.tool, Infinity, 1);
    for (const [key, { tools }] of this.#servers) add(key, tools.get(q), Infinity, 1);
    if (found.length >= limit) return found.slice(0, limit);
    this.#withExamples();
    const ranked = this.#search.search(q, limit + found.length, (id) => {
      const [key, name] = this.#parts.get(id) ?? ["", ""];
      return !seen.has(id) && mine(key, name);
    });
    for (const r of ranked) {
      if (found.length >= limit) break;
      const [key, name] = this.#parts.get(r.id) ?? ["", ""];
      add(key, this.get(key, name), r.score, r.coverage);
    }
    return found;
  }

  /** `select:`'s names, each `<server>/<tool>`, in the order given; one not there (or not the client's) is left out. */
  #select(names: string, admits: Admits): Found[] {
    const found: Found[] = [];
    for (const id of names.split(",")) {
      const named = this.named(id.trim(), admits);
      if (!named || found.some((f) => f.tool === named.tool)) continue;
      found.push({ ...named, score: Infinity, coverage: 1 });
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
  }
}

/** A tool's id in the ranker: its list's key (which may hold a `/`) and its name, apart by \u0001. */
const idOf = (key: string, name: string) => `${key}\u0001${name}`;

/** What a tool is found by, field by field (`title`: its annotations'). */
function textsOf(server: string, tool: ToolDef, title: unknown): Record<string, string> {
  const description = typeof tool.description === "string" ? tool.description : "";
  return {
    name: tool.name,
    title: [tool.title, title].filter((t) => typeof t === "string").join(" "),
    server,
    summary: firstSentence(description),
    description,
    params: paramsText(tool.inputSchema),
  };
}
