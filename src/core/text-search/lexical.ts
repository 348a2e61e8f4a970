/**
 * A BM25F index over documents of several fields (pure): a word counts by its rarity (IDF), its
 * field's weight and length, saturating with its count — never by how many words matched.
 */

/*
 * Each word of a query may be matched by alternatives (the word itself, a synonym, a prefix, a
 * typo's word), each at its own weight: the best one counts, so an alternative never adds to the
 * word it stands for.
 */

/** A field's weight and how much its length weighs (b: 0 not at all, 1 fully). */
export interface FieldSpec {
  weight: number;
  b: number;
  /** Words said of the text by others (people's needs): left out of how rare its own words are. */
  said?: boolean;
  /**
   * Words said of other texts like it (borrowed): left out of how rare its own words are, as said
   * words are, but scored as its own, and no sign that anyone said anything of it.
   */
  lent?: boolean;
}

/** One way a query word may be matched: an indexed term, at a weight ≤ 1. */
export interface Alternative {
  term: string;
  weight: number;
}

/** A document's score, and the share of the query's weight it matched (0–1; a word only in a light field, as much as that weighs). */
interface Scored {
  doc: number;
  score: number;
  /** The score by its own words alone (what others said of it left out). */
  own: number;
  coverage: number;
}

interface Doc {
  id: string;
  lengths: number[];
  terms: Set<string>;
}

const K1 = 1.2;

/**
 * The field-weighed, length-normalised count from which a word counts as fully matched in the
 * coverage: below one mention in a description of average length (its field weighs 0.2), far
 * above one in a 7,000-character description (a magnet otherwise: it mentions everything).
 */
const FULL_MATCH = 0.15;

export class LexicalIndex {
  readonly #fields: FieldSpec[];
  /** Each term: the documents holding it, with its count in each field. */
  readonly #postings = new Map<string, Map<number, number[]>>();
  readonly #docs: Array<Doc | undefined> = [];
  readonly #byId = new Map<string, number>();
  readonly #free: number[] = [];
  readonly #lengthSums: number[];
  #count = 0;

  constructor(fields: readonly FieldSpec[]) {
    this.#fields = [...fields];
    this.#lengthSums = fields.map(() => 0);
  }

