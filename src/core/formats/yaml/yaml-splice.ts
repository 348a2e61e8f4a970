/**
 * The YAML merge engine: set or remove `<serversPath>.<name>` entries by splicing text at the exact
 * ranges of the parsed tree; every byte that is not part of an edited entry stays.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, stringify, type YAMLMap } from "yaml";
import { UsageError } from "../../errors.js";
import type { EntryEdit } from "../json/merge.js";
import { nodeAt, pairOf, parseYamlDocument, sameData, type YamlDocument } from "./yaml-document.js";
import { listEntries, spliceItem, withItem } from "./yaml-list.js";

type Table = Record<string, unknown>;

/**
 * Kept: comments, key order, quoting, flow or block style of everything around the entry, blank
 * lines, CRLF, a BOM. The `yaml` library's own printer would re-flow the document (it does keep
 * comments, but not every spacing, quote and line break), so it only parses here and serializes
 * the new entries; they are spliced in at the indentation the file itself uses.
 *
 * Every edit is checked by parsing the result: it must mean exactly the old document with these
 * entries changed, or nothing is returned (and nothing written).
 */
export function applyYamlEntryEdits(
  raw: string,
  serversPath: readonly string[],
  edits: readonly EntryEdit[],
  file: string,
  listKey?: string,
): string {
  if (listKey) return applyListEdits(raw, serversPath, edits, file, listKey);
  const first = parseYamlDocument(raw, file);
  let expected = first.value;
  let doc = first;
  for (const edit of edits) {
    const path = [...serversPath, edit.name];
    const current = valueAt(doc.value, path);
    if ("remove" in edit) {
      if (current === undefined) continue;
      doc = reparse(removePair(doc, serversPath, edit.name), file, first.bom);
      expected = withValue(expected, path, undefined);
      continue;
    }
    if (current !== undefined && sameData(current, edit.value)) continue;
    doc = reparse(setPair(doc, serversPath, edit.name, edit.value), file, first.bom);
    expected = withValue(expected, path, edit.value);
  }
  if (doc === first) return raw;
  if (!sameData(doc.value, expected)) throw refusal(file, "the edited text would not mean what was intended");
  return (first.bom ? "\uFEFF" : "") + doc.text;
}

/** The same for servers kept as a list of named items (Continue's `mcpServers`). */
function applyListEdits(
  raw: string,
  serversPath: readonly string[],
  edits: readonly EntryEdit[],
  file: string,
  key: string,
): string {
  const first = parseYamlDocument(raw, file);
  let expected = first.value;
  let doc = first;
  for (const edit of edits) {
    const list = valueAt(doc.value, serversPath);
    const current = listEntries(list, key)[edit.name];
    const entry = "remove" in edit ? undefined : (edit.value as Table);
    if (entry === undefined && current === undefined) continue;
    if (entry !== undefined && current !== undefined && sameData(current, entry)) continue;
    const text = spliceItem(doc, serversPath, key, edit.name, entry, indentUnit(doc));
    doc = reparse(text, file, first.bom);
    expected = withValue(
      expected,
      serversPath,
      withItem(valueAt(expected, serversPath), key, edit.name, entry),
    );
  }
  if (doc === first) return raw;
  if (!sameData(doc.value, expected)) throw refusal(file, "the edited text would not mean what was intended");
  return (first.bom ? "\uFEFF" : "") + doc.text;
}

/** The servers key itself when it holds no server (uninstall: the key was mcp-twin's doing). */
export function removeEmptyYamlServers(raw: string, serversPath: readonly string[], file: string): string {
  const doc = parseYamlDocument(raw, file);
  const node = nodeAt(doc, serversPath);
  const empty =
    node === null ||
    (isScalar(node) && node.value === null) ||
    ((isMap(node) || isSeq(node)) && node.items.length === 0);
  if (node === undefined || !empty || serversPath.length === 0) return raw;
  const parent = nodeAt(doc, serversPath.slice(0, -1));
  if (!isMap(parent)) return raw;
  const pair = pairOf(parent, serversPath[serversPath.length - 1] ?? "");
  if (!pair || parent.flow) return raw;
  const [start, end] = blockPairSpan(doc.text, pair);
  return (doc.bom ? "\uFEFF" : "") + splice(doc.text, start, end - start, "");
}

