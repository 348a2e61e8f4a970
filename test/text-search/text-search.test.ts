/**
 * The retrieval library (core/text-search), on its own: words as weighed, typos counted within a
 * bound, and BM25F's per-word saturation — three decisive words over five everyday ones.
 */
import { expect, test } from "vitest";
import { weighedWords } from "../../src/core/text-search/clauses.js";
import { editDistance, typoBound } from "../../src/core/text-search/edit-distance.js";
import { LexicalIndex } from "../../src/core/text-search/lexical.js";
import { TextRanker } from "../../src/core/text-search/ranker.js";
import { WordVectors } from "../../src/core/text-search/word-vectors.js";
import { stem, terms } from "../../src/core/text-search/words.js";

test("words: split at humps and punctuation, filler and contractions' pieces out, stemmed", () => {
  expect(terms("browser_take_screenshot")).toEqual(["browser", "take", "screenshot"]);
  expect(terms("resolve-library-id")).toEqual(["resolv", "library", "id"]);
  expect(terms("readMultipleFiles of the HTTPServer")).toEqual(["read", "multipl", "file", "http", "server"]);
  expect(terms("so can you please show me my app's logs, I'd like that")).toEqual(["show", "app", "log"]);
  expect(terms("don't delete it, we'll need it")).toEqual(["not", "delet"]);
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

test("stems: a verb's forms are one word and its last 'e' goes where Porter drops it, never making another word", () => {
  const same = (...words: string[]) => expect(new Set(words.map(stem)).size, words.join(" ")).toBe(1);
  same("create", "created", "creates", "creating");
  same("change", "changed", "changes", "changing");
  same("merge", "merged", "merging");
  same("save", "saved", "saving");
  same("close", "closed", "closing");
  same("copy", "copied", "copies");
  same("add", "added", "adding");
  same("preference", "preferences");
  expect(["note", "site", "plane", "rate", "tree", "string", "speed"].map(stem)).toEqual([
    "note",
    "site",
    "plane",
    "rate",
    "tree",
    "string",
    "speed",
  ]);
});

test("a typo of a word whose stem drops its 'e' is still forgiven: 'mege' finds merge, below the word", () => {
  const ranker = new TextRanker({ fields: [{ name: "text", weight: 1, b: 0.5 }] });
  ranker.add("merge", { text: "Merge two branches" });
  ranker.add("issue", { text: "Get an issue" });
  expect(ranker.search("mege the branches", 2).map((r) => r.id)).toEqual(["merge"]);
  expect(ranker.search("mege", 1)[0]?.id).toBe("merge");
});

test("a derived word finds the word it comes from, below the word itself: 'deployment' finds deploy", () => {
  const ranker = new TextRanker({ fields: [{ name: "text", weight: 1, b: 0.5 }] });
  ranker.add("exact", { text: "Show a deployment" });
  ranker.add("base", { text: "Deploy a manifest" });
  ranker.add("other", { text: "List the pods" });
  expect(ranker.search("deployment", 3).map((r) => r.id)).toEqual(["exact", "base"]);
  expect(ranker.search("configuration", 3)).toEqual([]);
});

test("a word finds the other words of its concept groups, below the word itself and below an everyday synonym; a phrase of a group word by word", () => {
  const concepts = ["lodging, flat, rental, stay", "vector store, knowledge base, index"];
  const fields = [{ name: "text", weight: 1, b: 0.5 }];
  const ranker = new TextRanker({ fields, concepts, synonyms: { flat: ["apartment"] } });
  ranker.add("rental", { text: "Get a rental's details" });
  ranker.add("apartment", { text: "Rent an apartment" });
  ranker.add("flat", { text: "Describe a flat" });
  ranker.add("store", { text: "Upsert records into a vector store" });
  ranker.add("other", { text: "List the pods" });
  expect(ranker.search("flat", 5).map((r) => r.id)).toEqual(["flat", "apartment", "rental"]);
  expect(
    ranker
      .search("lodging", 5)
      .map((r) => r.id)
      .sort(),
  ).toEqual(["flat", "rental"]);
  expect(ranker.search("index", 5).map((r) => r.id)).toEqual(["store"]);
  // Without the groups, no word of theirs is found.
  const plain = new TextRanker({ fields, concepts: [] });
  plain.add("rental", { text: "Get a rental's details" });
  expect(plain.search("lodging", 5)).toEqual([]);
});

test("a question finds a text that only reads before one that changes, and a request does not", () => {
  const ranker = new TextRanker({ fields: [{ name: "text", weight: 1, b: 0.5 }] });
  ranker.add("a-changes", { text: "Issues of a project" });
  ranker.add("b-reads", { text: "Issues of a project" }, true);
  for (let i = 0; i < 5; i++) ranker.add(`other-${i}`, { text: `Pods of cluster ${i}` });
  expect(ranker.search("which issues are open in the project", 1)[0]?.id).toBe("b-reads");
  expect(ranker.search("what's in the project's issues", 1)[0]?.id).toBe("b-reads");
  expect(ranker.search("close the issues of the project", 1)[0]?.id).toBe("a-changes");
});

test("a need's parts: its context ('so I can…', 'before I…') and what it does not want ('without…') weigh below its request", () => {
  const parts = { context: 0.5, unwanted: 0.3 };
  const weight = (need: string) =>
    Object.fromEntries(weighedWords(need, parts).map(({ word, weight }) => [word, weight]));
  expect(weight("snap the page so I can show the designer")).toMatchObject({
    snap: 1,
    page: 1,
    show: 0.5,
    designer: 0.5,
  });
  expect(weight("show me the readme without cloning it, then list the branches")).toMatchObject({
    readme: 1,
    cloning: 0.3,
    list: 1,
    branches: 1,
  });
  expect(weight("I don't need the content, just the links")).toMatchObject({ content: 0.3, links: 1 });
  // A clause put first ends where the request starts; "when" and "until" clauses are the request.
  expect(weight("before I start refactoring I want to see the layout")).toMatchObject({
    refactoring: 0.5,
    see: 1,
    layout: 1,
  });
  expect(weight("tell me when it changes")).toMatchObject({ tell: 1, changes: 1 });
  expect(weight("so, which pods are failing")).toMatchObject({ pods: 1, failing: 1 });
  expect(weight("open config.yaml, since it moved")).toMatchObject({ config: 1, yaml: 1, moved: 0.5 });
});

test("a word of what the need does not want, or of its context, does not outweigh its request", () => {
  const ranker = new TextRanker({ fields: [{ name: "text", weight: 1, b: 0.5 }] });
  ranker.add("clone", { text: "Clone a repository" });
  ranker.add("contents", { text: "Get the contents of a file, such as a readme, in a repository" });
  ranker.add("show", { text: "Show a commit" });
  ranker.add("snapshot", { text: "Take a snapshot of the page's text" });
  for (let i = 0; i < 5; i++) ranker.add(`other-${i}`, { text: `List the pods of cluster ${i}` });
  expect(ranker.search("the readme of that repository without cloning it", 1)[0]?.id).toBe("contents");
  expect(ranker.search("capture the page so I can show the designer", 1)[0]?.id).toBe("snapshot");
});

test("a phrase a word stands for counts as that one word, not as each of its words: 'hit' is no two words' worth", () => {
  const ranker = new TextRanker({
    fields: [{ name: "text", weight: 1, b: 0.5 }],
    synonyms: { hit: ["press key"] },
  });
  ranker.add("press", { text: "Press a key" });
  ranker.add("button", { text: "Click a button" });
  for (let i = 0; i < 5; i++) ranker.add(`other-${i}`, { text: `List the pods of cluster ${i}` });
  expect(ranker.search("hit the button", 2).map((r) => r.id)).toEqual(["button", "press"]);
});

/** Word vectors of these words, most frequent first (2 dimensions, all alike): what a word's rank is read from. */
function vectorsOf(words: string[]): WordVectors {
  const text = new TextEncoder().encode(words.join("\n"));
  const bytes = new Uint8Array(20 + text.length + words.length * 2);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode("MTWV"), 0);
  view.setUint32(4, 1, true);
  view.setUint32(8, words.length, true);
  view.setUint32(12, 2, true);
  view.setUint32(16, text.length, true);
  bytes.set(text, 20);
  bytes.fill(1, 20 + text.length);
  return new WordVectors(bytes);
}

test("an everyday word (frequent in English) counts below a rare one when matched as itself; its synonyms do not", () => {
  const vectors = vectorsOf(["page", "said", "the", "of", "with", "list", "view", "reflog"]);
  const ranker = new TextRanker({
    fields: [{ name: "text", weight: 1, b: 0.5 }],
    synonyms: { said: ["history"] },
    vectors: () => vectors,
    weights: { everyday: 2, meaning: 0 },
  });
  ranker.add("pages", { text: "List the pages" });
  ranker.add("reflog", { text: "View the reflog entries of a repository" });
  ranker.add("history", { text: "Message history of a channel" });
  for (let i = 0; i < 5; i++) ranker.add(`other-${i}`, { text: `List the pods of cluster ${i}` });
  expect(ranker.search("the page with the reflog", 1)[0]?.id).toBe("reflog");
  expect(ranker.search("what was said", 1)[0]?.id).toBe("history");
  expect(ranker.search("the page", 1)[0]?.id).toBe("pages");
});

test("in a long need a text that many of its words match goes before one that a single word matched; a short need's word is decisive", () => {
  const ranker = new TextRanker({ fields: [{ name: "text", weight: 1, b: 0.75 }] });
  ranker.add("checkout", { text: "Checkout a branch" });
  const more = "and more words ".repeat(8);
  ranker.add("screenshot", { text: `Take a screenshot of the page in the browser ${more}` });
  for (let i = 0; i < 2; i++) ranker.add(`page-${i}`, { text: `Describe page ${i}` });
  for (let i = 0; i < 6; i++) ranker.add(`pods-${i}`, { text: `Describe pods ${i}` });
  const first = (need: string) => ranker.search(need, 1)[0]?.id;
  expect(first("take a picture of how the checkout page looks in the browser right now")).toBe("screenshot");
  expect(first("checkout page")).toBe("checkout");
});

test("a word lost in a text many times the average length counts as partly matched, so a long description gains no agreement", () => {
  const ranker = new TextRanker({ fields: [{ name: "text", weight: 0.2, b: 0.9 }] });
  ranker.add("short", { text: "Start a search of the files" });
  ranker.add("long", { text: `Start a search of the files. ${"It does other things too. ".repeat(300)}` });
  for (let i = 0; i < 5; i++) ranker.add(`other-${i}`, { text: `List the pods of cluster ${i}` });
  const coverage = Object.fromEntries(ranker.search("start a search", 2).map((r) => [r.id, r.coverage]));
  expect(coverage.short).toBeCloseTo(1);
  expect(coverage.long).toBeLessThan(0.5);
});

test("a field extended later (what others said of a text) scores as if it had been there when the text was added; own words' rarity leaves it out", () => {
  const fields = [
    { name: "name", weight: 3, b: 0.3 },
    { name: "said", weight: 0.5, b: 0.3, said: true },
  ];
  const texts = {
    a: { name: "stash changes", said: "put my half done work away for later" },
    b: { name: "checkout branch", said: "hop over to develop" },
    c: { name: "work items list", said: "" },
  };
  const whole = new TextRanker({ fields });
  const later = new TextRanker({ fields });
  for (const [id, t] of Object.entries(texts)) {
    whole.add(id, t);
    later.add(id, { name: t.name });
  }
  for (const [id, t] of Object.entries(texts)) later.extend(id, { said: t.said });
  for (const q of ["put my work away", "hop over", "work items"])
    expect(later.search(q, 3), q).toEqual(whole.search(q, 3));
  expect(later.search("put my work away", 1).map((r) => r.id)).toEqual(["a"]);
  // "work" is in c's own words only once (a's is said of it): as rare as a word one text of three holds.
  expect(whole.idf("work")).toBeCloseTo(later.idf("items"));
  expect(whole.idf("hop")).toBe(0);
});
