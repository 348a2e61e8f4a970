/**
 * Word vectors: words of like meaning lie close ("chat" near "message"), 8 bits a dimension, as
 * scripts/distil-meaning-vectors.mjs writes them from a sentence encoder (pure but for `loadWordVectors`).
 */

/*
 * The file: "MTWV", version, count, dimensions, the words' byte length (all u32 LE), the words
 * (ASCII) joined by "\n", then count × dimensions int8.
 */
import { readFileSync } from "node:fs";

const FNV_BASIS = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const NEWLINE = 10;

export class WordVectors {
  readonly dims: number;
  /** The words' bytes, and where each starts (one more: where the last one's end is found). */
  readonly #words: Uint8Array;
  readonly #starts: Uint32Array;
  /**
   * Each word's number at its hash's slot (open addressing; -1: empty), hashed from the bytes as
   * read: no string made per word (30,000 strings and a Map of them were most of a first search).
   */
  readonly #slots: Int32Array;
  readonly #values: Int8Array;
  readonly #norms: Float32Array;

  constructor(bytes: Uint8Array) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const magic = String.fromCharCode(...bytes.subarray(0, 4));
    if (magic !== "MTWV" || view.getUint32(4, true) !== 1)
      throw new Error("not a word-vectors file (MTWV 1)");
    const count = view.getUint32(8, true);
    this.dims = view.getUint32(12, true);
    const length = view.getUint32(16, true);
    if (20 + length + count * this.dims > bytes.byteLength) throw new Error("word-vectors file cut short");
    const words = bytes.subarray(20, 20 + length);
    const starts = new Uint32Array(count + 1);
    const slots = new Int32Array(2 ** Math.ceil(Math.log2(2 * count + 1))).fill(-1);
    const mask = slots.length - 1;
    let word = 0;
    let hash = FNV_BASIS;
    for (let at = 0; at <= length && word < count; at++) {
      const byte = at < length ? (words[at] as number) : NEWLINE;
      if (byte !== NEWLINE) {
        hash = Math.imul(hash ^ byte, FNV_PRIME);
        continue;
      }
      let slot = hash & mask;
      while ((slots[slot] as number) >= 0) slot = (slot + 1) & mask;
      slots[slot] = word;
      starts[++word] = at + 1;
      hash = FNV_BASIS;
    }
    this.#words = words;
    this.#starts = starts;
    this.#slots = slots;
    this.#values = new Int8Array(bytes.buffer, bytes.byteOffset + 20 + length, count * this.dims);
    // Each word's length, worked out the first time it is used (0: not yet): most never are.
    this.#norms = new Float32Array(count);
  }

  #norm(i: number): number {
    const held = this.#norms[i] ?? 0;
    if (held > 0) return held;
    let sum = 0;
    for (let d = i * this.dims, end = d + this.dims; d < end; d++) sum += (this.#values[d] ?? 0) ** 2;
    // Held as float32, and used as held from the first use on: the same word weighs the same whatever came first.
    this.#norms[i] = Math.sqrt(sum) || 1;
    return this.#norms[i] ?? 1;
  }

  /** The word's number, or -1 for a word it does not hold: the file holds its words most frequent first. */
  indexOf(word: string): number {
    let hash = FNV_BASIS;
    for (let c = 0; c < word.length; c++) {
      const code = word.charCodeAt(c);
      if (code > 127) return -1;
      hash = Math.imul(hash ^ code, FNV_PRIME);
    }
    const mask = this.#slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const i = this.#slots[slot] ?? -1;
      if (i < 0) return -1;
      if (this.#is(i, word)) return i;
    }
  }

  /** Whether word `i` is `word`, byte by byte. */
  #is(i: number, word: string): boolean {
    const start = this.#starts[i] ?? 0;
    if ((this.#starts[i + 1] ?? 0) - 1 - start !== word.length) return false;
    for (let c = 0; c < word.length; c++) if (this.#words[start + c] !== word.charCodeAt(c)) return false;
    return true;
  }

  /** Adds word `i`'s unit vector, times `weight`, into `into`. */
  addTo(into: Float32Array, i: number, weight: number): void {
    const scale = weight / this.#norm(i);
    for (let d = 0, at = i * this.dims; d < this.dims; d++, at++)
      into[d] = (into[d] ?? 0) + (this.#values[at] ?? 0) * scale;
  }
}

/** The vectors shipped with the ranker: the first of `candidates` that exists, read once. */
export function loadWordVectors(candidates: readonly URL[]): WordVectors | undefined {
  for (const file of candidates) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch {
      continue;
    }
    return new WordVectors(bytes);
  }
  return undefined;
}