function reparse(text: string, file: string, bom: boolean): YamlDocument {
  try {
    return { ...parseYamlDocument(text, file), bom };
  } catch (error) {
    throw refusal(file, `the edited text would not parse (${(error as Error).message})`);
  }
}

function refusal(file: string, why: string): UsageError {
  return new UsageError(
    "config-edit",
    `${file}: mcp-twin could not edit this file safely: ${why}; nothing was written.`,
    {
      location: { file },
      hint: "This is a bug in mcp-twin: please report it with the shape of the file (no secrets). Meanwhile edit the entry by hand.",
    },
  );
}

/** The text with `path.<key>` set to `value` (its parents made where missing). */
function setPair(doc: YamlDocument, path: readonly string[], key: string, value: unknown): string {
  const { text } = doc;
  if (path.length === 0 && !doc.root) {
    const prefix = text.length === 0 || text.endsWith("\n") ? "" : doc.eol;
    return text + prefix + blockPair(key, value, "", doc);
  }
  const parent = path.length === 0 ? doc.root : nodeAt(doc, path);
  if (parent === undefined)
    return setPair(doc, path.slice(0, -1), path[path.length - 1] ?? "", { [key]: value });
  if (!isMap(parent) || (parent.flow && parent.items.length === 0 && path.length > 0))
    return intoEmpty(doc, path, key, value);
  const existing = pairOf(parent, key);
  if (parent.flow) {
    const json = JSON.stringify(value);
    const at = existing?.value as Node | null | undefined;
    if (at?.range) return splice(text, at.range[0], at.range[1] - at.range[0], json);
    const close = (parent.range?.[1] ?? 1) - 1;
    let before = close;
    while (before > 0 && /\s/.test(text[before - 1] ?? "")) before--;
    const gap = parent.items.length > 0 ? ", " : "";
    return splice(text, before, 0, `${gap}${JSON.stringify(key)}: ${json}`);
  }
  const indent = lineIndent(text, (parent.items[0]?.key as Node | undefined)?.range?.[0] ?? 0);
  if (existing) {
    const [start, end] = blockPairSpan(text, existing);
    const body = blockPair(key, value, indent, doc);
    return splice(text, start, end - start, text.slice(start, end).endsWith("\n") ? body : trimEol(body));
  }
  const last = parent.items[parent.items.length - 1];
  const at = last ? blockPairSpan(text, last)[1] : text.length;
  const prefix = at === 0 || text[at - 1] === "\n" ? "" : doc.eol;
  return splice(text, at, 0, prefix + blockPair(key, value, indent, doc));
}

/**
 * `path` holds no server (`extensions:` with nothing, `~`, `{}`): it becomes a block map of this one
 * pair (removing that pair later gives ` {}` back).
 */
function intoEmpty(doc: YamlDocument, path: readonly string[], key: string, value: unknown): string {
  const { text } = doc;
  const holder = nodeAt(doc, path.slice(0, -1));
  const pair = isMap(holder) ? pairOf(holder, path[path.length - 1] ?? "") : undefined;
  const node = nodeAt(doc, path);
  const empty =
    node === null || (isScalar(node) && node.value === null) || (isMap(node) && node.items.length === 0);
  if (!pair || !empty) throw new Error(`"${path.join(".")}" holds something other than a map of servers`);
  const keyNode = pair.key as Node;
  const indent = lineIndent(text, keyNode.range?.[0] ?? 0) + indentUnit(doc);
  const colon = text.indexOf(":", keyNode.range?.[1] ?? 0);
  const range = node?.range;
  const end = range && range[1] > range[0] ? range[1] : colon + 1;
  return splice(text, colon + 1, end - colon - 1, doc.eol + trimEol(blockPair(key, value, indent, doc)));
}

