/**
 * The sync `add` and `remove` run after changing the manifest (`--sync`, or yes on a terminal):
 * with `--dry-run` it plans from the manifest text the edit would write, and the keys it would
 * store, not from the files as they are. Reported as `sync` reports, inside the command's result.
 */

import type { Machine } from "../../core/environments/machine.js";
import { withSecretShares } from "../../core/manifest/secret-shares.js";
import { parseManifestText } from "../../core/manifest/validate.js";
import { runSync, syncExitCode } from "../../core/sync/run-sync.js";
import { inquirerPrompts } from "../../ui/prompts.js";
import { renderSync, syncJson } from "../../ui/reports/sync-report.js";
import type { CommandContext, SharedOptions } from "./command.js";
import { listToolsForSync } from "./tool-lister.js";

/**
 * Sync right after the edit? `--sync`: yes; `--no-sync`: no; otherwise, when the edit left something
 * to sync (`worth`) and it is no dry run, the answer to `question` on a terminal (never with --yes
 * or --json).
 */
export async function syncNow(
  ctx: CommandContext<SharedOptions<"dryRun" | "yes"> & { sync?: boolean }>,
  worth: boolean,
  question: string,
): Promise<boolean> {
  const o = ctx.options;
  if (o.sync !== undefined) return o.sync;
  if (o.dryRun || !worth || o.yes || ctx.output.json || !ctx.terminal.stdin.isTTY) return false;
  return inquirerPrompts(ctx.signal).confirm({ message: question, default: true });
}

export async function syncAfterEdit(
  ctx: CommandContext<SharedOptions<"dryRun" | "manifest" | "env" | "client" | "project">>,
  machine: Machine,
  edit: {
    file: string;
    /** The manifest's text after the edit (null: the edit changed nothing). */
    after: string | null;
    /** Keys the command stores with the edit (add), for a dry run's plan. */
    secrets: Record<string, string>;
    /** The command's own `--json` result, which the sync's report joins. */
    summary: Record<string, unknown>;
    /** Lines said already (before the question), not said again by the report. */
    programsShown?: string[];
  },
): Promise<number> {
  const o = ctx.options;
  const out = ctx.output;
  const dryRun = Boolean(o.dryRun);
  const report = await runSync(
    machine,
    {
      manifest: o.manifest,
      dryRun,
      force: false,
      update: false,
      prune: false,
      envs: o.env,
      clients: o.client,
      project: o.project,
      signal: ctx.signal,
      listTools: listToolsForSync,
      ...(dryRun && edit.after !== null
        ? {
            preview: {
              manifest: {
                file: edit.file,
                missing: false,
                text: edit.after,
                manifest: withSecretShares(parseManifestText(edit.after, edit.file)),
              },
              secrets: edit.secrets,
            },
          }
        : {}),
    },
    out.progress,
  );
  out.addSecrets(report.secretValues);
  if (out.json) out.result({ ...edit.summary, sync: syncJson(report) });
  else await renderSync(report, out, dryRun, edit.programsShown ? { programsShown: edit.programsShown } : {});
  return syncExitCode(report);
}
