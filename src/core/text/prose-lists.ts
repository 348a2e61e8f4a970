/** Lists in a sentence: "a, b and c" / "a, b or c" (one item alone, none as ""); a count with its noun. */
export function andList(items: readonly string[]): string {
  return joinLast(items, "and");
}

export function orList(items: readonly string[]): string {
  return joinLast(items, "or");
}

function joinLast(items: readonly string[], word: string): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} ${word} ${items.at(-1)}`;
}

/** "1 tool", "2 tools", "1,234 tools": a count with its noun, one being one. */
export function countOf(n: number, noun: string): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? noun : `${noun}s`}`;
}
