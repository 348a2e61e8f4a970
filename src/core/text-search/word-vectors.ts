/**
 * Word vectors: words of like meaning lie close ("chat" near "message"), 8 bits a dimension, as
 * scripts/distil-word-vectors.mjs writes them (pure but for `loadWordVectors`).
 */

/*
 * The file: "MTWV", version, count, dimensions, the words' byte length (all u32 LE), the words
 * joined by "\n", then count × dimensions int8.
 */
import { readFileSync } from "node:fs";

export class WordVectors {
  readonly dims: number;
  readonly #index = new Map<string, number>();
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
    const words = new TextDecoder().decode(bytes.subarray(20, 20 + length)).split("\n");
    words.forEach((w, i) => {
      this.#index.set(w, i);
    });
    this.#values = new Int8Array(bytes.buffer, bytes.byteOffset + 20 + length, count * this.dims);
    // Each word's length, worked out the first time it is used (0: not yet): most never are.
    this.#norms = new Float32Array(count);
  }

  #norm(i: number): number {
    const held = this.#norms[i] ?? 0;
    if (held > 0) return held;
    let sum = 0;
    for (let d = i * this.dims, end = d + this.dims; d < end; d++) sum += (this.#values[d] ?? 0) ** 2;
    const norm = Math.sqrt(sum) || 1;
    this.#norms[i] = norm;
    return norm;
  }

  /** The word's number, or -1 for a word it does not hold. */
  indexOf(word: string): number {
    return this.#index.get(word) ?? -1;
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
