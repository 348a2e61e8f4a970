/**
 * `mcp-twin restore [target]`: put back mcp-twin's entries of a target as before its last change, or
 * as of a backup (`--from`, `--original`); `--list` shows the backups. It asks first on a terminal;
 * without one, undoing what was changed in a file since mcp-twin last wrote it wants --yes.
 */

import type { Machine } from "../core/environments/machine.js";
import { UsageError } from "../core/errors.js";
import type { LastChange } from "../core/ledger/state.js";
import { loadSecrets } from "../core/manifest/secrets-file.js";
import type { SyncChange } from "../core/status/status-matrix.js";
import { andList } from "../core/text/prose-lists.js";
import {
  listTargetBackups,
  type RestoreOptions,
  restoreHistory,
  restoreTargets,
} from "../core/undo/restore-targets.js";
import { restartOf, type UndoResult } from "../core/undo/undo-runner.js";
import { when } from "../ui/moment.js";
import type { Output } from "../ui/output.js";
import { restartLine } from "../ui/reports/sync-report.js";
import { askFirst, changes, question, renderUndo, undoJson } from "../ui/reports/undo-report.js";
import type { restoreCommand } from "./restore-flags.js";
import type { CommandContext, ContextOf } from "./shared/command.js";
import { openCommandMachine } from "./shared/open-machine.js";

export async function run(ctx: ContextOf<typeof restoreCommand>): Promise<number> {
  const machine = await openCommandMachine(ctx);
  ctx.output.addSecrets(Object.values(await loadSecrets(machine.paths.secrets)));
  const o = ctx.options;
  if (o.list) {
    const targets = await listTargetBackups(machine, { target: ctx.args[0] });
    if (ctx.output.json) ctx.output.result({ targets });
    else renderList(targets, ctx.output);
    return 0;
  }
  const options: RestoreOptions = {
    target: ctx.args[0],
    from: o.from,
    original: Boolean(o.original),
    dryRun: Boolean(o.dryRun),
    force: Boolean(o.force),
  };
  const lastOnly = !options.target && !options.from && !options.original;
  let previewed = false;
  // Without a terminal to ask on, what was changed since mcp-twin last wrote a file goes only with --yes.
  if (!options.dryRun && !o.yes && !askFirst(ctx)) await refuseUnasked(machine, options, ctx);
  if (!options.dryRun && askFirst(ctx)) {
    // On a terminal: every file that will change, with its diff, and one question.
    const preview = await restoreTargets(machine, { ...options, dryRun: true }, ctx.output.progress);
    if (preview.some(changes)) {
      const last = lastOnly ? (await restoreHistory(machine)).lastChange : undefined;
      ctx.output.print(
        ctx.output.theme.c.bold(
          last
            ? `mcp-twin restore will undo the last change (${changeText(last, ctx)}):`
            : "mcp-twin restore will:",
        ),
      );
      await renderUndo(
        preview.filter((r) => changes(r) || r.action === "failed"),
        ctx.output,
        { planned: true, diffs: "all", tense: "will" },
      );
      const { inquirerPrompts } = await import("../ui/prompts.js");
      const go = await inquirerPrompts(ctx.signal).confirm({ message: question(preview), default: false });
      if (!go) {
        ctx.output.print("Nothing changed.");
        return 0;
      }
      previewed = true;
    }
  }
  const results = await restoreTargets(machine, options, ctx.output.progress);
  // What the next sync would change in what was put back, and what was put back that starts
  // nothing now (its package uninstalled since): said only when true, in text and --json alike.
  const after =
    !options.dryRun && results.some(changes)
      ? await (await import("../core/status/status-matrix.js")).syncChanges(
          machine,
          results.filter(changes),
          ctx.output.progress,
        )
      : undefined;
  // The bridge those entries reach: restore starts it not, nor sets up its start at logon again.
  const bridge =
    !options.dryRun && results.some(changes)
      ? await (await import("../core/undo/bridge-after-restore.js")).bridgeAfterRestore(machine, results)
      : [];
  // Said of the entries this restore put back only: an untouched one beside them was not put back.
  const back = (after ?? []).map((d) => {
    const r = results.find((x) => x.path === d.path && x.client === d.client);
    const put = (name: string) => r !== undefined && (r.wholeFile !== undefined || r.restored.includes(name));
    return {
      ...d,
      notInstalled: d.notInstalled.filter((n) => put(n.server)),
      notServed: d.notServed.filter(put),
    };
  });
  const notInstalled = back.filter((d) => d.notInstalled.length > 0);
  const notServed = back.filter((d) => d.notServed.length > 0);
  if (ctx.output.json)
    ctx.output.result({
      ...undoJson(results),
      ...(notInstalled.length > 0
        ? {
            notInstalled: notInstalled.map((d) => ({
              env: d.env,
              client: d.client,
              path: d.path,
              servers: d.notInstalled.map((n) => n.server),
            })),
          }
        : {}),
      ...(notServed.length > 0
        ? {
            notServed: notServed.map((d) => ({
              env: d.env,
              client: d.client,
              path: d.path,
              servers: d.notServed,
            })),
          }
        : {}),
      ...(bridge.length > 0 ? { bridge } : {}),
    });
  else {
    if (results.length === 0) ctx.output.print(await nothingLine(machine, ctx));
    await renderUndo(results, ctx.output, {
      planned: options.dryRun,
      // A dry run shows every diff; a run shows the diff of a file put back whole, unless the preview did.
      diffs: options.dryRun ? "all" : previewed ? "none" : "whole",
    });
    if (!options.dryRun && results.some(changes)) {
      const differ = (after ?? []).filter((d) => d.added.length + d.updated.length + d.removed.length > 0);
      if (differ.length > 0) ctx.output.print(ctx.output.theme.c.dim(syncAgainLine(differ)));
      const kept = keptLine(after ?? [], results);
      if (kept) ctx.output.print(ctx.output.theme.c.dim(kept));
      for (const line of [...notInstalledLines(notInstalled), ...notServedLines(notServed), ...bridge])
        ctx.output.print(`${ctx.output.theme.warn} ${line}`);
      const { apps, sessions } = restartOf(results);
      if (apps.length > 0 || sessions.length > 0) ctx.output.print(restartLine(apps, sessions));
    }
  }
  return results.some((r) => r.action === "failed") ? 1 : 0;
}

