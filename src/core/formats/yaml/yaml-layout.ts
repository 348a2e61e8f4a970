/**
 * The servers key's line as a backup has it: undo gives a YAML file back byte for byte where taking
 * mcp-twin's last entry out wrote `[]`/`{}` on a line the person had with other blanks, or empty.
 */
import { isCollection, isMap, isScalar, type Node } from "yaml";
import { nodeAt, pairOf, parseYamlDocument } from "./yaml-document.js";
import { colonOf } from "./yaml-lines.js";

/**
 * Why a backup is needed at all: opening `key: []` into a block must take `[]` off the line, and the
 * line left cannot say both where it stood (`key: []\t# c` and `key:\t[]\t# c` open alike unless
 * blanks are added to the person's line) and whether it was there at all (`key: # c`, null, opens to
 * the same line as `key: [] # c`). Closing writes `[]` (Continue's schema refuses a null list);
 * the backup says what the person had.
 */

/** Blanks, an empty value (`[]`, `{}`, `[ ]`, `~`, `null`, nothing) and blanks: what may differ after the `:`. */
const EMPTY_VALUE = /^[ \t]*(?:\[[ \t]*\]|\{[ \t]*\}|~|null|Null|NULL)?(?=[ \t]|\r?\n|$)[ \t]*/;

/**
 * `model` (its bytes after a BOM, `text`'s BOM kept) when it and `text` differ in one line only, the
 * `serversPath` key's, each holding an empty value there with the same key and comment; else `text`.
 * Nothing of mcp-twin's is left then, and the person's file had the key so: it is theirs again.
 */
export function emptyLayoutLike(text: string, model: string, serversPath: readonly string[]): string {
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  const mine = text.slice(bom.length);
  const theirs = model.replace(/^\uFEFF/, "");
  if (mine === theirs || serversPath.length === 0) return text;
  const a = mine.split(/(?<=\n)/);
  const b = theirs.split(/(?<=\n)/);
  if (a.length !== b.length) return text;
  const differ = a.flatMap((line, i) => (line === b[i] ? [] : [i]));
  if (differ.length !== 1) return text;
  const at = emptyKeyLine(mine, serversPath);
  if (at === undefined || at.line !== differ[0]) return text;
  const other = emptyKeyLine(theirs, serversPath);
  if (other?.line !== at.line || other.column !== at.column) return text;
  const x = a[at.line] ?? "";
  const y = b[at.line] ?? "";
  const head = at.column + 1;
  const rest = (line: string) => line.slice(head).replace(EMPTY_VALUE, "");
  return x.slice(0, head) === y.slice(0, head) && rest(x) === rest(y) ? bom + theirs : text;
}

/** The line (from 0) and column of the `:` of the key at `path` when its value is empty and on that line. */
function emptyKeyLine(text: string, path: readonly string[]): { line: number; column: number } | undefined {
  let doc: ReturnType<typeof parseYamlDocument>;
  try {
    doc = parseYamlDocument(text, "model");
  } catch {
    // A text that does not parse is laid out as nothing else.
    return undefined;
  }
  const parent = path.length > 1 ? nodeAt(doc, path.slice(0, -1)) : doc.root;
  if (!isMap(parent) || parent.flow) return undefined;
  const pair = pairOf(parent, path[path.length - 1] ?? "");
  if (!pair) return undefined;
  const value = pair.value as Node | null;
  const empty =
    value === null ||
    (isScalar(value) && value.value === null) ||
    (isCollection(value) && value.flow === true && value.items.length === 0);
  if (!empty) return undefined;
  const colon = colonOf(doc.text, pair);
  const start = doc.text.lastIndexOf("\n", colon - 1) + 1;
  const line = doc.text.slice(0, colon).split("\n").length - 1;
  // The value (if any) on the key's own line: `key:\n  []` is another layout, not this one.
  const end = value?.range?.[1] ?? colon;
  if (doc.text.slice(colon, end).includes("\n")) return undefined;
  return { line, column: colon - start };
}
