/** Types of scripts/distil-meaning-vectors.mjs, for test/text-search/meaning-vectors.test.ts. */
export const TABLE: string;
export const BASIS: string;
export interface Basis {
  dims: number;
  mean: Float32Array;
  basis: Float32Array;
}
export function tableWords(bytes: Buffer): string[];
export function encode(words: string[], log?: (message: string) => void): Promise<Float32Array>;
export function pca(encoded: Float32Array, dims: number): Basis;
export function basisBytes(basis: Basis): Buffer;
export function readBasis(bytes: Uint8Array): Basis;
export function quantised(encoded: Float32Array, basis: Basis): Int8Array;
export function tableBytes(words: string[], values: Int8Array, dims: number): Buffer;
