/**
 * The one escapeRegExp (sealed keys, registry choices, tool patterns): every text, made a pattern,
 * matches itself and nothing else.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { escapeRegExp } from "../../src/core/text/escape-regexp.js";

test("any text, characters with a meaning in a pattern among them, matches itself exactly", () => {
  const alphabet = fc.constantFrom(..."a.*+?^${}()|[]\\/-_\n".split(""));
  fc.assert(
    fc.property(
      fc.array(alphabet, { maxLength: 20 }).map((a) => a.join("")),
      fc.array(alphabet, { maxLength: 20 }).map((a) => a.join("")),
      (text, other) => {
        const re = new RegExp(`^${escapeRegExp(text)}$`);
        expect(re.test(text)).toBe(true);
        expect(re.test(other)).toBe(other === text);
      },
    ),
    { numRuns: 500 },
  );
});
