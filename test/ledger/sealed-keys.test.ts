/**
 * Keys sealed out of a backup's text and put back: every text comes back byte for byte (also one
 * holding the marker's own character, or a key JSON-escaped), and a key gone from the store stays a
 * `${secret:NAME}` reference, named.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { sealKeys, unsealKeys } from "../../src/core/ledger/sealed-keys.js";

const KEYS = { API_KEY: "sk-live-4f9a2b7c1d", QUOTED: 'pa"ss\\word-99', SHORT: "abc" };

test("a text holding keys seals to one holding none, and unseals to itself", () => {
  const text = `{"env":{"A":"${KEYS.API_KEY}","B":${JSON.stringify(KEYS.QUOTED)}},"c":"abc \uFDD0 x"}\n`;
  const sealed = sealKeys(text, KEYS);
  expect(sealed?.names).toEqual(["API_KEY", "QUOTED"]);
  expect(sealed?.text).not.toContain(KEYS.API_KEY);
  expect(sealed?.text).not.toContain(JSON.stringify(KEYS.QUOTED).slice(1, -1));
  // Too short to be a key a person gives: left as it is.
  expect(sealed?.text).toContain("abc");
  expect(unsealKeys(sealed?.text ?? "", KEYS)).toEqual({ text, missing: [] });
  expect(sealKeys("no key here", KEYS)).toBeUndefined();
});

test("a key gone from the store: the reference in its place, and its name", () => {
  const sealed = sealKeys(`token=${KEYS.API_KEY};`, KEYS);
  expect(unsealKeys(sealed?.text ?? "", {})).toEqual({
    text: "token=${secret:API_KEY};",
    missing: ["API_KEY"],
  });
});

test("any text, any keys: sealed, it holds no key; unsealed, it is what it was", () => {
  const alphabet = fc.constantFrom("a", "b", "\uFDD0", '"', "\\", "k", "_", "\n");
  const word = fc.array(alphabet, { minLength: 0, maxLength: 30 }).map((a) => a.join(""));
  fc.assert(
    fc.property(
      word,
      fc.array(
        fc.array(alphabet, { minLength: 4, maxLength: 8 }).map((a) => a.join("")),
        { maxLength: 3 },
      ),
      (text, values) => {
        const keys = Object.fromEntries(values.map((v, i) => [`K${i}`, v]));
        const sealed = sealKeys(text, keys);
        if (!sealed) return;
        // Markers name keys K0…, which no generated value can spell: none is left, nor made.
        for (const v of values) if (!v.includes("\uFDD0")) expect(sealed.text).not.toContain(v);
        expect(unsealKeys(sealed.text, keys).text).toBe(text);
      },
    ),
    { numRuns: 500 },
  );
});
