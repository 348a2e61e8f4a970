/**
 * The retrieval library (core/text-search), on its own: words as weighed, typos counted within a
 * bound, and BM25F's per-word saturation — three decisive words over five everyday ones.
 */
import { expect, test } from "vitest";
import { editDistance, typoBound } from "../../src/core/text-search/edit-distance.js";
import { LexicalIndex } from "../../src/core/text-search/lexical.js";
import { TextRanker } from "../../src/core/text-search/ranker.js";
import { stem, terms } from "../../src/core/text-search/words.js";

test("words: split at humps and punctuation, filler and contractions' pieces out, stemmed", () => {
  expect(terms("browser_take_screenshot")).toEqual(["browser", "take", "screenshot"]);
  expect(terms("readMultipleFiles of the HTTPServer")).toEqual([
    "read",
    "multiple",
    "file",
    "http",
    "server",
  ]);
  expect(terms("so can you please show me my app's logs, I'd like that")).toEqual(["show", "app", "log"]);
  expect(terms("don't delete it, we'll need it")).toEqual(["not", "delete"]);
  expect(["screenshots", "directories", "dropped", "running", "matches", "process"].map(stem)).toEqual([
    "screenshot",
    "directory",
    "drop",
    "run",
    "match",
    "process",
  ]);
});

test("edit distance: insertions, deletions, replacements and a swap of neighbours, counted to a bound", () => {
  expect(editDistance("lsit", "list", 1)).toBe(1);
  expect(editDistance("comit", "commit", 1)).toBe(1);
  expect(editDistance("scrnshot", "screenshot", 2)).toBe(2);
  expect(editDistance("stash", "search", 1)).toBe(2);
  expect(editDistance("a", "abcdef", 2)).toBe(3);
  expect([3, 4, 7, 8].map(typoBound)).toEqual([0, 1, 1, 2]);
});

test("BM25F: each word saturates on its own, so three rare words beat five everyday ones", () => {
  const index = new LexicalIndex([{ weight: 1, b: 0.5 }]);
  const everyday = ["get", "list", "file", "page", "data"];
  for (let i = 0; i < 20; i++) index.add(`filler-${i}`, [everyday]);
  index.add("decisive", [["stash", "reflog", "cherry"]]);
  index.add("chatty", [[...everyday, ...everyday]]);
  const query = [...everyday, "stash", "reflog", "cherry"].map((term) => [{ term, weight: 1 }]);
  const scored = [
    ...index
      .score(
        query,
        query.map(() => 1),
      )
      .values(),
  ].sort((a, b) => b.score - a.score);
  expect(index.idOf(scored[0]?.doc ?? -1)).toBe("decisive");
});

test("a long text's words count less than a short one's: a 7,000-character text is no magnet", () => {
  const ranker = new TextRanker({ fields: [{ name: "text", weight: 1, b: 0.9 }] });
  ranker.add("short", { text: "Lists the pods of a namespace." });
  const long = "This tool does many things. ".repeat(250);
  ranker.add("long", { text: `${long} It may list pods, namespaces and more.` });
  for (let i = 0; i < 10; i++) ranker.add(`other-${i}`, { text: `Tool number ${i} reads a file.` });
  expect(ranker.search("list the pods in a namespace", 2).map((r) => r.id)).toEqual(["short", "long"]);
  expect(ranker.search("list the pods in a namespace", 1)[0]?.coverage).toBeGreaterThan(0.9);
});

test("an alternative counts below the word itself and never adds to it", () => {
  const ranker = new TextRanker({
    fields: [{ name: "text", weight: 1, b: 0.5 }],
    synonyms: { folder: ["directory"] },
  });
  ranker.add("exact", { text: "Create a folder" });
  ranker.add("synonym", { text: "Create a directory" });
  ranker.add("both", { text: "Create a folder or directory" });
  const [first, second, third] = ranker.search("create folder", 3);
  expect([first?.id, second?.id]).toEqual(expect.arrayContaining(["exact", "both"]));
  expect(third?.id).toBe("synonym");
});