  /** Adds a document (its terms, field by field, in the order of the specs); its number. */
  add(id: string, fields: ReadonlyArray<readonly string[]>): number {
    this.remove(id);
    const doc = this.#free.pop() ?? this.#docs.length;
    const lengths = this.#fields.map((_, f) => fields[f]?.length ?? 0);
    const terms = new Set<string>();
    this.#fields.forEach((_, f) => {
      this.#post(doc, f, fields[f] ?? [], terms);
      this.#lengthSums[f] = (this.#lengthSums[f] ?? 0) + (lengths[f] ?? 0);
    });
    this.#docs[doc] = { id, lengths, terms };
    this.#byId.set(id, doc);
    this.#count++;
    return doc;
  }

  /** Each term counted in field `f` of document `doc` (and noted in the document's `terms`). */
  #post(doc: number, f: number, terms: readonly string[], held: Set<string>): void {
    for (const term of terms) {
      held.add(term);
      const posting = this.#postings.get(term) ?? new Map<number, number[]>();
      this.#postings.set(term, posting);
      const counts = posting.get(doc) ?? this.#fields.map(() => 0);
      posting.set(doc, counts);
      counts[f] = (counts[f] ?? 0) + 1;
    }
  }

  /** Terms added to field `f` of a document already there. */
  extend(id: string, f: number, terms: readonly string[]): void {
    const doc = this.#byId.get(id);
    const held = doc === undefined ? undefined : this.#docs[doc];
    if (doc === undefined || !held) return;
    this.#post(doc, f, terms, held.terms);
    held.lengths[f] = (held.lengths[f] ?? 0) + terms.length;
    this.#lengthSums[f] = (this.#lengthSums[f] ?? 0) + terms.length;
  }

  remove(id: string): void {
    const doc = this.#byId.get(id);
    const held = doc === undefined ? undefined : this.#docs[doc];
    if (doc === undefined || !held) return;
    for (const term of held.terms) {
      const posting = this.#postings.get(term);
      posting?.delete(doc);
      if (posting?.size === 0) this.#postings.delete(term);
    }
    held.lengths.forEach((l, f) => {
      this.#lengthSums[f] = (this.#lengthSums[f] ?? 0) - l;
    });
    this.#docs[doc] = undefined;
    this.#byId.delete(id);
    this.#free.push(doc);
    this.#count--;
  }

  idOf(doc: number): string | undefined {
    return this.#docs[doc]?.id;
  }

  docOf(id: string): number | undefined {
    return this.#byId.get(id);
  }

  /** Whether others said anything of the document (a `said` field holds words). */
  heard(doc: number): boolean {
    const lengths = this.#docs[doc]?.lengths ?? [];
    return this.#fields.some((f, i) => f.said && (lengths[i] ?? 0) > 0);
  }

  has(term: string): boolean {
    return this.#postings.has(term);
  }

  /** The documents holding a term (none for a term not indexed). */
  holders(term: string): IterableIterator<number> {
    return (this.#postings.get(term) ?? new Map<number, number[]>()).keys();
  }

  /** Every term indexed. */
  vocabulary(): IterableIterator<string> {
    return this.#postings.keys();
  }

  /**
   * How rare a term is among the documents (BM25's IDF, never below 0); 0 for a term not indexed;
   * `own`: among their own words (the fields not `said`).
   */
  idf(term: string, own = false): number {
    const posting = this.#postings.get(term);
    let df = posting?.size ?? 0;
    if (own && posting)
      for (const counts of posting.values())
        if (!counts.some((c, f) => c > 0 && !this.#fields[f]?.said && !this.#fields[f]?.lent)) df--;
    if (df === 0) return 0;
    return Math.log(1 + (this.#count - df + 0.5) / (df + 0.5));
  }

  /**
   * The documents matching any query word, scored: per word, the best of its alternatives (its
   * weight × the term's IDF × its saturated, field-weighted count); the words' scores summed.
   * `weights`: each word's own weight in the coverage (its IDF, or 1 for a word not indexed).
   */
  score(
    words: ReadonlyArray<readonly Alternative[]>,
    weights: readonly number[],
    admit?: (doc: number) => boolean,
  ) {
    const total = weights.reduce((s, w) => s + w, 0) || 1;
    const out = new Map<number, Scored>();
    const averages = this.#lengthSums.map((sum) => (this.#count ? sum / this.#count : 0) || 1);
    words.forEach((alternatives, w) => {
      const best = new Map<number, { score: number; own: number; weight: number; strength: number }>();
      for (const { term, weight } of alternatives) {
        const posting = this.#postings.get(term);
        if (!posting) continue;
        const idf = this.idf(term);
        for (const [doc, counts] of posting) {
          if (admit && !admit(doc)) continue;
          const lengths = this.#docs[doc]?.lengths ?? [];
          let tf = 0;
          let tfOwn = 0;
          this.#fields.forEach(({ weight: fw, b, said }, f) => {
            const c = counts[f] ?? 0;
            if (c <= 0) return;
            const t = (fw * c) / (1 - b + (b * (lengths[f] ?? 0)) / (averages[f] ?? 1));
            tf += t;
            if (!said) tfOwn += t;
          });
          // How fully it counts as matched (the coverage): fully from FULL_MATCH on, so a word
          // lost in a description many times the average length counts as partly matched.
          const strength = Math.min(1, tf / FULL_MATCH);
          const s = (weight * idf * tf) / (K1 + tf);
          const own = (weight * idf * tfOwn) / (K1 + tfOwn);
          const held = best.get(doc);
          if (!held || s > held.score)
            best.set(doc, { score: s, own: Math.max(own, held?.own ?? 0), weight, strength });
          else if (own > held.own) held.own = own;
        }
      }
      for (const [doc, { score, own, weight, strength }] of best) {
        const held = out.get(doc) ?? { doc, score: 0, own: 0, coverage: 0 };
        held.score += score;
        held.own += own;
        held.coverage += (weight * strength * (weights[w] ?? 0)) / total;
        out.set(doc, held);
      }
    });
    return out;
  }
}