/**
 * Asked for no confirmation (no terminal, or --json) and not given --yes: a restore that would undo
 * what was changed in a file since mcp-twin last wrote it (a file put back whole, an entry of its
 * edited by hand) is exit 2 before anything is written, after saying what it would undo.
 */
async function refuseUnasked(
  machine: Machine,
  options: RestoreOptions,
  ctx: ContextOf<typeof restoreCommand>,
): Promise<void> {
  const preview = await restoreTargets(machine, { ...options, dryRun: true }, ctx.output.progress);
  const lossy = preview.filter((r) => changes(r) && r.undoes);
  if (lossy.length === 0) return;
  ctx.output.print(ctx.output.theme.c.bold("mcp-twin restore would:"));
  await renderUndo(lossy, ctx.output, { planned: true, diffs: "none" });
  const what = lossy.map((r) => {
    const entries = r.undoes?.entries ?? [];
    return `${r.path} (${r.undoes?.file ? "put back whole" : `${andList(entries)} edited by hand`})`;
  });
  throw new UsageError(
    "restore-needs-yes",
    `mcp-twin restore would undo what was changed since mcp-twin last wrote ${andList(what)}, and there is no terminal to ask on.`,
    {
      hint: "Run it on a terminal to see the diff and be asked, or add --dry-run to see the diff here; --yes puts the file back anyway. To keep those changes, fix the file by hand instead.",
    },
  );
}

/** The last change as the user knows it: "a sync at 10:02:11 AM". */
function changeText(last: LastChange, ctx: Pick<CommandContext, "host">): string {
  const at = Date.parse(last.at);
  return `${/^[aeiou]/.test(last.by) ? "an" : "a"} ${last.by} at ${when(at, ctx.host.now().getTime())}`;
}

/**
 * A plain `restore` with nothing to undo: whether mcp-twin ever changed a file, else that its last
 * change was undone already and how to reach the backups it keeps.
 */
async function nothingLine(machine: Machine, ctx: Pick<CommandContext, "host">): Promise<string> {
  const { lastChange, files, backups } = await restoreHistory(machine);
  if (!lastChange && backups === 0) return "Nothing to restore: mcp-twin has not changed a target yet.";
  const undone = lastChange
    ? `the last change (${changeText(lastChange, ctx)}) has been undone already`
    : "no change of mcp-twin's is left to undo";
  const kept =
    backups > 0
      ? ` mcp-twin keeps ${backups} backup${backups === 1 ? "" : "s"} of ${files} file${files === 1 ? "" : "s"}: \`mcp-twin restore --list\` shows them, and \`mcp-twin restore <target> --from <backup>\` puts mcp-twin's entries back as of one.`
      : "";
  return `Nothing to restore: ${undone}.${kept}`;
}

/**
 * What the next sync would change in what was put back, in sync's own notation; the same change in
 * several files said once, naming them: "~mcp-twin in a, b and c".
 */
