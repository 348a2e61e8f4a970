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

/** What people asked of a text (its name and description) besides what its name says; "" for one not known. */
export const saidOf = (examples: Examples | null | undefined, name: string, description: unknown): string =>
  examples?.get(examplesKey(name, description)) ?? "";

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
