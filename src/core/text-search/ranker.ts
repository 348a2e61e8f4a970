/**
 * Finds the texts a query means (pure but for the vectors it is handed): BM25F over words matched
 * exactly or, lower, by synonym, concept, prefix, derived word or typo, weighed by the part of the
 * need that holds them, fused with each text's meaning (word vectors); a question puts reading texts first.
 */

/*
 * Matching each query word to indexed words of like meaning (by their vectors) was measured too,
 * and left out: it found nothing more on the tune set of test/fixtures/tool-search/needs.json, nor
 * on that set without the everyday words, nor on the long needs of needs-dev.json. Nor did centring
 * the meaning vectors, a meaning weight growing with the query's length or its unmatched share, a
 * server's own meaning, or a bonus for two words in a row (docs/dev/performance.md says more).
 */
import { type ClauseWeights, weighedWords } from "./clauses.js";
import { CONCEPTS } from "./concepts.js";
import { editDistance, typoBound } from "./edit-distance.js";
import { type Alternative, type FieldSpec, LexicalIndex } from "./lexical.js";
import type { WordVectors } from "./word-vectors.js";
import { asks, isFiller, stem, surfaceWords } from "./words.js";

/**
 * A field of the texts: its name, weight and length normalisation; `meaning`: part of its meaning
 * vector; `meaningWords`: past that many words, its words share that part (a long field's words
 * each say less of what the text is for: a 6,000-character description is no average of everything).
 */
export interface Field extends FieldSpec {
  name: string;
  meaning?: number;
  meaningWords?: number;
}

/** How far below the word itself each other match counts, and how meaning is fused in (tuned on the tune set). */
export interface Weights extends ClauseWeights {
  synonym: number;
  /** A word of the same concept group (concepts.ts): below an everyday synonym, which was chosen for its word. */
  concept: number;
  /** How far a stranger's match damps what others said of the other texts (see #heardLess). */
  heard: number;
  prefix: number;
  typo: number;
  /** The weight of the whole text's meaning beside the lexical score (normalised to the best one). */
  meaning: number;
  /**
   * What each text of a group gains when the query says all its name's words, times the share of
   * the texts holding them that are its own ("file a linear issue"; not "google something" for google-maps).
   */
  named: number;
  /** What a text that only reads gains when the query asks a question ("what's open", "which pods"). */
  question: number;
  /**
   * What a text no one said anything of loses, times how much less of its name (its first field's
   * words, its group's name's out) the query says as written than of its group's best-said text's:
   * among near-twins of one server, the one whose name says it so ("these issues":
   * `markIssuesWontFix`, not `markIssueWontFix`; "droplet": `snapshot-droplet`, not
   * `snapshot-droplets-tag`), where stems tie them. Only within a group: a lift across servers
   * pulled strangers above known tools; texts with examples are told apart by those.
   */
  written: number;
  /**
   * The rank among English words (the vectors hold them most frequent first) below which a word
   * counts less when matched as itself: by log(2 + rank) / log(2 + this), so "page" or "latest"
   * (said in passing as often as meant) weigh about half a rare "reflog" — its synonyms, which say
   * what the word means in tools' words, not.
   */
  everyday: number;
  /**
   * A long need's agreement: a text's lexical score times the share of the need's words it matched
   * to this power, counted fully from `long[1]` words of its request on, not at all up to `long[0]`
   * (in a short need each word is decisive; in a long one a text that one word of many matched is
   * seldom what is meant).
   */
  coverage: number;
  long: readonly [number, number];
}

const WEIGHTS: Weights = {
  synonym: 0.8,
  concept: 0.5,
  heard: 1,
  prefix: 0.35,
  typo: 0.7,
  meaning: 0.4,
  question: 0.2,
  written: 0.1,
  named: 0.6,
  context: 0.5,
  unwanted: 0.3,
  everyday: 10_000,
  coverage: 0.5,
  long: [2, 8],
};

/** A text found: its id, its fused score, and the share of the query's words it matched (0–1). */
export interface Ranked {
  id: string;
  score: number;
  coverage: number;
  meaning: number;
}