function syncAgainLine(differ: ReadonlyArray<SyncChange>): string {
  const where = new Map<string, string[]>();
  for (const d of differ) {
    const what = [
      ...d.added.map((n) => `+${n}`),
      ...d.updated.map((n) => `~${n}`),
      ...d.removed.map((n) => `-${n}`),
    ].join(" ");
    where.set(what, [...(where.get(what) ?? []), `${d.env} ${d.client}`]);
  }
  const changes = [...where].map(([what, places]) => `${what} in ${andList(places)}`).join("; ");
  return `The next \`mcp-twin sync\` writes the manifest's entries again where they differ from what was put back: ${changes}.`;
}

/** Hand edits this restore put back: sync leaves them as they are, as it does any hand edit. */
function keptLine(changes: ReadonlyArray<SyncChange>, results: readonly UndoResult[]): string | undefined {
  const kept = changes.flatMap((d) => {
    const put = results.find((r) => r.path === d.path && r.client === d.client)?.restored ?? [];
    return d.kept.filter((n) => put.includes(n)).map((n) => `${n} in ${d.env} ${d.client}`);
  });
  if (kept.length === 0) return undefined;
  const one = kept.length === 1;
  return `${andList(kept)} ${one ? "is a hand edit" : "are hand edits"} again: \`mcp-twin sync\` leaves ${one ? "it" : "them"} as ${one ? "it is" : "they are"} (--force puts the manifest's entry back).`;
}

/**
 * Entries put back that start nothing now (their package was uninstalled since, by `uninstall
 * --packages`): the servers sync installs again said once, naming where; any other (a program that
 * is gone) with its own advice.
 */
function notInstalledLines(changes: ReadonlyArray<SyncChange>): string[] {
  const reinstall = new Map<string, string[]>();
  const other: string[] = [];
  for (const d of changes)
    for (const n of d.notInstalled) {
      if (n.detail.includes("`mcp-twin sync` installs it again"))
        reinstall.set(n.server, [...(reinstall.get(n.server) ?? []), `${d.env} ${d.client}`]);
      else
        other.push(
          `${n.server} in ${d.env} ${d.client} was put back, but ${n.detail.replace(/^the entry is there, but /, "")}`,
        );
    }
  const bySpots = new Map<string, string[]>();
  for (const [server, spots] of reinstall)
    bySpots.set(andList(spots), [...(bySpots.get(andList(spots)) ?? []), server]);
  return [
    ...[...bySpots].map(([spots, servers]) => {
      const one = servers.length === 1;
      return `${andList(servers)} ${one ? "was" : "were"} put back in ${spots}, but ${one ? "its package is" : "their packages are"} not installed there now: ${one ? "it starts" : "they start"} nothing until \`mcp-twin sync\` installs ${one ? "it" : "them"} again.`;
    }),
    ...other,
  ];
}

/**
 * Entries put back that reach the bridge for a server it does not run (the manifest shares it no
 * more, as after `remove <server> --sync`): they start nothing, and each call fails.
 */
function notServedLines(changes: ReadonlyArray<SyncChange>): string[] {
  const where = new Map<string, string[]>();
  for (const d of changes)
    for (const n of d.notServed) where.set(n, [...(where.get(n) ?? []), `${d.env} ${d.client}`]);
  return [...where].map(
    ([server, spots]) =>
      `${server} was put back in ${andList(spots)} as an entry to the bridge, which does not run ${server} (the manifest no longer shares it): it starts nothing, and its calls fail. To use it, share ${server} in the manifest again, then \`mcp-twin sync\`; otherwise \`mcp-twin sync\` takes the entry away.`,
  );
}

function renderList(targets: Awaited<ReturnType<typeof listTargetBackups>>, out: Output): void {
  const { c } = out.theme;
  if (targets.length === 0) out.print("No backups yet: mcp-twin has not changed a file.");
  for (const t of targets) {
    out.print(`${c.bold(`${t.env} ${t.client}`)} ${c.dim(out.shown(t.path))}`);
    if (t.backups.length === 0) out.print("  no backups");
    for (const b of t.backups) {
      const when = b.at.replace("T", " ").replace(/\.\d+Z$/, " UTC");
      const what = b.original
        ? b.absent
          ? "original: the file did not exist (mcp-twin created it)"
          : "original: before mcp-twin first changed it (kept for good)"
        : `before a change${b.owned ? ` (mcp-twin entries then: ${b.owned.length > 0 ? b.owned.join(", ") : "none"})` : ""}`;
      out.print(`  ${b.name.padEnd(32)} ${when}  ${what}`);
      out.print(`  ${" ".repeat(32)} ${c.dim(out.shown(b.file))}`);
    }
  }
  if (targets.some((t) => t.backups.length > 0))
    out.print(
      c.dim(
        "Put one back with `mcp-twin restore <target> --from <name>` (or --original); add --dry-run to see the diff.",
      ),
    );
}
