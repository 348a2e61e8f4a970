/**
 * How many single-letter edits (insert, delete, replace, or swap two neighbours) turn one word
 * into another, counted only up to a bound (pure): what forgives a typo without matching any word.
 */

/** The edits from `a` to `b`, or `max + 1` as soon as they are certainly more than `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (a === b) return 0;
  const width = b.length + 1;
  let before = new Array<number>(width).fill(0);
  let previous = Array.from({ length: width }, (_, j) => j);
  let current = new Array<number>(width).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let lowest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, (before[j - 2] ?? 0) + 1);
      current[j] = d;
      if (d < lowest) lowest = d;
    }
    if (lowest > max) return max + 1;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[b.length] ?? max + 1, max + 1);
}

/** The edits a word of this length may hold and still be taken for another: none under 4 letters. */
export const typoBound = (length: number): number => (length < 4 ? 0 : length < 8 ? 1 : 2);
