/**
 * `mcp-twin uninstall [--packages]`: remove every entry mcp-twin wrote and give back the ones it took
 * over, in their hand-written form (and its packages); stop the bridge; end with what stays.
 */

import { detectEnvironments } from "../core/environments/detect.js";
import { loadSecrets } from "../core/manifest/secrets-file.js";
import { selectEnvironments } from "../core/selectors.js";
import { andList } from "../core/text/prose-lists.js";
import { restartOf } from "../core/undo/undo-runner.js";
import { type UninstallOptions, uninstallAll } from "../core/undo/uninstall-all.js";
import type { Remains } from "../core/undo/what-stays.js";
import { restartLine } from "../ui/reports/sync-report.js";
import { askFirst, changes, question } from "../ui/reports/undo-report.js";
import {
  renderRemains,
  renderUninstall,
  restoreLine,
  uninstallJson,
} from "../ui/reports/uninstall-report.js";
import type { ContextOf } from "./shared/command.js";
import { openCommandMachine } from "./shared/open-machine.js";
import type { uninstallCommand } from "./uninstall-flags.js";

/**
 * On a TTY it shows what it will do (diffs, secrets masked) and asks first; `--yes` skips the
 * question.
 */
export async function run(ctx: ContextOf<typeof uninstallCommand>): Promise<number> {
  const machine = await openCommandMachine(ctx);
  const o = ctx.options;
  // --env names an environment of this machine, as in every command (before anything is removed).
  // Looked for once: the preview and the run use them too.
  const { environments } = await detectEnvironments(machine);
  if (o.env.length > 0) selectEnvironments(environments, o.env);
  ctx.output.addSecrets(Object.values(await loadSecrets(machine.paths.secrets)));
  const options: UninstallOptions = {
    dryRun: Boolean(o.dryRun),
    force: Boolean(o.force),
    packages: Boolean(o.packages),
    envs: o.env,
    clients: o.client,
    environments,
  };
  const out = ctx.output;
  if (!options.dryRun && askFirst(ctx)) {
    const preview = await uninstallAll(machine, { ...options, dryRun: true }, out.progress);
    const stops = preview.bridge?.action === "planned";
    if (
      !preview.targets.some(changes) &&
      preview.packages.length === 0 &&
      !stops &&
      preview.logins.length === 0
    ) {
      // Nothing to do: say so (and what stays), without a question.
      await renderUninstall(preview, out, { planned: true, diffs: "all" });
      const remains = await preview.remains();
      if (preview.targets.length === 0) out.print(noEntriesLine(remains, options.packages));
      renderRemains(remains, out, false);
      // A config left as it is because it does not parse is not "done".
      return preview.targets.some((r) => r.action === "failed") ? 1 : 0;
    }
    out.print(out.theme.c.bold("mcp-twin uninstall will:"));
    await renderUninstall(preview, out, { planned: true, diffs: "all", tense: "will" });
    const { inquirerPrompts } = await import("../ui/prompts.js");
    const go = await inquirerPrompts(ctx.signal).confirm({
      message: question(preview.targets, [
        ...(preview.packages.length > 0 ? ["uninstall the packages"] : []),
        ...(stops ? ["stop the bridge"] : []),
        ...(preview.logins.length > 0
          ? [`forget the login${preview.logins.length === 1 ? "" : "s"} to ${andList(preview.logins)}`]
          : []),
      ]),
      default: false,
    });
    if (!go) {
      out.print("Nothing changed.");
      return 0;
    }
  }
  const report = await uninstallAll(machine, options, out.progress);
  const { targets, packages } = report;
  if (out.json) out.result(uninstallJson(report, await report.remains(), options.dryRun));
  else {
    const remains = await report.remains();
    if (targets.length === 0) out.print(noEntriesLine(remains, options.packages));
    // A dry run shows the diffs; a run lists each file once, with what was done (a preview showed
    // the diffs before the question).
    await renderUninstall(report, out, { planned: options.dryRun, diffs: options.dryRun ? "all" : "none" });
    if (!options.dryRun && targets.some(changes)) out.print(out.theme.c.dim(restoreLine(report)));
    // An app that is open keeps the servers it loaded, removed ones too, until it starts again.
    const { apps, sessions } = restartOf(targets);
    if (!options.dryRun && (apps.length > 0 || sessions.length > 0))
      out.print(
        restartLine(
          apps,
          sessions,
          targets.some((r) => changes(r) && r.removed.length > 0),
        ),
      );
    renderRemains(remains, out, options.dryRun);
  }
  return targets.some((r) => r.action === "failed") ||
    packages.some((p) => p.action === "failed") ||
    report.bridge?.action === "failed"
    ? 1
    : 0;
}

/**
 * No client config holds an entry of mcp-twin's: it never wrote one, or — its backups say it did —
 * they were removed since (by an uninstall, or a sync of a manifest without them).
 */
function noEntriesLine(remains: Remains, packages: boolean): string {
  if (!remains.home || remains.home.backups === 0) return "mcp-twin has written no entries.";
  const left = packages && remains.packages.length === 0 ? ", and no package it installed is left" : "";
  return `No client config holds an entry mcp-twin wrote now${left}: nothing to uninstall. (It wrote some before: \`mcp-twin restore\` puts them back from its backups.)`;
}
