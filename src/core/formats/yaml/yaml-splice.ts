/**
 * The YAML merge engine: set or remove `<serversPath>.<name>` entries by splicing text at the exact
 * ranges of the parsed tree; every byte that is not part of an edited entry stays.
 */
import { isMap, isScalar, isSeq, type Node, type Pair } from "yaml";
import { UsageError } from "../../errors.js";
import type { EntryEdit } from "../json/merge.js";
import { nodeAt, pairOf, parseYamlDocument, sameData, type YamlDocument } from "./yaml-document.js";
import {
  columnOf,
  insertLines,
  pairSpan,
  pastDeeperComments,
  removeLines,
  replaceLines,
} from "./yaml-lines.js";
import { itemText, listEntries, spliceItem, withItem, withItemLines } from "./yaml-list.js";
import { removePair, setPair } from "./yaml-map.js";
import { styleOf } from "./yaml-style.js";

type Table = Record<string, unknown>;

/**
 * Kept: comments (a comment at the end of a line stays on that line), key order, quoting, flow or
 * block style of everything around the entry, blank lines, CRLF, a BOM, a missing final newline.
 * The `yaml` library's own printer would re-flow the document (it does keep comments, but not
 * every spacing, quote and line break), so it only parses here; new entries are written in the
 * indentation the file itself uses.
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
  const first = parseYamlDocument(raw, file);
  const style = styleOf(first.text, first.root, first.eol);
  let expected = first.value;
  let doc = first;
  for (const edit of edits) {
    const entries = listKey
      ? listEntries(valueAt(doc.value, serversPath), listKey)
      : (valueAt(doc.value, serversPath) as Table | undefined);
    const current =
      entries && isTable(entries) && Object.hasOwn(entries, edit.name) ? entries[edit.name] : undefined;
    const value = "remove" in edit ? undefined : edit.value;
    if (value === undefined && current === undefined) continue;
    if (value !== undefined && current !== undefined && sameData(current, value)) continue;
    const splice = (fine: boolean) =>
      listKey
        ? spliceItem(doc, serversPath, listKey, edit.name, value as Table | undefined, current as Table, {
            ...style,
            fine,
          })
        : value === undefined
          ? removePair(doc, serversPath, edit.name)
          : setPair(doc, serversPath, edit.name, value, current, { ...style, fine });
    expected = listKey
      ? withValue(
          expected,
          serversPath,
          withItem(valueAt(expected, serversPath), listKey, edit.name, value as Table | undefined),
        )
      : withValue(expected, [...serversPath, edit.name], value);
    // An entry's lines as a backup held them (restore): spliced back byte for byte when that means
    // exactly the entry. Else pair by pair (comments on the entry's other lines stay); the whole
    // entry written again where that would not mean exactly the new entry.
    const lines = "text" in edit && value !== undefined ? edit.text : undefined;
    const asWritten =
      lines === undefined
        ? undefined
        : besideAsBefore(doc, { serversPath, listKey }, edit.name, lines, file, style.eol);
    if (asWritten) {
      // The entry is what its text says (the client's own fields with it): the rest as it was.
      doc = asWritten;
      expected = listKey
        ? withValue(expected, serversPath, valueAt(doc.value, serversPath))
        : withValue(expected, [...serversPath, edit.name], valueAt(doc.value, [...serversPath, edit.name]));
      continue;
    }
    doc = finely(() => splice(true), file, expected) ?? reparse(splice(false), file, first.bom);
  }
  if (doc === first) return raw;
  if (!sameData(doc.value, expected)) throw refusal(file, "the edited text would not mean what was intended");
  return (first.bom ? "\uFEFF" : "") + doc.text;
}

/**
 * The lines of `<serversPath>.<name>` as written in `raw` (its key's line to its value's last; a
 * backup's, for restore to put back byte for byte); undefined unless it is a pair of a block map.
 */
export function yamlEntryLines(
  raw: string,
  serversPath: readonly string[],
  name: string,
  file: string,
  listKey?: string,
) {
  try {
    const doc = parseYamlDocument(raw, file);
    // A named list's item (Continue's): its lines from its dash, comments on them included.
    if (listKey) return itemText(doc, serversPath, listKey, name);
    const map = nodeAt(doc, serversPath);
    const pair = isMap(map) && !map.flow ? pairOf(map, name) : undefined;
    if (!pair) return undefined;
    const [start, end] = pairSpan(doc.text, pair);
    return doc.text.slice(start, end);
  } catch {
    return undefined;
  }
}

/**
 * The document with the entry's lines as `lines` say, when it parses and everything but that entry
 * means what it meant (the entry then is whatever those lines say: a backup's, as it held it).
 */
function besideAsBefore(
  doc: YamlDocument,
  where: { serversPath: readonly string[]; listKey: string | undefined },
  name: string,
  lines: string,
  file: string,
  eol: string,
): YamlDocument | undefined {
  const { serversPath, listKey } = where;
  try {
    if (listKey) {
      const next = parseYamlDocument(withItemLines(doc, serversPath, listKey, name, lines, eol), file);
      const rest = (d: Table) =>
        withValue(d, serversPath, withItem(valueAt(d, serversPath), listKey, name, undefined));
      const item = listEntries(valueAt(next.value, serversPath), listKey)[name];
      return isTable(item) && sameData(rest(next.value), rest(doc.value))
        ? { ...next, bom: doc.bom }
        : undefined;
    }
    const next = parseYamlDocument(withPairLines(doc, serversPath, name, lines, eol), file);
    const path = [...serversPath, name];
    const rest = (d: Table) => withValue(d, path, undefined);
    return isTable(valueAt(next.value, path)) && sameData(rest(next.value), rest(doc.value))
      ? { ...next, bom: doc.bom }
      : undefined;
  } catch {
    return undefined; // not this way: pair by pair
  }
}

/** The entry's lines replaced by (or, absent, added as) `lines`, in a block map of servers. */
function withPairLines(
  doc: YamlDocument,
  serversPath: readonly string[],
  name: string,
  lines: string,
  eol: string,
): string {
  const map = nodeAt(doc, serversPath);
  const last = isMap(map) && !map.flow ? (map.items.at(-1) as Pair | undefined) : undefined;
  if (!isMap(map) || !last) throw new Error("not a block map with entries");
  const ended = lines.endsWith("\n") ? lines : lines + eol;
  const existing = pairOf(map, name);
  if (existing) {
    const [start, end] = pairSpan(doc.text, existing);
    return replaceLines(doc.text, start, end, ended, eol);
  }
  const column = columnOf(doc.text, (last.key as Node).range?.[0] ?? 0);
  return insertLines(doc.text, pastDeeperComments(doc.text, pairSpan(doc.text, last)[1], column), ended, eol);
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
  const [start, end] = pairSpan(doc.text, pair);
  return (doc.bom ? "\uFEFF" : "") + removeLines(doc.text, start, end);
}

/** The document the pair-by-pair edit gives, when it means exactly `expected`. */
function finely(edit: () => string, file: string, expected: Table): YamlDocument | undefined {
  try {
    const doc = parseYamlDocument(edit(), file);
    return sameData(doc.value, expected) ? doc : undefined;
  } catch {
    // Not this way (an entry shaped as no pair-by-pair edit foresaw): the whole entry is written.
    return undefined;
  }
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
