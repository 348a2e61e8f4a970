/**
 * An entry changed key by key where it is written as a block map: only the pairs whose value changed
 * are written again (a nested map or list the same way, a value on its line alone), so comments stay.
 */
import { isCollection, isMap, isScalar, isSeq, type Node, type Pair } from "yaml";
import { sameData } from "./yaml-document.js";
import {
  columnOf,
  insertLines,
  itemSpan,
  lineStart,
  pairSpan,
  pastDeeperComments,
  removeLines,
  replaceLines,
  splice,
} from "./yaml-lines.js";
import { flowText, itemLines, pairLines, type YamlStyle } from "./yaml-style.js";

type Table = Record<string, unknown>;

/**
 * The text with block map `node` (whose value is `before`) made to hold `after`; undefined where
 * that cannot be done pair by pair (not a block map, or its first key shares the line of a `-` and
 * would have to change): the caller writes the whole entry again.
 */
export function updateMap(
  text: string,
  node: Node | null | undefined,
  before: unknown,
  after: Table,
  style: YamlStyle,
): string | undefined {
  if (!isMap(node) || node.flow || node.items.length === 0 || !isTable(before)) return undefined;
  const pairs = node.items as Pair[];
  const keys = pairs.map((p) => (isScalar(p.key) ? String(p.key.value) : undefined));
  const firstKey = pairs[0]?.key as Node;
  const at0 = firstKey.range?.[0] ?? 0;
  if (keys.includes(undefined) || Object.keys(after).length === 0) return undefined;
  const column = columnOf(text, at0);
  const sharesLine = text.slice(lineStart(text, at0), at0).trim() !== "";
  let out = text;
  // New keys after the last pair (and a note indented under it), before the others change: every
  // edit below is at an earlier offset, so the parsed ranges stay true.
  const added = Object.keys(after).filter((k) => !keys.includes(k) && after[k] !== undefined);
  if (added.length > 0) {
    const last = pairs[pairs.length - 1] as Pair;
    const at = pastDeeperComments(text, pairSpan(text, last)[1], column);
    out = insertLines(out, at, added.map((k) => pairLines(k, after[k], column, style)).join(""), style.eol);
  }
  for (let i = pairs.length - 1; i >= 0; i--) {
    const key = keys[i] as string;
    const pair = pairs[i] as Pair;
    const was = before[key];
    const now = after[key];
    if (now !== undefined && sameData(was, now)) continue;
    const node = pair.value as Node | null;
    if (now !== undefined && isInline(node)) {
      // A value on its key's line (a scalar, `[a, b]`): only it is written again, what follows it
      // on the line (a comment) stays.
      const [from, to] = node.range ?? [0, 0];
      out = splice(out, from, to - from, flowText(now));
      continue;
    }
    if (i === 0 && sharesLine) return undefined;
    const [start, end] = pairSpan(text, pair);
    if (now === undefined) {
      out = removeLines(out, start, end);
      continue;
    }
    const inner = isTable(now)
      ? updateMap(out, node, was, now, style)
      : Array.isArray(now) && Array.isArray(was)
        ? updateSeq(out, node, was, now, style)
        : undefined;
    out = inner ?? replaceLines(out, start, end, pairLines(key, now, column, style), style.eol);
  }
  return out;
}

/**
 * Block list `node` (whose value is `before`) made to hold `after` item by item: items added after
 * its last, removed from its end, each changed one alone (so the comments on the key's line and on
 * the items that stay, stay); undefined where it is not a block list.
 */
function updateSeq(
  text: string,
  node: Node | null,
  before: unknown[],
  after: unknown[],
  style: YamlStyle,
): string | undefined {
  if (!isSeq(node) || node.flow || node.items.length !== before.length || after.length === 0)
    return undefined;
  const items = node.items as Node[];
  const last = items[items.length - 1];
  if (!last) return undefined;
  const dash = columnOf(text, node.range?.[0] ?? 0);
  let out = text;
  if (after.length > items.length) {
    const at = pastDeeperComments(text, itemSpan(text, last)[1], dash);
    const lines = after.slice(items.length).map((v) => itemLines(v, dash, style));
    out = insertLines(out, at, lines.join(""), style.eol);
  }
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as Node;
    const [start, end] = itemSpan(text, item);
    if (i >= after.length) {
      out = removeLines(out, start, end);
      continue;
    }
    const now = after[i];
    if (sameData(before[i], now)) continue;
    if (isInline(item)) {
      const [from, to] = item.range ?? [0, 0];
      out = splice(out, from, to - from, flowText(now));
      continue;
    }
    const inner = isTable(now) ? updateMap(out, item, before[i], now, style) : undefined;
    out = inner ?? replaceLines(out, start, end, itemLines(now, dash, style), style.eol);
  }
  return out;
}

/** A scalar written on one line with its key, or a flow collection (not `|`/`>` text, not nothing). */
function isInline(node: Node | null): node is Node {
  const range = node?.range;
  if (!node || !range || range[1] <= range[0]) return false;
  if (isScalar(node)) return node.type !== "BLOCK_LITERAL" && node.type !== "BLOCK_FOLDED";
  return isCollection(node) && node.flow === true;
}

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
