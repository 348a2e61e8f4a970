/**
 * `mcp-twin uninstall [--packages]`: remove every entry mcp-twin wrote and give back the ones it
 * took over, in their hand-written form (and its packages). On a TTY it shows what it will do
 * (diffs, secrets masked) and asks first; `--yes` skips the question.
 */
import type { CommandContext } from "../cli.js";
import { detectEnvironments } from "../core/environments/detect.js";
import { loadSecrets } from "../core/manifest/secrets.js";
import { selectEnvironments } from "../core/selectors.js";
import type { UndoResult } from "../core/undo.js";
import { type UninstallOptions, uninstallAll } from "../core/uninstall.js";
import type { Output } from "../ui/output.js";
import { askFirst, renderUndo } from "../ui/undo-report.js";
import { openCommandMachine } from "./machine.js";

export async function run(ctx: CommandContext): Promise<number> {
  const machine = await openCommandMachine(ctx);
  const o = ctx.options;
  // --env names an environment of this machine, as in every command (before anything is removed).
  if (o.env.length > 0) selectEnvironments((await detectEnvironments(machine)).environments, o.env);
  ctx.output.addSecrets(Object.values(await loadSecrets(machine.paths.secrets)));
  const options: UninstallOptions = {
    dryRun: Boolean(o.dryRun),
    force: Boolean(o.force),
    packages: Boolean(o.packages),
    envs: o.env,
    clients: o.client,
  };
  if (!options.dryRun && askFirst(ctx)) {
    const preview = await uninstallAll(machine, { ...options, dryRun: true }, ctx.output.progress);
    const changes = preview.targets.filter((t) => t.action === "updated").length;
    if (changes === 0 && preview.packages.length === 0) {
      await render(preview.targets, preview.packages, ctx.output, true);
      if (preview.targets.length === 0) ctx.output.print("mcp-twin has written no entries.");
      return 0;
    }
    ctx.output.print(ctx.output.theme.c.bold("mcp-twin uninstall will:"));
    await render(preview.targets, preview.packages, ctx.output, true);
    const { inquirerPrompts } = await import("../ui/prompts.js");
    const go = await inquirerPrompts().confirm({
      message: `Change ${changes} file${changes === 1 ? "" : "s"}${preview.packages.length > 0 ? " and uninstall the packages" : ""}?`,
      default: false,
    });
    if (!go) {
      ctx.output.print("Nothing changed.");
      return 0;
    }
  }
  const { targets, packages } = await uninstallAll(machine, options, ctx.output.progress);
  if (ctx.output.json)
    ctx.output.result({ targets: targets.map(({ before: _b, after: _a, ...r }) => r), installs: packages });
  else {
    if (targets.length === 0) ctx.output.print("mcp-twin has written no entries.");
    await render(targets, packages, ctx.output, options.dryRun);
    if (!options.dryRun && targets.some((t) => t.action === "updated"))
      ctx.output.print(ctx.output.theme.c.dim("`mcp-twin restore` puts these entries back."));
  }
  return targets.some((r) => r.action === "failed") || packages.some((p) => p.action === "failed") ? 1 : 0;
}

async function render(
  targets: UndoResult[],
  packages: Awaited<ReturnType<typeof uninstallAll>>["packages"],
  out: Output,
  preview: boolean,
): Promise<void> {
  await renderUndo(targets, out, preview);
  for (const p of packages)
    out.print(
      `  ${p.action === "failed" ? out.theme.fail : out.theme.ok} ${p.package} in ${p.env}: ${p.action === "planned" ? "would be uninstalled" : p.action}${p.error ? ` (${p.error})` : ""}`,
    );
}
