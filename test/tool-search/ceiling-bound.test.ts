/**
 * The bound bench/ceiling.ts puts on fusing today's ranking with the teacher: no fusion, RRF or by
 * score, at any weight, gives a need's tool a better place than the tools ahead of it in both
 * rankings leave it; the union of the two top-k lists is no such bound.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { linear, type Ranked, rrf, undominated } from "../../bench/ceiling.js";
import type { Need } from "./needs.js";

const need = (want: string): Need => ({ need: "", want: [want], set: "unseen3", classes: [] });
/** Ids in this order, each scored below the one before (no ties: a tie breaks either way). */
const ranked = (ids: string[], top: number, step: number): Ranked =>
  ids.map((id, i) => ({ id, score: top - step * i }));

test("no RRF or score fusion, at any weight, ranks the tool above its dominance bound", () => {
  const pool = fc.integer({ min: 2, max: 40 }).chain((n) => {
    const ids = Array.from({ length: n }, (_, i) => `s/t${i}`);
    return fc.record({
      lexical: fc.shuffledSubarray(ids),
      taught: fc.shuffledSubarray(ids, { minLength: n, maxLength: n }),
      want: fc.constantFrom(...ids),
      w: fc.double({ min: 0.01, max: 20, noNaN: true }),
      k: fc.integer({ min: 0, max: 100 }),
      floor: fc.double({ min: -1, max: 0.9, noNaN: true }),
    });
  });
  fc.assert(
    fc.property(pool, ({ lexical, taught, want, w, k, floor }) => {
      const lex = ranked(lexical, 30, 0.5);
      const tea = ranked(taught, 1, 1.9 / taught.length);
      const bound = undominated(lex, tea, need(want));
      const placeIn = (fused: Ranked) => fused.findIndex((x) => x.id === want);
      const inRrf = placeIn(rrf(lex, tea, w, k));
      const inLinear = placeIn(linear(lex, tea, w, floor));
      expect(inRrf === -1 || inRrf >= bound).toBe(true);
      expect(inLinear === -1 || inLinear >= bound).toBe(true);
    }),
    { numRuns: 500 },
  );
});

test("the bound counts the tools ahead in both rankings, a tool today's ranking leaves out behind all it returns", () => {
  const lex = ranked(["s/a", "s/b", "s/want", "s/c"], 4, 1);
  const tea = ranked(["s/c", "s/a", "s/d", "s/want", "s/b"], 0.9, 0.1);
  // a is ahead in both; b only lexically, c and d only in the teacher's (d, left out by today's ranking, is behind want there).
  expect(undominated(lex, tea, need("s/want"))).toBe(1);
  // Left out by today's ranking, d is behind every tool it returns: c and a, ahead of it in the teacher's too.
  expect(undominated(lex, tea, need("s/d"))).toBe(2);
});

test("a tool both rankings put sixth is fused into the top 5: the union of the top 5s bounds no fusion", () => {
  const filler = Array.from({ length: 200 }, (_, i) => `s/f${i}`);
  const lexIds = ["s/x1", "s/x2", "s/x3", "s/x4", "s/x5", "s/want", ...filler];
  const teaIds = [
    "s/y1",
    "s/y2",
    "s/y3",
    "s/y4",
    "s/y5",
    "s/want",
    ...filler,
    "s/x1",
    "s/x2",
    "s/x3",
    "s/x4",
    "s/x5",
  ];
  const lex = ranked(lexIds, 300, 1);
  const tea = ranked(teaIds, 1, 0.009);
  expect(lex.findIndex((x) => x.id === "s/want")).toBe(5);
  expect(tea.findIndex((x) => x.id === "s/want")).toBe(5);
  expect(rrf(lex, tea, 1, 60).findIndex((x) => x.id === "s/want")).toBeLessThan(5);
  expect(undominated(lex, tea, need("s/want"))).toBe(0);
});
