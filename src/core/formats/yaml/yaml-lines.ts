/**
 * Whole-line splices of a YAML file: where a node's lines begin and end, inserting and removing lines
 * so that a file without a final newline keeps none, and an empty `[]`/`{}` on a key line opened into
 * a block (and closed again) with the line's comment left where the person put it.
 */
import { isCollection, isMap, isPair, type Node, type Pair } from "yaml";

export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** Just after the line break of the line holding `offset` (the text's end on its last line). */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl === -1 ? text.length : nl + 1;
}

export function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

export function splice(text: string, at: number, remove: number, insert: string): string {
  return text.slice(0, at) + insert + text.slice(at + remove);
}

/**
 * Where a node's own text ends: its last scalar or flow collection. A block collection's range also
 * takes the comment lines after it, which are not its (they stay when the node's lines go).
 */
export function contentEnd(node: Node | Pair | null | undefined): number {
  if (!node) return 0;
  if (isPair(node)) {
    const value = node.value as Node | null;
    const end = value ? contentEnd(value) : 0;
    return Math.max(end, (node.key as Node | null)?.range?.[1] ?? 0);
  }
  if (isCollection(node) && !node.flow && node.items.length > 0)
    return contentEnd(node.items[node.items.length - 1] as Node | Pair);
  return node.range?.[1] ?? 0;
}

/** A block pair's lines: from the start of its key's line to after its value's last line. */
export function pairSpan(text: string, pair: Pair): [number, number] {
  const start = lineStart(text, (pair.key as Node).range?.[0] ?? 0);
  return [start, lineEnd(text, Math.max(contentEnd(pair) - 1, start))];
}

/** A block list item's lines: from the start of its `-` line to after its last line. */
export function itemSpan(text: string, item: Node): [number, number] {
  const start = lineStart(text, item.range?.[0] ?? 0);
  return [start, lineEnd(text, Math.max(contentEnd(item) - 1, start))];
}

/**
 * Past the comment lines right after `at` indented deeper than `column`: they belong to what ends
 * there (a note under the last item), so what is added goes after them.
 */
export function pastDeeperComments(text: string, at: number, column: number): number {
  let here = at;
  while (here < text.length) {
    const line = text.slice(here, lineEnd(text, here));
    const m = /^([ \t]*)#/.exec(line);
    if (!m || (m[1]?.length ?? 0) <= column) break;
    here += line.length;
  }
  return here;
}

/**
 * `lines` (each ending with `eol`) inserted at line boundary `at`. At the end of a text without a
 * final newline they go after a line break of their own and end without one, so that removing them
 * (removeLines) gives the same bytes back.
 */
export function insertLines(text: string, at: number, lines: string, eol: string): string {
  if (at >= text.length && text.length > 0 && !text.endsWith("\n"))
    return text + eol + lines.slice(0, lines.length - eol.length);
  return splice(text, at, 0, lines);
}

/** The lines in [start, end) gone; the last lines of a text without a final newline take the line break before them. */
export function removeLines(text: string, start: number, end: number): string {
  if (end >= text.length && !text.endsWith("\n") && start > 0) {
    const before = text[start - 2] === "\r" ? start - 2 : start - 1;
    return text.slice(0, before);
  }
  return splice(text, start, end - start, "");
}

/** Lines [start, end) replaced by `lines` (each ending with `eol`), keeping whether the last ended the text without one. */
export function replaceLines(text: string, start: number, end: number, lines: string, eol: string): string {
  const open = end >= text.length && !text.endsWith("\n");
  return splice(text, start, end - start, open ? lines.slice(0, lines.length - eol.length) : lines);
}

/**
 * A key whose value is empty (`[]`, `{}`, `~`, nothing) given block `lines` under it: the empty value
 * (and the one space before it) goes, the rest of the key's line — its comment — stays on that line,
 * and the lines go after it. `colon` is the key's `:`.
 */
export function openEmpty(
  text: string,
  colon: number,
  value: Node | null | undefined,
  lines: string,
  eol: string,
): string {
  let out = text;
  const range = value?.range;
  if (range && range[1] > range[0]) {
    const start = /[ \t]/.test(text[range[0] - 1] ?? "") ? range[0] - 1 : range[0];
    out = splice(text, start, range[1] - start, "");
  }
  return insertLines(out, lineEnd(out, colon), lines, eol);
}

/**
 * The inverse of openEmpty once the block's last item has gone: `token` (`[]` or `{}`) after the
 * key's `:`, before the line's comment; the separator is the one the line already has after the `:`
 * (a tab stays a tab), else a space. Not the same bytes where the blank before the token differed
 * from the one after it (`key: []\t# c` comes back `key:\t[]\t# c`: the opened line kept one blank)
 * or the key held nothing (`key: # c` comes back `key: [] # c`); undo takes that line from the file
 * before mcp-twin (yaml-layout.ts).
 */
export function closeEmpty(text: string, colon: number, token: string): string {
  const after = text[colon + 1] ?? "";
  const rest = text.slice(colon + 1, lineEnd(text, colon)).trim();
  const sep = (after === " " || after === "\t") && rest.startsWith("#") ? after : " ";
  return splice(text, colon + 1, 0, `${sep}${token}`);
}

/** The `:` after a pair's key. */
export function colonOf(text: string, pair: Pair): number {
  return text.indexOf(":", (pair.key as Node).range?.[1] ?? 0);
}

/** Where a new top-level key goes: the end of the text, or before a document end marker (`...`). */
export function documentEnd(text: string, root: Node | undefined): number {
  const from = root && isMap(root) ? contentEnd(root) : 0;
  const marker = /^\.\.\.(?:[ \t]|\r?$)/m.exec(text.slice(from));
  return marker ? from + marker.index : text.length;
}

/** A flow item or pair in [start, end) gone with its comma (the one after it, else the one before). */
export function removeFlowSpan(text: string, start: number, end: number): string {
  let after = end;
  while (/[ \t]/.test(text[after] ?? "")) after++;
  if (text[after] === ",") {
    let next = after + 1;
    while (/[ \t]/.test(text[next] ?? "")) next++;
    return splice(text, start, next - start, "");
  }
  let before = start;
  while (before > 0 && /\s/.test(text[before - 1] ?? "")) before--;
  return text[before - 1] === ","
    ? splice(text, before - 1, end - before + 1, "")
    : splice(text, start, end - start, "");
}
