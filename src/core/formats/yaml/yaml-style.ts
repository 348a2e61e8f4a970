/**
 * How a YAML file indents — the step of a nested map, and where a list's `-` sits under its key
 * (`key:\n  - a` as the `yaml` library writes, `key:\n- a` as Goose's serde_yaml does) — and new
 * values written as block YAML that way.
 */
import { isMap, isPair, isSeq, type Node, stringify } from "yaml";
import { columnOf } from "./yaml-lines.js";

export interface YamlStyle {
  /** Columns a nested map's keys sit right of their key. */
  unit: number;
  /** Columns a block list's `-` sits right of its key (0: under it). */
  seq: number;
  eol: "\n" | "\r\n";
}

type Table = Record<string, unknown>;

/** The step most used by the file's own nesting (on a tie, the first to get there); two spaces when it shows none. */
export function styleOf(text: string, root: Node | undefined, eol: "\n" | "\r\n"): YamlStyle {
  const units: number[] = [];
  const seqs: number[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (depth > 64 || (!isMap(node) && !isSeq(node))) return;
    for (const item of node.items) {
      if (!isPair(item)) {
        visit(item, depth + 1);
        continue;
      }
      const key = item.key as Node | null;
      const value = item.value as Node | null;
      if (key?.range && value?.range && (isMap(value) || isSeq(value)) && !value.flow && value.items.length) {
        const step = columnOf(text, value.range[0]) - columnOf(text, key.range[0]);
        if (isMap(value) && step > 0) units.push(step);
        if (isSeq(value) && step >= 0) seqs.push(step);
      }
      visit(value, depth + 1);
    }
  };
  visit(root, 0);
  const unit = mostUsed(units) ?? 2;
  return { unit, seq: mostUsed(seqs) ?? unit, eol };
}

function mostUsed(values: number[]): number | undefined {
  const counts = new Map<number, number>();
  let best: number | undefined;
  for (const v of values) {
    const n = (counts.get(v) ?? 0) + 1;
    counts.set(v, n);
    if (best === undefined || n > (counts.get(best) ?? 0)) best = v;
  }
  return best;
}

/** `key: value` as block lines at `column`, each ending with the file's line ending. */
export function pairLines(key: string, value: unknown, column: number, style: YamlStyle): string {
  const out: string[] = [];
  pair(key, value, column, style, out);
  return out.map((l) => l + style.eol).join("");
}

/** `- value` as block lines with the `-` at `column`. */
export function itemLines(value: unknown, column: number, style: YamlStyle): string {
  const out: string[] = [];
  item(value, column, style, out);
  return out.map((l) => l + style.eol).join("");
}

/** A value on one line: a scalar as YAML reads it back (quoted where it must be), an empty `[]`/`{}`, else JSON (YAML's flow). */
export function flowText(value: unknown): string {
  if (typeof value === "string") {
    const s = stringify(value, { lineWidth: 0, minContentWidth: 0 }).replace(/\n$/, "");
    return s.includes("\n") ? JSON.stringify(value) : s;
  }
  if (value === null || value === undefined) return "null";
  if (typeof value === "number" || typeof value === "boolean") return stringify(value).trim();
  return JSON.stringify(value);
}

function isBlock(value: unknown): value is Table | unknown[] {
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && typeof value === "object" && Object.keys(value).length > 0;
}

function pair(key: string, value: unknown, column: number, style: YamlStyle, out: string[]): void {
  const head = `${" ".repeat(column)}${flowText(key)}:`;
  if (!isBlock(value)) {
    out.push(`${head} ${flowText(value)}`);
    return;
  }
  out.push(head);
  if (Array.isArray(value)) for (const v of value) item(v, column + style.seq, style, out);
  else mapBody(value, column + style.unit, style, out);
}

function mapBody(map: Table, column: number, style: YamlStyle, out: string[]): void {
  for (const [k, v] of Object.entries(map)) if (v !== undefined) pair(k, v, column, style, out);
}

/** `- ` then the value: a map's first key (or a list's first `-`) on the dash's line, the rest under it. */
function item(value: unknown, column: number, style: YamlStyle, out: string[]): void {
  const dash = `${" ".repeat(column)}- `;
  if (!isBlock(value)) {
    out.push(dash + flowText(value));
    return;
  }
  const inner: string[] = [];
  if (Array.isArray(value)) for (const v of value) item(v, column + 2, style, inner);
  else mapBody(value, column + 2, style, inner);
  out.push(dash + (inner[0] ?? "").slice(column + 2), ...inner.slice(1));
}
