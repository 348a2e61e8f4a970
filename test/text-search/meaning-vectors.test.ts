/**
 * The shipped word vectors are what scripts/distil-meaning-vectors.mjs makes: a sample of the
 * table's words, run through the sentence encoder again (the devDependency), projected on the
 * committed PCA basis and put in 8 bits, gives the table's rows (within the encoder's rounding).
 */
import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import {
  BASIS,
  encode,
  quantised,
  readBasis,
  TABLE,
  tableWords,
} from "../../scripts/distil-meaning-vectors.mjs";

test("the table's rows are the encoder's vectors of their words, through the committed PCA, in 8 bits", async () => {
  const bytes = readFileSync(TABLE);
  const words = tableWords(bytes);
  const basis = readBasis(readFileSync(BASIS));
  const dims = bytes.readUInt32LE(12);
  expect(dims).toBe(basis.dims);
  // Every 1,500th word (frequent and rare ones, tool words among them) and a few a search leans on.
  const sample = [...words.filter((_, i) => i % 1500 === 0), "meeting", "calendar", "deploy", "sms"];
  const rows = sample.map((w) => words.indexOf(w));
  expect(rows.every((i) => i >= 0)).toBe(true);
  const made = quantised(await encode(sample), basis);
  const start = 20 + bytes.readUInt32LE(16);
  let worst = 0;
  rows.forEach((row, s) => {
    for (let d = 0; d < dims; d++) {
      const shipped = bytes.readInt8(start + row * dims + d);
      worst = Math.max(worst, Math.abs(shipped - (made[s * dims + d] ?? 0)));
    }
  });
  expect(worst).toBeLessThanOrEqual(1);
}, 60_000);