/** The text with `path.<key>` removed; a block map left empty says `{}`, as a map it stays. */
function removePair(doc: YamlDocument, path: readonly string[], key: string): string {
  const { text } = doc;
  const parent = nodeAt(doc, path);
  if (!isMap(parent)) return text;
  const pair = pairOf(parent, key);
  if (!pair) return text;
  if (parent.flow) return removeFlowPair(text, pair);
  const [start, end] = blockPairSpan(text, pair);
  let out = splice(text, start, end - start, "");
  if (parent.items.length === 1 && path.length > 0) {
    const holder = nodeAt(doc, path.slice(0, -1)) as YAMLMap;
    const keyNode = pairOf(holder, path[path.length - 1] ?? "")?.key as Node | undefined;
    const colon = text.indexOf(":", keyNode?.range?.[1] ?? 0);
    if (colon >= 0 && colon < start) out = splice(out, colon + 1, 0, " {}");
  }
  return out;
}

function removeFlowPair(text: string, pair: Pair): string {
  const start = (pair.key as Node).range?.[0] ?? 0;
  const valueNode = pair.value as Node | null;
  let end = valueNode?.range?.[1] ?? (pair.key as Node).range?.[1] ?? start;
  let after = end;
  while (/[ \t]/.test(text[after] ?? "")) after++;
  if (text[after] === ",") {
    end = after + 1;
    while (/[ \t]/.test(text[end] ?? "")) end++;
    return splice(text, start, end - start, "");
  }
  let before = start;
  while (before > 0 && /\s/.test(text[before - 1] ?? "")) before--;
  return text[before - 1] === ","
    ? splice(text, before - 1, end - before + 1, "")
    : splice(text, start, end - start, "");
}

/** A block map pair's lines: from the start of its key's line to after its value's last line. */
function blockPairSpan(text: string, pair: Pair): [number, number] {
  const keyNode = pair.key as Node;
  const start = lineStart(text, keyNode.range?.[0] ?? 0);
  const valueNode = pair.value as Node | null;
  const last = Math.max((valueNode?.range?.[1] ?? 0) - 1, keyNode.range?.[1] ?? 0);
  const nl = text.indexOf("\n", last);
  return [start, nl === -1 ? text.length : nl + 1];
}

/** `key: value` as block YAML at `indent`, each line ending with the file's line ending. */
function blockPair(key: string, value: unknown, indent: string, doc: YamlDocument): string {
  const body = stringify(
    { [key]: value },
    { indent: indentUnit(doc).length, lineWidth: 0, minContentWidth: 0 },
  );
  return body
    .replace(/\n$/, "")
    .split("\n")
    .map((line) => indent + line + doc.eol)
    .join("");
}

/** The file's own indentation step (the smallest indentation of a line; two spaces by default). */
function indentUnit(doc: YamlDocument): string {
  let smallest = Number.POSITIVE_INFINITY;
  for (const line of doc.text.split("\n")) {
    const m = /^( +)[^\s#-]/.exec(line);
    if (m?.[1] && m[1].length < smallest) smallest = m[1].length;
  }
  return " ".repeat(Number.isFinite(smallest) ? smallest : 2);
}

function trimEol(text: string): string {
  return text.replace(/\r?\n$/, "");
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

function valueAt(root: Table, path: readonly string[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (!isTable(v) || !Object.hasOwn(v, k)) return undefined;
    v = v[k];
  }
  return v;
}

function withValue(root: Table, path: readonly string[], value: unknown): Table {
  const [head, ...rest] = path as [string, ...string[]];
  const copy = { ...root };
  if (rest.length === 0) {
    if (value === undefined) delete copy[head];
    else copy[head] = value;
    return copy;
  }
  copy[head] = withValue(isTable(root[head]) ? (root[head] as Table) : {}, rest, value);
  return copy;
}

function isTable(value: unknown): value is Table {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
