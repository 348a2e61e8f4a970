/**
 * What part each word of a need plays (pure): its request, its context ("so I can show the
 * designer", "before I write the migration") or what it does not want ("without cloning it").
 */

// A long need wraps its request in such words, and they name other tools: "show" is git_show.
import { isFiller, surfaceWords } from "./words.js";

/** A word as written (lower case, filler kept) and how much it says of what is wanted (0–1). */
export interface Weighed {
  word: string;
  weight: number;
}

/** How much a word of the context, and one of what is not wanted, weighs beside one of the request (1). */
export interface ClauseWeights {
  context: number;
  unwanted: number;
}

/**
 * Words that open a clause of purpose, reason or time. Not "when" nor "until": in "tell me when it
 * changes" and "wait until it loads" that clause is the request.
 */
const OPENS_CONTEXT = new Set(["because", "cause", "since", "before", "after", "while", "so"]);

/** What follows "so" when it opens a purpose ("so I can…", "so that…", "so the team…"), not a request ("so, list…"). */
const SUBJECT = new Set(["i", "we", "you", "they", "he", "she", "it", "that", "the", "my", "our"]);

/** Words that say what follows is not wanted; "not" only before want or need ("I don't need the content"). */
const EXCLUDES = new Set(["without", "instead", "rather", "except"]);
const WANTING = new Set(["want", "wanna", "need"]);

/** Where what is not wanted ends: a joining word, or a question word ("I don't need to know which…"). */
const ENDS_UNWANTED = new Set(
  "and but or then so just which what where who why how whether if because".split(" "),
);

/** Pronouns that start the request after a clause put first: "before I start refactoring I want…". */
const STARTS_CLAUSE = new Set(["i", "we", "you"]);

/** The most words (filler aside) of what is not wanted: "without merging everything else in". */
const UNWANTED_WORDS = 4;

/** The need's words, each weighed by the part of it that holds it. */
export function weighedWords(text: string, weights: ClauseWeights): Weighed[] {
  const out: Weighed[] = [];
  // A clause ends at punctuation before a space or the end ("config.yaml" is one word) or at a dash.
  const clauses = text.split(/[,;:.!?]+(?=\s|$)|[()\n]|\s[-–—]\s/);
  clauses.forEach((clause, c) => {
    const words = surfaceWords(clause);
    let part: "request" | "context" | "unwanted" = "request";
    let held = 0;
    words.forEach((word, i) => {
      if (part === "unwanted" && (ENDS_UNWANTED.has(word) || held >= UNWANTED_WORDS)) part = "request";
      if (part === "context" && held > 0 && STARTS_CLAUSE.has(word)) part = "request";
      let opens = false;
      if (part === "request") {
        const next = words[i + 1] ?? "";
        // "so" opens a purpose after the need's first word ("so, which pods…" and "so I'd like…" are requests).
        const purpose = word !== "so" || (SUBJECT.has(next) && (c > 0 || i > 0));
        if (OPENS_CONTEXT.has(word) && purpose) part = "context";
        else if (EXCLUDES.has(word) || (word === "not" && WANTING.has(next))) part = "unwanted";
        opens = part !== "request";
        if (opens) held = 0;
      }
      out.push({
        word,
        weight: part === "request" ? 1 : part === "context" ? weights.context : weights.unwanted,
      });
      if (part !== "request" && !opens && !isFiller(word) && word !== "not") held++;
    });
  });
  return out;
}
