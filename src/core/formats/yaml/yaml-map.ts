/**
 * Servers kept as a map of names (Goose's `extensions:`): set, add or remove one `name:` pair by
 * splicing its lines, in the file's own indentation, block or flow as the map is written.
 */
import { isMap, isScalar, type Node, type Pair, type YAMLMap } from "yaml";
import { nodeAt, pairOf, type YamlDocument } from "./yaml-document.js";
import {
  closeEmpty,
  colonOf,
  columnOf,
  contentEnd,
  documentEnd,
  insertLines,
  openEmpty,
  pairSpan,
  pastDeeperComments,
  removeFlowSpan,
  removeLines,
  replaceLines,
  splice,
} from "./yaml-lines.js";
import { pairLines, type YamlStyle } from "./yaml-style.js";
import { updateMap } from "./yaml-update.js";

/**
 * The text with `path.<key>` set to `value` (its parents made where missing). `current` is its
 * value now: with `fine`, only the pairs of it that change are written again.
 */
export function setPair(
  doc: YamlDocument,
  path: readonly string[],
  key: string,
  value: unknown,
  current: unknown,
  style: YamlStyle & { fine: boolean },
): string {
  const { text } = doc;
  if (path.length === 0 && !doc.root)
    return insertLines(text, documentEnd(text, undefined), pairLines(key, value, 0, style), style.eol);
  const parent = path.length === 0 ? doc.root : nodeAt(doc, path);
  if (parent === undefined)
    return setPair(doc, path.slice(0, -1), path[path.length - 1] ?? "", { [key]: value }, undefined, style);
  if (!isMap(parent) || (parent.items.length === 0 && path.length > 0))
    return intoEmpty(doc, path, key, value, style);
  const existing = pairOf(parent, key);
  if (parent.flow) {
    const json = JSON.stringify(value);
    const at = existing?.value as Node | null | undefined;
    if (at?.range) return splice(text, at.range[0], at.range[1] - at.range[0], json);
    let before = (parent.range?.[1] ?? 1) - 1;
    while (before > 0 && /\s/.test(text[before - 1] ?? "")) before--;
    const gap = parent.items.length > 0 ? ", " : "";
    return splice(text, before, 0, `${gap}${JSON.stringify(key)}: ${json}`);
  }
  const column = columnOf(text, (parent.items[0]?.key as Node | undefined)?.range?.[0] ?? 0);
  if (existing) {
    const [start, end] = pairSpan(text, existing);
    const fine =
      style.fine && isTable(value)
        ? updateMap(text, existing.value as Node | null, current, value, style)
        : undefined;
    return fine ?? replaceLines(text, start, end, pairLines(key, value, column, style), style.eol);
  }
  const last = parent.items[parent.items.length - 1] as Pair;
  const at = pastDeeperComments(text, pairSpan(text, last)[1], column);
  return insertLines(text, at, pairLines(key, value, column, style), style.eol);
}

/**
 * `path` holds no server (`extensions:` with nothing, `~`, `{}`): it becomes a block map of this one
 * pair, the comment on the key's line staying there (removing that pair gives `{}` back).
 */
function intoEmpty(
  doc: YamlDocument,
  path: readonly string[],
  key: string,
  value: unknown,
  style: YamlStyle,
): string {
  const { text } = doc;
  const holder = path.length > 1 ? nodeAt(doc, path.slice(0, -1)) : doc.root;
  const pair = isMap(holder) ? pairOf(holder, path[path.length - 1] ?? "") : undefined;
  const node = pair?.value as Node | null | undefined;
  const empty =
    node === null || (isScalar(node) && node.value === null) || (isMap(node) && node.items.length === 0);
  if (!pair || !empty) throw new Error(`"${path.join(".")}" holds something other than a map of servers`);
  const column = columnOf(text, (pair.key as Node).range?.[0] ?? 0) + style.unit;
  return openEmpty(text, colonOf(text, pair), node, pairLines(key, value, column, style), style.eol);
}

/** The text with `path.<key>` removed; a block map left empty says `{}` on its key's line, a map still. */
export function removePair(doc: YamlDocument, path: readonly string[], key: string): string {
  const { text } = doc;
  const parent = path.length === 0 ? doc.root : nodeAt(doc, path);
  if (!isMap(parent)) return text;
  const pair = pairOf(parent, key);
  if (!pair) return text;
  if (parent.flow) {
    const start = (pair.key as Node).range?.[0] ?? 0;
    return removeFlowSpan(text, start, Math.max(contentEnd(pair), start));
  }
  const [start, end] = pairSpan(text, pair);
  const out = removeLines(text, start, end);
  if (parent.items.length > 1 || path.length === 0) return out;
  const holder = (path.length > 1 ? nodeAt(doc, path.slice(0, -1)) : doc.root) as YAMLMap | undefined;
  const keyPair = holder && pairOf(holder, path[path.length - 1] ?? "");
  const colon = keyPair ? colonOf(text, keyPair) : -1;
  return colon >= 0 && colon < start ? closeEmpty(out, colon, "{}") : out;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
