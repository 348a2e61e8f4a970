/**
 * What `uninstall` and `restore` did (or, previewing, will do) to each target, as people read it,
 * and whether to ask before doing it. Shared by both commands.
 */
import type { UndoResult } from "../core/undo.js";
import { unifiedDiff } from "./diff.js";
import type { Output, Terminal } from "./output.js";

/** Ask on a terminal, unless --yes, --json or --dry-run say not to. */
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

/** One line per target, what happened to each entry, and (for a preview) the diff. */
export async function renderUndo(results: UndoResult[], out: Output, preview: boolean): Promise<void> {
  const { ok, skip, fail, warn, bullet } = out.theme;
  for (const r of results) {
    // ✔ only for what was done: a preview's change gets a bullet.
    const mark = r.action === "failed" ? fail : r.action === "updated" ? (preview ? bullet : ok) : skip;
    const what = [
      ...(r.wholeFile ? [`whole file put back from ${r.wholeFile}`] : []),
      ...r.restored.map((n) => `restored ${n}`),
      ...r.removed.map((n) => `removed ${n}`),
      ...r.givenBack.map((n) => `${n} given back as you wrote it`),
      ...(r.deleted ? ["the file goes (mcp-twin created it and nothing else is in it)"] : []),
    ].join(", ");
    out.print(
      `  ${mark} ${r.env} ${r.client} ${out.theme.c.dim(out.shown(r.path))}  ${preview && r.action === "updated" ? "would be updated" : r.action}${what ? `: ${what}` : ""}`,
    );
    for (const note of r.notes)
      out.print(`      ${r.kept.some((k) => note.startsWith(`${k}:`)) ? warn : skip} ${note}`);
    if (r.message) out.print(`      ${r.message}`);
    if ((preview || r.wholeFile) && r.after)
      out.print(await unifiedDiff(out.shown(r.path), r.before ?? null, r.after, out));
  }
}