export interface RankerOptions {
  fields: readonly Field[];
  /** Everyday words for what texts say in other words: a query word also finds these (its stem's). */
  synonyms?: Readonly<Record<string, readonly string[]>>;
  /** Groups of words that mean the same in tools' words ("a, b, c" each; concepts.ts's unless given): a query word also finds its groups' others. */
  concepts?: readonly string[];
  /** The word vectors, asked for at the first search (never before: they are loaded then). */
  vectors?: () => WordVectors | undefined;
  weights?: Partial<Weights>;
}

export class TextRanker {
  readonly #fields: readonly Field[];
  readonly #lexical: LexicalIndex;
  readonly #synonyms: Readonly<Record<string, readonly string[]>>;
  /** The concept groups (concepts.ts's unless given), stemmed at the first search by conceptMap. */
  readonly #concepts: readonly string[];
  readonly #weights: Weights;
  readonly #vectorsOf: () => WordVectors | undefined;
  #vectors: WordVectors | undefined | null = null;
  /** Each term's surface word (the first seen): what its vector is looked up by. */
  readonly #surface = new Map<string, string>();
  /** Each text's words weighed for its meaning vector (by field), and the vector once made. */
  readonly #meaningWords = new Map<string, Map<string, number>>();
  readonly #meaning = new Map<string, Float32Array | null>();
  /** Each text's group (a server's list), and the texts of groups others said nothing of (null: not yet known). */
  readonly #groups = new Map<string, string>();
  #strangers: Set<string> | null = null;
  /** Each term of a group's name: the groups it names (a group's name split as a text's words, stemmed). */
  readonly #names = new Map<string, Set<string>>();
  /** The texts that only read (what a question asks for). */
  readonly #reads = new Set<string>();
  /** Each text's name's words as written (its first field's, filler and its group's name out): see Weights.written. */
  readonly #nameWords = new Map<string, ReadonlySet<string>>();

  constructor(options: RankerOptions) {
    this.#fields = options.fields;
    this.#lexical = new LexicalIndex(options.fields);
    this.#synonyms = options.synonyms ?? {};
    this.#concepts = options.concepts ?? CONCEPTS;
    this.#weights = { ...WEIGHTS, ...options.weights };
    this.#vectorsOf = options.vectors ?? (() => undefined);
  }

