/**
 * Servers kept as a list of named items (Continue's `mcpServers: [- name: x …]`): each item is one
 * entry, its name the item's `name`; set, add or remove one item by splicing its lines.
 */
import { isMap, isScalar, isSeq, type Node, stringify, type YAMLSeq } from "yaml";
import { nodeAt, pairOf, type YamlDocument } from "./yaml-document.js";

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

/** The text with the list at `path` holding `name` as `entry` (undefined: without it). */
export function spliceItem(
  doc: YamlDocument,
  path: readonly string[],
  key: string,
  name: string,
  entry: Table | undefined,
  unit: string,
): string {
  const { text } = doc;
  const seq = nodeAt(doc, path);
  const item = isSeq(seq) ? namedItems(seq, key).get(name) : undefined;
  const body = entry && itemText({ [key]: name, ...entry }, unit, doc.eol);
  if (isSeq(seq) && !seq.flow && seq.items.length > 0) {
    const first = seq.items[0] as Node;
    const indent = dashIndent(text, first);
    if (item) {
      const [start, end] = itemSpan(text, item);
      const out = splice(text, start, end - start, body ? indented(body, indent) : "");
      // The last item gone: the key says `[]`, a list still (as a block list left empty cannot).
      return body || seq.items.length > 1 ? out : emptied(doc, path, out, start);
    }
    if (!body) return text;
    const last = seq.items[seq.items.length - 1] as Node;
    const at = itemSpan(text, last)[1];
    const prefix = text[at - 1] === "\n" ? "" : doc.eol;
    return splice(text, at, 0, prefix + indented(body, indent));
  }
  if (!body) return text;
  return newList(doc, path, body, unit);
}

/** ` []` after the list's key (which sits before `before`). */
function emptied(doc: YamlDocument, path: readonly string[], out: string, before: number): string {
  const holder = path.length > 1 ? nodeAt(doc, path.slice(0, -1)) : doc.root;
  const keyNode = isMap(holder)
    ? (pairOf(holder, path[path.length - 1] ?? "")?.key as Node | undefined)
    : undefined;
  const colon = doc.text.indexOf(":", keyNode?.range?.[1] ?? 0);
  return colon >= 0 && colon < before ? splice(out, colon + 1, 0, " []") : out;
}

/** The list is absent, empty (`[]`), or null: it becomes a block list of this one item. */
function newList(doc: YamlDocument, path: readonly string[], body: string, unit: string): string {
  const { text } = doc;
  const holder = path.length > 1 ? nodeAt(doc, path.slice(0, -1)) : doc.root;
  const pair = isMap(holder) ? pairOf(holder, path[path.length - 1] ?? "") : undefined;
  if (!pair) {
    const keyText = stringify(path[path.length - 1] ?? "").trim();
    const prefix = text.length === 0 || text.endsWith("\n") ? "" : doc.eol;
    return `${text}${prefix}${keyText}:${doc.eol}${indented(body, unit)}`;
  }
  const keyNode = pair.key as Node;
  const colon = text.indexOf(":", keyNode.range?.[1] ?? 0);
  const node = pair.value as Node | null;
  const empty =
    node === null || (isScalar(node) && node.value === null) || (isSeq(node) && node.items.length === 0);
  if (!empty) throw new Error(`"${path.join(".")}" holds something other than a list of servers`);
  const range = node?.range;
  const end = range && range[1] > range[0] ? range[1] : colon + 1;
  const indent = lineIndent(text, keyNode.range?.[0] ?? 0) + unit;
  return splice(text, colon + 1, end - colon - 1, doc.eol + indented(body, indent).replace(/\r?\n$/, ""));
}

/** `- name: x` and its lines, with the file's line ending, at no indentation. */
function itemText(item: Table, unit: string, eol: string): string {
  const out = stringify([item], { indent: unit.length, lineWidth: 0, minContentWidth: 0 });
  return out.replace(/\n$/, "").split("\n").join(eol) + eol;
}

function indented(body: string, indent: string): string {
  return body
    .split(/(?<=\n)/)
    .map((line) => (line.trim() === "" ? line : indent + line))
    .join("");
}

/** An item's lines: from the start of its `-` line to after its last line. */
function itemSpan(text: string, item: Node): [number, number] {
  const start = lineStart(text, item.range?.[0] ?? 0);
  const last = Math.max((item.range?.[1] ?? 1) - 1, start);
  const nl = text.indexOf("\n", last);
  return [start, nl === -1 ? text.length : nl + 1];
}

/** The indentation of an item's `-`. */
function dashIndent(text: string, item: Node): string {
  return lineIndent(text, item.range?.[0] ?? 0);
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

function lineIndent(text: string, offset: number): string {
  return /^[ \t]*/.exec(text.slice(lineStart(text, offset)))?.[0] ?? "";
}

function splice(text: string, at: number, remove: number, insert: string): string {
  return text.slice(0, at) + insert + text.slice(at + remove);
}
