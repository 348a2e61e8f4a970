/**
 * Servers kept as a list of named items (Continue's `mcpServers: [- name: x …]`): each item is one
 * entry, its name the item's `name`; set, add or remove one item by splicing its lines.
 */
import { isMap, isScalar, isSeq, type Node, type YAMLSeq } from "yaml";
import { nodeAt, pairOf, type YamlDocument } from "./yaml-document.js";
import {
  closeEmpty,
  colonOf,
  columnOf,
  documentEnd,
  insertLines,
  itemSpan,
  openEmpty,
  pairSpan,
  pastDeeperComments,
  removeFlowSpan,
  removeLines,
  replaceLines,
  splice,
} from "./yaml-lines.js";
import { itemLines, pairLines, type YamlStyle } from "./yaml-style.js";
import { updateMap } from "./yaml-update.js";

type Table = Record<string, unknown>;

/** The list's items that are maps with a string `key`, by that name (the last one of a name wins). */
function namedItems(seq: YAMLSeq, key: string): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const item of seq.items as Node[]) {
    if (!isMap(item)) continue;
    const name = item.get(key);
    if (typeof name === "string") out.set(name, item);
  }
  return out;
}

/** The entries of a named list as plain values: each item without its name key. */
export function listEntries(value: unknown, key: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(value)) return out;
  for (const item of value) {
    if (!item || typeof item !== "object" || Array.isArray(item)) continue;
    const { [key]: name, ...rest } = item as Table;
    if (typeof name === "string") out[name] = rest;
  }
  return out;
}

/** The plain value with item `name` set to `entry` (appended when new) or removed (undefined). */
export function withItem(value: unknown, key: string, name: string, entry: Table | undefined): unknown[] {
  const list = Array.isArray(value) ? [...value] : [];
  const at = list.findIndex((i) => i && typeof i === "object" && (i as Table)[key] === name);
  const item = entry && { [key]: name, ...entry };
  if (at === -1) return item ? [...list, item] : list;
  if (!item) list.splice(at, 1);
  else list[at] = item;
  return list;
}

/**
 * The text with the list at `path` holding item `name` as `entry` (undefined: without it); `current`
 * is its entry as it is now: with `fine`, only the pairs of the item that change are written again.
 */
export function spliceItem(
  doc: YamlDocument,
  path: readonly string[],
  key: string,
  name: string,
  entry: Table | undefined,
  current: Table | undefined,
  style: YamlStyle & { fine: boolean },
): string {
  const { text } = doc;
  const seq = nodeAt(doc, path);
  const item = isSeq(seq) ? namedItems(seq, key).get(name) : undefined;
  const value = entry && { [key]: name, ...entry };
  if (!isSeq(seq) || seq.items.length === 0) return value ? newList(doc, path, value, style) : text;
  if (seq.flow) return flowItem(text, seq, item, value);
  const dash = columnOf(text, seq.range?.[0] ?? 0);
  if (item) {
    const [start, end] = itemSpan(text, item);
    if (value) {
      const fine = style.fine
        ? updateMap(text, item, current && { [key]: name, ...current }, value, style)
        : undefined;
      return fine ?? replaceLines(text, start, end, itemLines(value, dash, style), style.eol);
    }
    const out = removeLines(text, start, end);
    // The last item gone: `[]` on the key's line again, a list still (an empty block list cannot
    // be). A key that held nothing (`mcpServers:`) says `[]` then: Continue's schema takes a list
    // and refuses null (packages/config-yaml/src/schemas/index.ts, `z.array(…).optional()`); undo
    // gives the person's empty line back from the file before mcp-twin (yaml-layout.ts).
    const holder = pairOfPath(doc, path);
    return seq.items.length > 1 || !holder ? out : closeEmpty(out, colonOf(text, holder), "[]");
  }
  if (!value) return text;
  const last = seq.items[seq.items.length - 1] as Node;
  const at = pastDeeperComments(text, itemSpan(text, last)[1], dash);
  return insertLines(text, at, itemLines(value, dash, style), style.eol);
}

/**
 * The lines of the block list's item `name` as written (its dash's line to its last): a backup's,
 * for restore to put back byte for byte; undefined unless it is an item of a block list.
 */
export function itemText(doc: YamlDocument, path: readonly string[], key: string, name: string) {
  const seq = nodeAt(doc, path);
  const item = isSeq(seq) && !seq.flow ? namedItems(seq, key).get(name) : undefined;
  if (!item) return undefined;
  const [start, end] = itemSpan(doc.text, item);
  return doc.text.slice(start, end);
}

/** The text with item `name`'s lines replaced by (absent: added after the last item as) `lines`. */
export function withItemLines(
  doc: YamlDocument,
  path: readonly string[],
  key: string,
  name: string,
  lines: string,
  eol: string,
): string {
  const { text } = doc;
  const seq = nodeAt(doc, path);
  if (!isSeq(seq) || seq.flow || seq.items.length === 0) throw new Error("not a block list with items");
  const ended = lines.endsWith("\n") ? lines : lines + eol;
  const item = namedItems(seq, key).get(name);
  if (item) {
    const [start, end] = itemSpan(text, item);
    return replaceLines(text, start, end, ended, eol);
  }
  const last = seq.items[seq.items.length - 1] as Node;
  const at = pastDeeperComments(text, itemSpan(text, last)[1], columnOf(text, seq.range?.[0] ?? 0));
  return insertLines(text, at, ended, eol);
}

/** The pair holding the node at `path` (undefined at the top level or when absent). */
function pairOfPath(doc: YamlDocument, path: readonly string[]) {
  const holder = path.length > 1 ? nodeAt(doc, path.slice(0, -1)) : doc.root;
  return isMap(holder) ? pairOf(holder, path[path.length - 1] ?? "") : undefined;
}

/** An item of a flow list (`[{name: a, …}]`): set, added or removed as flow (JSON is YAML's flow). */
function flowItem(text: string, seq: YAMLSeq, item: Node | undefined, value: Table | undefined): string {
  const range = item?.range;
  if (range) {
    return value
      ? splice(text, range[0], range[1] - range[0], JSON.stringify(value))
      : removeFlowSpan(text, range[0], range[1]);
  }
  if (!value) return text;
  let before = (seq.range?.[1] ?? 1) - 1;
  while (before > 0 && /\s/.test(text[before - 1] ?? "")) before--;
  const gap = text[before - 1] === "," ? " " : ", ";
  return splice(text, before, 0, `${gap}${JSON.stringify(value)}`);
}

/** The list is absent, empty (`[]`), or null: it becomes a block list of this one item. */
function newList(doc: YamlDocument, path: readonly string[], value: Table, style: YamlStyle): string {
  const { text } = doc;
  const pair = pairOfPath(doc, path);
  if (!pair) {
    if (path.length > 1) throw new Error(`"${path.slice(0, -1).join(".")}" is absent`);
    const lines = pairLines(path[0] ?? "", [value], 0, style);
    const last = doc.root?.items[doc.root.items.length - 1];
    const at = last ? pastDeeperComments(text, pairSpan(text, last)[1], 0) : documentEnd(text, doc.root);
    return insertLines(text, at, lines, style.eol);
  }
  const node = pair.value as Node | null;
  const empty =
    node === null || (isScalar(node) && node.value === null) || (isSeq(node) && node.items.length === 0);
  if (!empty) throw new Error(`"${path.join(".")}" holds something other than a list of servers`);
  const column = columnOf(text, (pair.key as Node).range?.[0] ?? 0) + style.seq;
  return openEmpty(text, colonOf(text, pair), node, itemLines(value, column, style), style.eol);
}
