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

/** One word's stem: plural and verb endings taken off (a few rules, the same for texts and queries). */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith("ies") && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith("sses")) return word.slice(0, -2);
  if (word.endsWith("ss") || word.endsWith("us") || word.endsWith("is")) return word;
  if (word.endsWith("ing") && word.length > 5) return undouble(word.slice(0, -3));
  if (word.endsWith("ed") && word.length > 4) return undouble(word.slice(0, -2));
  if (word.endsWith("es") && /(ch|sh|x|z)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith("s")) return word.slice(0, -1);
  return word;
}

/** "dropped" → "drop", "running" → "run": a doubled last consonant is one. */
function undouble(word: string): string {
  const last = word.at(-1) ?? "";
  return word.length > 2 && last === word.at(-2) && !"aeiouls".includes(last) ? word.slice(0, -1) : word;
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
