/**
 * The words a tool is found by (pure): names split at `_`, `-`, `.` and camelCase humps, lower
 * case, common English endings taken off, so "screenshots" finds `browser_take_screenshot`.
 */

/** Words that say nothing about which tool is wanted (what people type around what they want). */
const STOP = new Set(
  (
    "a an the of to for in on at by with from into onto and or is are be been was were it its this " +
    "that these those i we our you your he she they them their what which who how when where " +
    "do does did can could should would will please some any all one all via as if then than there"
  ).split(" "),
);

/** One word's stem: plural and verb endings taken off (a few rules, the same for tools and queries). */
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

/** The text's words as they are indexed and searched: split, lower case, stemmed, stop words out. */
export function terms(text: string): string[] {
  const out: string[] = [];
  const spaced = text
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase();
  for (const word of spaced.split(/[^\p{L}\p{N}]+/u)) {
    if (word === "" || STOP.has(word)) continue;
    out.push(stem(word));
  }
  return out;
}

/**
 * Everyday words for what tools' own descriptions say in other words (a folder is a directory, a
 * site a website's URLs): a query's word (its stem) also finds these.
 */
const ALSO: Record<string, string[]> = {
  folder: ["directory"],
  directory: ["folder"],
  site: ["website", "url"],
  website: ["site", "url", "web"],
  webpage: ["web", "page", "url"],
  html: ["web", "url", "content"],
  url: ["link", "web"],
  link: ["url"],
  remember: ["memory", "observation"],
  recall: ["memory"],
  forget: ["delete", "memory"],
  remove: ["delete"],
  log: ["authenticated"], // "logged in as"
  login: ["authenticated"],
  pr: ["pull", "request"],
  repo: ["repository"],
};

/** A query's words and the words they also find (a query only: a tool's words are its own). */
export function queryTerms(text: string): string[] {
  const out = terms(text);
  for (const word of [...out])
    for (const also of (ALSO[word] ?? []).map(stem)) if (!out.includes(also)) out.push(also);
  return out;
}
