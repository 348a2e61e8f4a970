/** `mcp-twin uninstall [--packages]`: remove every entry mcp-twin wrote (and its packages). */
import type { CommandContext } from "../cli.js";
import { detectEnvironments } from "../core/environments/detect.js";
import { openMachine } from "../core/machine.js";
import { loadSecrets } from "../core/manifest/secrets.js";
import { type UndoResult, uninstallAll } from "../core/restore.js";
import { selectEnvironments } from "../core/selectors.js";
import { unifiedDiff } from "../ui/diff.js";
import type { Output } from "../ui/output.js";

export async function run(ctx: CommandContext): Promise<number> {
  const machine = await openMachine(ctx.host);
  const o = ctx.options;
  // --env names an environment of this machine, as in every command (before anything is removed).
  if (o.env.length > 0) selectEnvironments((await detectEnvironments(machine)).environments, o.env);
  ctx.output.addSecrets(Object.values(await loadSecrets(machine.paths.secrets)));
  const { targets, packages } = await uninstallAll(
    machine,
    {
      dryRun: Boolean(o.dryRun),
      force: Boolean(o.force),
      packages: Boolean(o.packages),
      envs: o.env,
      clients: o.client,
    },
    ctx.output.progress,
  );
  if (ctx.output.json)
    ctx.output.result({ targets: targets.map(({ before: _b, after: _a, ...r }) => r), installs: packages });
  else {
    if (targets.length === 0) ctx.output.print("mcp-twin has written no entries.");
    await renderUndo(targets, ctx.output, Boolean(o.dryRun));
    for (const p of packages)
      ctx.output.print(
        `  ${p.action === "failed" ? ctx.output.theme.fail : ctx.output.theme.ok} ${p.package} in ${p.env}: ${p.action === "planned" ? "would be uninstalled" : p.action}${p.error ? ` (${p.error})` : ""}`,
      );
  }
  return targets.some((r) => r.action === "failed") || packages.some((p) => p.action === "failed") ? 1 : 0;
}

export async function renderUndo(results: UndoResult[], out: Output, dryRun: boolean): Promise<void> {
  const { ok, skip, fail, warn } = out.theme;
  for (const r of results) {
    const mark = r.action === "failed" ? fail : r.action === "updated" ? ok : skip;
    const what = [...r.restored.map((n) => `restored ${n}`), ...r.removed.map((n) => `removed ${n}`)].join(
      ", ",
    );
    out.print(
      `  ${mark} ${r.env} ${r.client} ${out.theme.c.dim(r.path)}  ${dryRun && r.action === "updated" ? "would be updated" : r.action}${what ? `: ${what}` : ""}`,
    );
    for (const k of r.kept) out.print(`      ${warn} ${k}: edited by hand; kept (use --force to remove it)`);
    if (r.message) out.print(`      ${r.message}`);
    if (dryRun && r.after) out.print(await unifiedDiff(r.path, r.before ?? null, r.after, out.theme));
  }
}
