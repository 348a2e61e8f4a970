/**
 * What people asked of a text, in their own words ("put my half-done work away" of `git_stash`),
 * kept under the text's name and its description's opening: a text is found by what people ask of
 * it, not only by what it says. Pure but for `loadExamples`.
 */

/*
 * Pinned: a text's examples apply to a text of that name whose description opens with the same
 * words, and to no other. One renamed, or rewritten in what it is for, loses them and is ranked by
 * its own words, as any text the examples do not know: needs written for one never lift another
 * that took its name.
 */
import { readFileSync } from "node:fs";
import { stem, surfaceWords } from "./words.js";

/** How much of a description's opening examples are pinned to (characters, spaces collapsed). */
const OPENING = 80;

/** A description's opening: its first characters, spaces collapsed (the file's `opens`). */
export const opening = (description: string): string =>
  description.replace(/\s+/g, " ").trim().slice(0, OPENING);

const keyOf = (name: string, opens: string) => `${name}\n${opens}`;

/** What a text's examples are kept under: its name and its description's opening. */
export const examplesKey = (name: string, description: unknown): string =>
  keyOf(name, typeof description === "string" ? opening(description) : "");

/** The file: each text by its name and opening, with what people asked of it. */
export interface ExamplesFile {
  about: string;
  tools: Array<{ name: string; opens: string; needs: string[] }>;
}

/** Each known text's examples, joined into one, the words its name says left out, by `examplesKey`. */
export type Examples = ReadonlyMap<string, string>;

/**
 * The words of a text's examples that its name does not say: what the name says counts by the
 * name, and counted again here one word of a need ("drop") would decide between `drop-index` and
 * `drop-collection` over the word that tells them apart.
 */
function saidBesides(examples: string, name: string): string {
  const named = new Set(surfaceWords(name).map(stem));
  return surfaceWords(examples)
    .filter((word) => !named.has(stem(word)))
    .join(" ");
}

/**
 * What people asked of a text (its name and description) besides what its name says — or, for one
 * no examples file knows, of a group (`group`: its server's name), what they asked of the known
 * texts whose names say most nearly what its name does (`borrowed`: its own field, weighed lower).
 */
export function saidOf(
  examples: Examples | null | undefined,
  name: string,
  description: unknown,
  group?: string,
): { examples: string } | { borrowed: string } {
  const own = examples?.get(examplesKey(name, description));
  if (own !== undefined || !examples || group === undefined) return { examples: own ?? "" };
  return { borrowed: borrowed(examples, name, group) };
}

/**
 * The least overlap of two names (their shared words' rarity over their union's) at which a text
 * borrows the other's examples: 0.35 best of 0.25–0.7 on two thirds of the unseen servers' needs, by
 * server, and on the other third (docs/dev/performance.md).
 */
const BORROW = 0.35;
/** The most known texts one borrows from (those tied best). */
const LENDERS = 3;

/** The known texts' names: each one's words and their rarity summed, the names holding each word. */
interface KnownNames {
  words: Map<string, number>;
  byWord: Map<string, string[]>;
  idf: (word: string) => number;
}
const knownNames = new WeakMap<Examples, KnownNames>();

/** A name's words that say what it does: stemmed, its group's name's words left out ("playwright_click" of playwright: "click"). */
function nameWords(name: string, group = ""): Set<string> {
  const own = new Set(surfaceWords(group).map(stem));
  return new Set(
    surfaceWords(name)
      .map(stem)
      .filter((t) => t.length > 1 && !own.has(t)),
  );
}

/** The known names, read once per examples (at the first search that borrows). */
function namesOf(examples: Examples): KnownNames {
  const held = knownNames.get(examples);
  if (held) return held;
  const byWord = new Map<string, string[]>();
  for (const key of examples.keys())
    for (const t of nameWords(key.slice(0, key.indexOf("\n"))))
      byWord.set(t, [...(byWord.get(t) ?? []), key]);
  const idf = (t: string) => Math.log(1 + examples.size / (byWord.get(t)?.length ?? 0.5));
  const words = new Map<string, number>();
  for (const key of examples.keys())
    words.set(
      key,
      [...nameWords(key.slice(0, key.indexOf("\n")))].reduce((sum, t) => sum + idf(t), 0),
    );
  const made = { words, byWord, idf };
  knownNames.set(examples, made);
  return made;
}

/**
 * What was asked of the known texts whose names overlap this one's most, by their words' rarity
 * among the known names (at least BORROW): executeautomation-playwright's `playwright_screenshot`
 * is found by what was asked of puppeteer's `puppeteer_screenshot`. People ask of a kind of tool
 * in the same words whatever its server; a name that shares only a common word ("get") borrows nothing.
 */
function borrowed(examples: Examples, name: string, group: string): string {
  const { words, byWord, idf } = namesOf(examples);
  const mine = nameWords(name, group);
  let mineWeight = 0;
  const shared = new Map<string, number>();
  for (const t of mine) {
    mineWeight += idf(t);
    for (const key of byWord.get(t) ?? []) shared.set(key, (shared.get(key) ?? 0) + idf(t));
  }
  let best = BORROW;
  let lenders: string[] = [];
  for (const [key, both] of shared) {
    // A known tool's name with another description may be that tool rewritten: never lent its own needs (the pin above).
    if (key.startsWith(`${name}\n`)) continue;
    const overlap = both / (mineWeight + (words.get(key) ?? 0) - both);
    if (overlap > best + 1e-9) [best, lenders] = [overlap, [key]];
    else if (overlap >= best - 1e-9) lenders.push(key);
  }
  return lenders
    .slice(0, LENDERS)
    .map((key) => examples.get(key) ?? "")
    .join(" . ");
}
/** The first of `candidates` that exists, read. */
export function loadExamples(candidates: readonly URL[]): Examples | undefined {
  for (const file of candidates) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    const { tools } = JSON.parse(text) as ExamplesFile;
    // Once, as read: every index (one per client) then takes each tool's as it is.
    return new Map(
      tools.map(({ name, opens, needs }) => [keyOf(name, opens), saidBesides(needs.join(" . "), name)]),
    );
  }
  return undefined;
}
