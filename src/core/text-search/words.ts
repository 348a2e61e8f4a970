/**
 * Words of a text as a ranker weighs them (pure): split at punctuation and camelCase humps, lower
 * case, filler and contractions' pieces out, stemmed ("screenshots" and "screenshot" are one word).
 */

/**
 * What says nothing about which text is meant: articles, pronouns, auxiliaries, politeness and
 * the words people wrap a need in ("can you please help me …", "so I'd like …").
 */
const FILLER = new Set(
  (
    "a an the of to for in on at by with from into onto and or is are am be been being was were it its " +
    "this that these those i me my mine myself we us our ours you your yours he him his she her they them " +
    "their what which who whom how when where why do does did doing done can could should would will shall " +
    "may might must please some any all one via as if then than there here so just also now right really " +
    "hey hi ok okay thanks thank let lets like want wanna need needs help pls plz kindly maybe actually " +
    "about up out over again very too gonna gotta bit"
  ).split(" "),
);

/** Pieces a contraction leaves: "app's", "it's", "I'd", "we'll", "they've", "you're", "I'm". */
const CONTRACTION = /['’](s|d|ll|ve|re|m)\b/g;

/**
 * One word's stem: plural and verb endings taken off, and a last "e" where Porter's rule drops it
 * (after more than one vowel-consonant run, or one that does not end consonant-vowel-consonant):
 * "created", "creates" and "create" are one word, "changed" and "change" too, while "note" is not
 * "not" nor "site" "sit" (a few rules, the same for texts and queries).
 */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith("ied") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith("sses")) return word.slice(0, -2);
  if (word.endsWith("ss") || word.endsWith("us") || word.endsWith("is")) return word;
  // An ending off only where a vowel is left before it: "string" and "speed" stay.
  const ending =
    word.endsWith("ing") && word.length > 5 ? 3 : /[^e]ed$/.test(word) && word.length > 4 ? 2 : 0;
  if (ending > 0 && /[aeiouy]/.test(word.slice(0, -ending))) return restored(word.slice(0, -ending));
  if (word.endsWith("es") && /(ch|sh|x|z)es$/.test(word)) return word.slice(0, -2);
  return withoutE(word.endsWith("s") ? word.slice(0, -1) : word);
}

/** Whether letter `i` is a vowel ("y" is one after a consonant). */
const vowel = (w: string, i: number): boolean =>
  "aeiou".includes(w[i] ?? "") || (w[i] === "y" && i > 0 && !vowel(w, i - 1));

/** How many vowel-then-consonant runs a word holds (Porter's m). */
function runs(w: string): number {
  let m = 0;
  for (let i = 1; i < w.length; i++) if (vowel(w, i - 1) && !vowel(w, i)) m++;
  return m;
}

/** Whether a word ends consonant, vowel, consonant (not w, x or y): "hop", "sav", "not". */
const short = (w: string): boolean =>
  w.length >= 3 &&
  !vowel(w, w.length - 3) &&
  vowel(w, w.length - 2) &&
  !vowel(w, w.length - 1) &&
  !"wxy".includes(w.at(-1) ?? "");

/** A last "e" off where it says nothing: "create" → "creat", "note" kept. */
function withoutE(w: string): string {
  if (!w.endsWith("e") || w.length <= 3) return w;
  const base = w.slice(0, -1);
  const m = runs(base);
  return m > 1 || (m === 1 && !short(base)) ? base : w;
}

/** What is left of "dropped", "running", "saved" once its ending is off: "drop", "run", "save" (its "e" as withoutE says). */
function restored(word: string): string {
  const last = word.at(-1) ?? "";
  if (word.length > 3 && last === word.at(-2) && !"aeiouls".includes(last)) return word.slice(0, -1);
  return runs(word) === 1 && short(word) ? `${word}e` : withoutE(word);
}

/** The text's words as written, lower case, split (filler kept): what a word vector is looked up by. */
export function surfaceWords(text: string): string[] {
  const spaced = text
    .replace(/n['’]t\b/gi, " not")
    .replace(CONTRACTION, " ")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase();
  return spaced.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== "");
}

/** Whether a word says nothing of what is wanted (a filler word, or a lone letter). */
export const isFiller = (word: string): boolean =>
  FILLER.has(word) || (word.length === 1 && !/\d/.test(word));

/** The text's words as they are indexed and searched: split, filler out, stemmed. */
export function terms(text: string): string[] {
  return surfaceWords(text)
    .filter((w) => !isFiller(w))
    .map(stem);
}

/** The words a question starts with: what it asks is to be read, not changed. */
const ASKING = new Set("what which who whose how where when why is are was were did does do".split(" "));

/** Whether a text asks a question ("what's open on…", "which pods…", "did the checks pass"). */
export const asks = (text: string): boolean => ASKING.has(surfaceWords(text)[0] ?? "");

/** Verbs that only read: a tool named by one answers a question rather than changes anything. */
const READING = new Set(
  "get list search read find show describe view query fetch retrieve explain status log logs diff blame check inspect count".split(
    " ",
  ),
);

/** Whether a text only reads: as its owner says (`said`, a boolean), else as its name does ("get_issue", "listPods"). */
export const onlyReads = (name: string, said?: unknown): boolean =>
  typeof said === "boolean" ? said : surfaceWords(name).some((w) => READING.has(w));