  /** Indexes a text (its fields by name; `reads`: it only reads; `group`: its server, see #heardLess and #named); one of that id already there is replaced. */
  add(id: string, texts: Readonly<Record<string, string>>, reads = false, group?: string): void {
    if (group === undefined) this.#groups.delete(id);
    else this.#groups.set(id, group);
    if (group !== undefined)
      for (const t of nameTerms(group)) this.#names.set(t, (this.#names.get(t) ?? new Set()).add(group));
    this.#strangers = null;
    const meaning = new Map<string, number>();
    const fields = this.#fields.map((field) => this.#terms(field, texts[field.name] ?? "", meaning));
    this.#lexical.add(id, fields);
    const groupName = new Set(group === undefined ? [] : nameTerms(group));
    const name = surfaceWords(texts[this.#fields[0]?.name ?? ""] ?? "");
    this.#nameWords.set(id, new Set(name.filter((w) => !isFiller(w) && !groupName.has(stem(w)))));
    this.#meaningWords.set(id, meaning);
    if (reads) this.#reads.add(id);
    else this.#reads.delete(id);
    this.#meaning.delete(id);
  }

  /** A field's terms (filler out, stemmed), each one's weight in the text's meaning noted in `meaning`. */
  #terms(field: Field, text: string, meaning: Map<string, number>): string[] {
    const words = surfaceWords(text).filter((word) => !isFiller(word));
    const most = field.meaningWords ?? Number.POSITIVE_INFINITY;
    const share = (field.meaning ?? 0) * Math.min(1, most / (words.length || 1));
    const out: string[] = [];
    for (const word of words) {
      const term = stem(word);
      out.push(term);
      if (!this.#surface.has(term)) this.#surface.set(term, word);
      if (share > 0) meaning.set(term, Math.max(meaning.get(term) ?? 0, share));
    }
    return out;
  }

  /** Words added to fields of a text already indexed (by name: what others said of it, read later): no re-reading the rest. */
  extend(id: string, texts: Readonly<Record<string, string>>): void {
    const meaning = this.#meaningWords.get(id);
    for (const [name, text] of Object.entries(texts)) {
      const f = this.#fields.findIndex((field) => field.name === name);
      const field = this.#fields[f];
      if (!field || !meaning || text === "") continue;
      this.#lexical.extend(id, f, this.#terms(field, text, meaning));
      this.#meaning.delete(id);
      this.#strangers = null;
    }
  }

  /** The texts of groups others said nothing of (a server no examples file knows): strangers. */
  #strangersNow(): Set<string> {
    if (this.#strangers) return this.#strangers;
    const heard = new Set<string>();
    for (const [id, group] of this.#groups) {
      const doc = this.#lexical.docOf(id);
      if (doc !== undefined && this.#lexical.heard(doc)) heard.add(group);
    }
    this.#strangers = new Set([...this.#groups].filter(([, group]) => !heard.has(group)).map(([id]) => id));
    return this.#strangers;
  }

  /**
   * What others said of a text (its `said` fields) counts less the better a stranger matches by its
   * own words: times 1 − `heard` × the best stranger's own score / the best own score. A need a tool
   * of an unknown server answers in its own words is not pulled to a known one by what people once
   * asked of it; where no stranger matches, nothing changes.
   */
  #heardLess(scores: Iterable<{ doc: number; score: number; own: number }>): void {
    const strangers = this.#strangersNow();
    if (strangers.size === 0 || this.#weights.heard <= 0) return;
    const all = [...scores];
    let own = 0;
    let stranger = 0;
    for (const s of all) {
      own = Math.max(own, s.own);
      if (strangers.has(this.#lexical.idOf(s.doc) ?? "")) stranger = Math.max(stranger, s.own);
    }
    const keep = own > 0 ? 1 - this.#weights.heard * (stranger / own) : 1;
    if (keep < 1) for (const s of all) s.score = s.own + (s.score - s.own) * keep;
  }

  /**
   * The groups the query names — all the words of a group's name said ("file a linear issue",
   * "on microsoft 365"; not "google something" for google-maps) — each with the share of the texts
   * holding its name's words that are its own (a name said as a word most texts hold names nothing).
   */
  #named(terms: ReadonlySet<string>): Map<string, number> {
    const out = new Map<string, number>();
    if (this.#weights.named <= 0) return out;
    for (const term of terms)
      for (const group of this.#names.get(term) ?? []) {
        if (out.has(group)) continue;
        const name = nameTerms(group);
        if (!name.every((t) => terms.has(t))) continue;
        let best = 0;
        for (const t of name) {
          let own = 0;
          let all = 0;
          for (const doc of this.#lexical.holders(t)) {
            all++;
            if (this.#groups.get(this.#lexical.idOf(doc) ?? "") === group) own++;
          }
          best = Math.max(best, own / (all || 1));
        }
        out.set(group, best);
      }
    return out;
  }

  remove(id: string): void {
    this.#groups.delete(id);
    this.#strangers = null;
    this.#lexical.remove(id);
    this.#meaningWords.delete(id);
    this.#nameWords.delete(id);
    this.#reads.delete(id);
    this.#meaning.delete(id);
  }

  /** How rare a word is among the texts' own words, not what others said of them (its stem's IDF; 0 for a word none holds). */
  idf(word: string): number {
    return this.#lexical.idf(stem(word), true);
  }

  /** Whether the vectors were asked for (read, or found missing). */
  get ready(): boolean {
    return this.#vectors !== null;
  }

  /** The vectors, loaded at the first search that needs them. */
  #loaded(): WordVectors | undefined {
    if (this.#vectors === null) this.#vectors = this.#vectorsOf();
    return this.#vectors;
  }

  /** A word's vector number (its surface word's, else its stem's), or -1. */
  #vectorOf(vectors: WordVectors, term: string, surface = this.#surface.get(term)): number {
    const i = surface === undefined ? -1 : vectors.indexOf(surface);
    return i >= 0 ? i : vectors.indexOf(term);
  }

  /** How much a word matched as itself counts for how everyday it is (1: rare, or not a word the vectors hold). */
  #everyday(vectors: WordVectors | undefined, word: string): number {
    const rank = vectors?.indexOf(word) ?? -1;
    const most = this.#weights.everyday;
    return rank < 0 || most <= 0 ? 1 : Math.min(1, Math.log(2 + rank) / Math.log(2 + most));
  }

  /** The synonyms of a query word (as written, else its stem's): single words, and phrases. */
  #synonymsOf(
    word: string,
    term: string,
  ): { words: string[]; phrases: string[][]; concepts: string[]; conceptPhrases: string[][] } {
    // Its stem with its "e" too, for a word cut: "preferences" (stem "preferenc") finds "preference".
    const cut = term === word ? undefined : this.#synonyms[`${term}e`];
    const all = this.#synonyms[word] ?? this.#synonyms[term] ?? cut ?? [];
    const split = all.map((s) => s.split(" ").map(stem));
    // Stemmed at the first search (once for the process: an idle bridge never does it).
    const concept = conceptMap(this.#concepts).get(term);
    return {
      words: split.filter((s) => s.length === 1).flat(),
      phrases: split.filter((s) => s.length > 1),
      concepts: concept ? [...concept.words].filter((t) => t !== term) : [],
      conceptPhrases: concept?.phrases ?? [],
    };
  }

  /** The ways one query word may match, each at its weight. */
  #alternatives(
    word: string,
    term: string,
    vectors: WordVectors | undefined,
    synonyms: string[],
    concepts: readonly string[] = [],
  ): Alternative[] {
    const w = this.#weights;
    const out = new Map<string, number>();
    const offer = (t: string, weight: number) => {
      if (this.#lexical.has(t) && weight > (out.get(t) ?? 0)) out.set(t, weight);
    };
    offer(term, 1);
    for (const s of synonyms) offer(s, w.synonym);
    for (const c of concepts) offer(c, w.concept);
    const known = vectors ? this.#vectorOf(vectors, term, word) : -1;
    // A word neither indexed nor a word of the language: a typo, of the word as written or of its stem.
    const bound = this.#lexical.has(term) || known >= 0 ? 0 : typoBound(word.length);
    const near = (a: string, b: string) => mayBeTypo(a, b, bound) && editDistance(a, b, bound) <= bound;
    const uncut = word.replace(/e$/, "");
    for (const t of this.#lexical.vocabulary()) {
      if (t === term) continue;
      // A longer word of the same stem ("deploy": "deployment"), or the word a derived one comes from ("deployment": "deploy").
      if (term.length >= 4 && t.startsWith(term)) offer(t, w.prefix);
      else if (t.length >= 4 && term.startsWith(t) && DERIVED.test(term.slice(t.length))) offer(t, w.prefix);
      // A typo of the word, of its stem, or of the word without a last "e" (a stem may drop it: "mege", "merg").
      if (bound > 0 && (near(word, t) || near(term, t) || near(uncut, t))) offer(t, w.typo);
    }
    return [...out].map(([t, weight]) => ({ term: t, weight }));
  }

  /** A text's meaning: its words' unit vectors, each weighed by its field and rarity, summed and normalised. */
  #meaningOf(id: string, vectors: WordVectors): Float32Array | null {
    const held = this.#meaning.get(id);
    if (held !== undefined) return held;
    const sum = new Float32Array(vectors.dims);
    let any = false;
    for (const [term, weight] of this.#meaningWords.get(id) ?? []) {
      const i = this.#vectorOf(vectors, term);
      if (i < 0) continue;
      vectors.addTo(sum, i, weight * this.#lexical.idf(term));
      any = true;
    }
    const made = any ? normalised(sum) : null;
    this.#meaning.set(id, made);
    return made;
  }

  /**
   * The work of a first search done ahead (its caller's choice of when: off a request's path): the
   * vectors read and each text's meaning made. A search after it costs what any other does.
   */
  prepare(): void {
    const vectors = this.#loaded();
    if (vectors) for (const id of this.#meaningWords.keys()) this.#meaningOf(id, vectors);
  }

  /**
   * For each matched text no one said anything of: the share of its name's words the query says
   * as written, less the best share among its group's matched texts (0 or below: see Weights.written).
   */
  #asWritten(docs: Iterable<number>, written: ReadonlySet<string>): Map<string, number> {
    const shares = new Map<string, number>();
    const best = new Map<string | undefined, number>();
    for (const doc of docs) {
      const id = this.#lexical.idOf(doc);
      const name = id === undefined ? undefined : this.#nameWords.get(id);
      if (id === undefined || !name || name.size === 0 || this.#lexical.heard(doc)) continue;
      let said = 0;
      for (const word of name) if (written.has(word)) said++;
      const group = this.#groups.get(id);
      shares.set(id, said / name.size);
      best.set(group, Math.max(best.get(group) ?? 0, said / name.size));
    }
    for (const [id, share] of shares) shares.set(id, share - (best.get(this.#groups.get(id)) ?? 0));
    return shares;
  }

  /** The texts `query` means, best first (`admit`: those that may be found), at most `limit`. */
  search(query: string, limit: number, admit?: (id: string) => boolean): Ranked[] {
    const vectors = this.#loaded();
    const seen = new Set<string>();
    const words: Alternative[][] = [];
    const weights: number[] = [];
    const queryMeaning = vectors ? new Float32Array(vectors.dims) : undefined;
    let meaningful = false;
    // Each word once, at the most the parts of the need that hold it give it (the request's, if it is there too).
    const parts = new Map<string, { word: string; part: number }>();
    const weighed = weighedWords(query, this.#weights);
    // A need made only of everyday words ("who am i") is read by them all: never an empty answer.
    const onlyFiller = weighed.every(({ word }) => isFiller(word));
    for (const { word, weight } of weighed) {
      if (isFiller(word) && !onlyFiller) continue;
      const term = stem(word);
      const held = parts.get(term);
      if (!held || weight > held.part) parts.set(term, { word: held?.word ?? word, part: weight });
    }
    for (const [term, { word, part }] of parts) {
      if (part <= 0 || seen.has(term)) continue;
      seen.add(term);
      const synonyms = this.#synonymsOf(word, term);
      const everyday = this.#everyday(vectors, word);
      const found = this.#alternatives(word, term, vectors, synonyms.words, synonyms.concepts);
      const alternatives = found.map((a) => ({
        term: a.term,
        weight: a.weight * part * (a.term === term ? everyday : 1),
      }));
      words.push(alternatives);
      const idf =
        this.#lexical.idf(term) || Math.max(0, ...alternatives.map((a) => this.#lexical.idf(a.term)));
      weights.push((idf || 1) * part);
      // A phrase it stands for ("pr": "pull request"): its words share the one word's weight, so a
      // phrase counts as the word it stands for, not as two ("hit": "press key" is no two words' worth).
      const phrases = [
        ...synonyms.phrases.map((p) => [p, this.#weights.synonym] as const),
        ...synonyms.conceptPhrases.map((p) => [p, this.#weights.concept] as const),
      ];
      for (const [phrase, at] of phrases)
        for (const t of phrase) {
          if (seen.has(t) || parts.has(t) || !this.#lexical.has(t)) continue;
          seen.add(t);
          words.push([{ term: t, weight: (at * part) / phrase.length }]);
          weights.push(0);
        }
      if (vectors && queryMeaning) {
        // A word the vectors do not hold (a typo, mostly) means what its best match means, at that match's weight.
        let i = this.#vectorOf(vectors, term, word);
        let weight = i < 0 ? 0 : 1;
        if (i < 0)
          for (const a of found) {
            const j = a.weight > weight ? this.#vectorOf(vectors, a.term) : -1;
            if (j >= 0) [i, weight] = [j, a.weight];
          }
        if (i >= 0) {
          vectors.addTo(queryMeaning, i, (idf || 1) * part * weight);
          meaningful = true;
        }
      }
    }
    const asking = asks(query);
    const admitDoc = admit && ((doc: number) => admit(this.#lexical.idOf(doc) ?? ""));
    const lexical = this.#lexical.score(words, weights, admitDoc);
    const [short, long] = this.#weights.long;
    const request = [...parts.values()].filter((p) => p.part >= 1).length;
    const power = this.#weights.coverage * Math.min(1, Math.max(0, (request - short) / (long - short || 1)));
    if (power > 0)
      for (const s of lexical.values()) {
        s.score *= s.coverage ** power;
        s.own *= s.coverage ** power;
      }
    this.#heardLess(lexical.values());
    const named = this.#named(new Set(parts.keys()));
    const asWritten = this.#asWritten(lexical.keys(), new Set(surfaceWords(query)));
    let best = 0;
    for (const s of lexical.values()) best = Math.max(best, s.score);
    // The best `limit` kept in order as the texts are scored: no list of every text made and sorted.
    const ranked: Ranked[] = [];
    const q = vectors && queryMeaning && meaningful ? normalised(queryMeaning) : undefined;
    for (const id of this.#meaningWords.keys()) {
      const doc = this.#lexical.docOf(id);
      if (doc === undefined || (admit && !admit(id))) continue;
      const lex = lexical.get(doc);
      const m = q && vectors ? this.#meaningOf(id, vectors) : null;
      const meaning = m && q ? dot(q, m) : 0;
      if (!lex && meaning <= 0) continue;
      const score =
        (lex && best > 0 ? lex.score / best : 0) +
        this.#weights.meaning * Math.max(0, meaning) +
        (asking && this.#reads.has(id) ? this.#weights.question : 0) +
        this.#weights.named * (named.get(this.#groups.get(id) ?? "") ?? 0) +
        this.#weights.written * (asWritten.get(id) ?? 0);
      const last = ranked[ranked.length - 1];
      if (ranked.length >= limit && last && !before(score, id, last)) continue;
      let at = ranked.length;
      while (at > 0 && before(score, id, ranked[at - 1] as Ranked)) at--;
      ranked.splice(at, 0, { id, score, coverage: lex?.coverage ?? 0, meaning });
      if (ranked.length > limit) ranked.pop();
    }
    return ranked;
  }
}

const conceptMaps = new WeakMap<
  readonly string[],
  Map<string, { words: Set<string>; phrases: string[][] }>
>();

/** Each concept word's stem and the other words of its groups (a phrase's words are no keys: "base" alone is no "knowledge base"). */
function conceptMap(groups: readonly string[]): Map<string, { words: Set<string>; phrases: string[][] }> {
  // Made once per list of groups: each client's index shares the shipped one's.
  const made = conceptMaps.get(groups);
  if (made) return made;
  const out = new Map<string, { words: Set<string>; phrases: string[][] }>();
  conceptMaps.set(groups, out);
  for (const group of groups) {
    const members = group.split(",").map((m) => m.trim().split(" ").map(stem));
    for (const [key] of members.filter((m) => m.length === 1)) {
      if (key === undefined) continue;
      const held = out.get(key) ?? { words: new Set<string>(), phrases: [] };
      for (const m of members)
        if (m.length === 1) held.words.add(m[0] as string);
        else held.phrases.push(m);
      out.set(key, held);
    }
  }
  return out;
}

/** The words of a group's name that say it (stemmed): "ms-365" is "365", "cal-com" "cal" and "com". */
const nameTerms = (group: string) =>
  surfaceWords(group)
    .filter((word) => word.length >= 3 && !isFiller(word))
    .map(stem);

/** The endings that derive a word from another: "creation", "deployment", "reviewer", "readable". */
const DERIVED = /^(ion|ation|ition|ment|er|or|al|ly|ity|ive|able|ible|ness|ure|ance|ence|ant|ent|ic|ical)$/;

/**
 * Whether `t` may be a typo's word for `word` at all (cheap, before counting edits): lengths
 * within the bound, the same first letter (or the first two swapped) — a typo seldom starts a word.
 */
const mayBeTypo = (word: string, t: string, bound: number) =>
  Math.abs(word.length - t.length) <= bound && (t[0] === word[0] || (t[0] === word[1] && t[1] === word[0]));

/** Whether a text of this score and id ranks before `other`: a higher score, or the same and an earlier id. */
const before = (score: number, id: string, other: Ranked) =>
  score > other.score || (score === other.score && id < other.id);

function normalised(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const n = Math.sqrt(sum) || 1;
  for (let i = 0; i < v.length; i++) v[i] = (v[i] ?? 0) / n;
  return v;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}
