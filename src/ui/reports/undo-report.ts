/**
 * What `uninstall` and `restore` did (or, previewing, will do) to each target, as people read it, and
 * whether to ask before doing it. Shared by both commands.
 */

import { andList } from "../../core/text/prose-lists.js";
import type { UndoResult } from "../../core/undo/undo-runner.js";
import { changedLines, unifiedDiff } from "../diff.js";
import type { Output, Terminal } from "../output.js";

/**
 * Ask on a terminal, unless --yes, --json or --dry-run say not to.
 *
 * The targets as `restore --json` and `uninstall --json` give them: what was done, never the file's text.
 */
export function undoJson(results: readonly UndoResult[]) {
  return { targets: results.map(({ before: _b, after: _a, ...r }) => r) };
}

export function askFirst(ctx: {
  options: { yes?: boolean };
  output: Pick<Output, "json">;
  terminal: Terminal;
}): boolean {
  return (
    !ctx.options.yes &&
    !ctx.output.json &&
    Boolean(ctx.terminal.stdin.isTTY) &&
    Boolean(ctx.terminal.stdout.isTTY)
  );
}

/** Does this result change its file (create, update or delete it)? */
export function changes(r: Pick<UndoResult, "action">): boolean {
  return r.action === "created" || r.action === "updated" || r.action === "deleted";
}

const list = (names: readonly string[]) => names.join(", ");
const files = (n: number) => `${n} file${n === 1 ? "" : "s"}`;

/**
 * The question before the change, naming exactly what will change: "Change 1 file and delete 3
 * files?", "Put back 2 whole files and change 1 file?". `also` adds the rest ("uninstall the packages").
 */
export function question(results: readonly UndoResult[], also: readonly string[] = []): string {
  const count = (test: (r: UndoResult) => boolean) => results.filter((r) => changes(r) && test(r)).length;
  const whole = count((r) => Boolean(r.wholeFile));
  const created = count((r) => !r.wholeFile && r.action === "created");
  const updated = count((r) => !r.wholeFile && r.action === "updated");
  const deleted = count((r) => r.action === "deleted");
  const parts = [
    ...(whole > 0 ? [`put back ${whole} whole file${whole === 1 ? "" : "s"}`] : []),
    ...(created > 0 ? [`create ${files(created)}`] : []),
    ...(updated > 0 ? [`change ${files(updated)}`] : []),
    ...(deleted > 0 ? [`delete ${files(deleted)}`] : []),
    ...also,
  ];
  const text = parts.length === 0 ? "go on" : andList(parts);
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}?`;
}

/**
 * One line per target: what happened to each entry (`planned`: what will), and the diff when
 * `diffs` says so — "all" (a preview or dry run) or "whole" (files put back whole, when no preview
 * showed them).
 *
 * done gets ✔. A file that goes is "deleted" and its diff ends in /dev/null. Each diff is shown
 * once: in the preview, or — when nothing was previewed — with the result of a file put back whole.
 */
export async function renderUndo(
  results: readonly UndoResult[],
  out: Output,
  options: {
    planned: boolean;
    diffs: "all" | "whole" | "none";
    /** A preview before the question says what it "will" do; a dry run what it "would" (default). */
    tense?: "will" | "would";
  },
): Promise<void> {
  const { ok, skip, fail, warn, bullet } = out.theme;
  const { planned } = options;
  const modal = options.tense ?? "would";
  for (const r of results) {
    const changed = changes(r);
    const mark = r.action === "failed" ? fail : !changed ? skip : planned ? bullet : ok;
    const exact = r.givenBack.filter((n) => !r.relaid.includes(n));
    const what = [
      ...(r.wholeFile ? [`the whole file put back from ${r.wholeFile}`] : []),
      ...(r.restored.length > 0 ? [`${list(r.restored)} put back`] : []),
      ...(r.removed.length > 0 ? [`${list(r.removed)} removed`] : []),
      ...(exact.length > 0
        ? [`${list(exact)} given back as you wrote ${exact.length === 1 ? "it" : "them"}`]
        : []),
      ...(r.relaid.length > 0
        ? [`${list(r.relaid)} given back with the values you wrote (in mcp-twin's layout, not yours)`]
        : []),
      ...(r.action === "deleted"
        ? [
            planned
              ? "mcp-twin created the file and nothing else is in it"
              : "mcp-twin had created the file and nothing else was in it",
          ]
        : []),
    ].join("; ");
    // A file that does not parse is not "failed" before anything was tried: it is left as it is.
    const action = r.unparsable
      ? `cannot be read: ${planned ? `it ${modal} be left as it is` : "left as it is"}`
      : planned && changed
        ? `${modal} be ${r.action}`
        : r.action;
    out.print(
      `  ${mark} ${r.env} ${r.client} ${out.theme.c.dim(out.shown(r.path))}  ${action}${what ? `: ${what}` : ""}`,
    );
    if (r.undoes && changed)
      for (const line of await undoneLines(r, out, planned ? modal : undefined)) out.print(line);
    for (const note of r.notes)
      out.print(`      ${r.kept.some((k) => note.startsWith(`${k}:`)) ? warn : skip} ${note}`);
    if (r.message) out.print(`      ${r.message}`);
    if (r.fix) out.print(`      ${out.theme.c.cyan("→")} ${r.fix}`);
    const diff = options.diffs === "all" || (options.diffs === "whole" && Boolean(r.wholeFile));
    if (diff && changed && (r.before != null || r.after != null))
      out.print(await unifiedDiff(out.shown(r.path), r.before ?? null, r.after ?? null, out));
  }
}

/** How many of the lines that go a summary quotes; the diff (or --dry-run) shows every one. */
const QUOTED = 8;

/**
 * What a restore undoes that mcp-twin did not write, said before the diff: the lines in the file
 * now that go when it is put back whole (quoted, secrets masked as in diffs), or the entries of
 * mcp-twin's edited by hand that it puts back. `modal`: "will"/"would" for a preview, else done.
 */
async function undoneLines(
  r: UndoResult,
  out: Output,
  modal: "will" | "would" | undefined,
): Promise<string[]> {
  const { warn } = out.theme;
  const goes = modal ? `${modal} go` : "went";
  const lines: string[] = [];
  if (r.undoes?.file && r.before != null) {
    const { gone, back } = await changedLines(out.shown(r.path), r.before, r.after ?? null, out);
    const n = (k: number) => `${k} line${k === 1 ? "" : "s"}`;
    const comes = modal ? `${modal} come back` : "came back";
    const parts = [
      ...(gone.length > 0 ? [`the ${n(gone.length)} below ${goes}`] : []),
      ...(back.length > 0 ? [`${n(back.length)} ${comes}`] : []),
    ];
    lines.push(
      `      ${warn} This undoes what was changed in the file since mcp-twin last wrote it (by hand, or by another program): ${andList(parts)}${gone.length > 0 ? ":" : "."}`,
    );
    for (const line of gone.slice(0, QUOTED)) lines.push(`        - ${line.trim()}`);
    if (gone.length > QUOTED)
      lines.push(`        … and ${gone.length - QUOTED} more (the diff shows every line)`);
  }
  const entries = r.undoes?.entries ?? [];
  if (entries.length > 0) {
    const one = entries.length === 1;
    lines.push(
      `      ${warn} ${andList(entries)} ${one ? "was" : "were"} edited by hand since mcp-twin wrote ${one ? "it" : "them"}: ${one ? "that edit" : "those edits"} ${goes}.`,
    );
  }
  return lines;
}
