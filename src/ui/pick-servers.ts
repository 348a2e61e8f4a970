/**
 * init's picker: a searchable multi-select over the catalogue and, as the user types, the MCP
 * Registry; the catalogue works without the network.
 */
import type { Template } from "../core/catalogue/index.js";
import { searchTemplates } from "../core/catalogue/index.js";
import { type RegistryClient, RegistryError } from "../core/registry/api.js";
import { shortName, summarize } from "../core/registry/convert.js";
import type { RegistryEntry } from "../core/registry/schema.js";
import { untrusted } from "../core/text/control-chars.js";
import type { Choice, Prompts } from "./prompts.js";

type Picked = { kind: "catalogue"; template: Template } | { kind: "registry"; entry: RegistryEntry };

export interface PickResult {
  picked: Picked[];
}

const DONE = "\u0000done";
const NOTE = "\u0000note";
const REGISTRY = "registry:";
/** Wait this long after the last key before asking the registry. */
const TYPING_PAUSE_MS = 250;

/**
 * Type to filter, Enter adds (or removes) the highlighted server, "Done" goes on; with nothing
 * typed "Done" comes first, so Enter right away skips it. The registry is asked only for a typed
 * term (after a short pause in typing), each answer is cached, and when it cannot be reached one
 * line says so and the catalogue goes on working.
 */
export async function pickServers(
  prompts: Prompts,
  templates: readonly Template[],
  /** Servers that cannot be added here, and why ("already in the manifest", "being imported …"). */
  taken: ReadonlyMap<string, string>,
  dim: (text: string) => string,
  registry: (() => Promise<RegistryClient>) | undefined,
): Promise<PickResult> {
  const picked = new Set<string>();
  const seen = new Map<string, RegistryEntry>();
  let registryNote: string | undefined;
  const clip = (text: string, width: number) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);
  const label = (value: string) => (value.startsWith(REGISTRY) ? value.slice(REGISTRY.length) : value);

  const fromRegistry = async (words: string[], signal: AbortSignal): Promise<Choice<string>[]> => {
    if (!registry || words.join("").length < 2) return [];
    if (registryNote)
      return [
        { name: `MCP Registry: ${registryNote}`, value: NOTE, disabled: "(the catalogue still works)" },
      ];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, TYPING_PAUSE_MS);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
    const client = await registry();
    let entries: RegistryEntry[];
    try {
      entries = (await client.find(words, { limit: 8, maxPages: 1, signal })).entries;
    } catch (error) {
      if (signal.aborted || !(error instanceof RegistryError)) throw error;
      // A clause after "MCP Registry: " (its message names the registry again).
      registryNote = error.reason;
      return [
        { name: `MCP Registry: ${registryNote}`, value: NOTE, disabled: "(the catalogue still works)" },
      ];
    }
    return entries.map((entry) => {
      // The prompt draws these itself (not through the Output): the registry's text, escaped here.
      const r = summarize(entry);
      const s = {
        ...r,
        package: untrusted(r.package),
        description: untrusted(r.description),
        secrets: r.secrets.map(untrusted),
        why: r.why === undefined ? undefined : untrusted(r.why),
      };
      seen.set(s.name, entry);
      const value = `${REGISTRY}${s.name}`;
      const about = [s.package, s.secrets.length > 0 ? `needs ${s.secrets.join(", ")}` : "", s.description]
        .filter(Boolean)
        .join(" · ");
      return {
        name: `${picked.has(value) ? "✔" : " "} ${s.name.padEnd(20)} ${dim(clip(s.description, 52))}`,
        value,
        short: s.name,
        description: taken.get(shortName(s.name)) ?? about,
        ...(!s.way
          ? { disabled: `(mcp-twin cannot add it: ${s.why})` }
          : taken.has(shortName(s.name))
            ? { disabled: `(${taken.get(shortName(s.name))})` }
            : {}),
      };
    });
  };

  for (;;) {
    const doneChoice: Choice<string> = {
      name: picked.size > 0 ? `Done — go on with ${[...picked].map(label).join(", ")}` : "Done — go on",
      value: DONE,
      short: "Done",
    };
    const name = await prompts.search<string>({
      message: `Add servers from the catalogue${registry ? " or the MCP Registry" : ""} (type to ${registry ? "search" : "filter"}, Enter adds or removes, Done goes on)`,
      source: async (term, { signal }) => {
        // A server that cannot be added here is shown with why, and cannot be chosen: choosing it
        // would print an answer line for a server that is not added.
        const matches = (term ? searchTemplates(templates, term) : templates).map((t) => {
          const why = taken.get(t.name);
          return {
            name: `${picked.has(t.name) ? "✔" : " "} ${t.name.padEnd(20)} ${dim(clip(untrusted(t.description), 52))}`,
            value: t.name,
            short: t.name,
            description: why ?? untrusted(t.description),
            ...(why ? { disabled: `(${why})` } : {}),
          };
        });
        if (!term) return [doneChoice, ...matches];
        let remote: Choice<string>[] = [];
        try {
          remote = await fromRegistry(term.trim().split(/\s+/).filter(Boolean), signal);
        } catch (error) {
          if (signal.aborted) return []; // a newer term replaced this one
          throw error;
        }
        return [...matches, ...remote, doneChoice];
      },
    });
    if (name === DONE) break;
    if (name === NOTE) continue;
    if (taken.has(name.startsWith(REGISTRY) ? shortName(label(name)) : name)) continue;
    if (picked.has(name)) picked.delete(name);
    else picked.add(name);
  }
  const result: Picked[] = templates
    .filter((t) => picked.has(t.name))
    .map((template) => ({ kind: "catalogue", template }));
  for (const value of picked) {
    // A registry line can be picked only once the search showed it (and `seen` holds it).
    const entry = value.startsWith(REGISTRY) ? seen.get(label(value)) : undefined;
    if (entry) result.push({ kind: "registry", entry });
  }
  // An unreachable registry was said in the list, where the search failed: not again after it.
  return { picked: result };
}
