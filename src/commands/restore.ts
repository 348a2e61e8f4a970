/** `mcp-twin restore [target]`: put back mcp-twin's entries as they were before the last sync. */
import type { CommandContext } from "../cli.js";
import { openMachine } from "../core/machine.js";
import { loadSecrets } from "../core/manifest/secrets.js";
import { restoreTargets } from "../core/restore.js";
import { renderUndo } from "./uninstall.js";

export async function run(ctx: CommandContext): Promise<number> {
  const machine = await openMachine(ctx.host);
  ctx.output.addSecrets(Object.values(await loadSecrets(machine.paths.secrets)));
  const results = await restoreTargets(
    machine,
    { target: ctx.args[0], dryRun: Boolean(ctx.options.dryRun) },
    ctx.output.progress,
  );
  if (ctx.output.json) ctx.output.result({ targets: results.map(({ before: _b, after: _a, ...r }) => r) });
  else {
    if (results.length === 0) ctx.output.print("Nothing to restore: no sync has changed a target yet.");
    await renderUndo(results, ctx.output, Boolean(ctx.options.dryRun));
  }
  return results.some((r) => r.action === "failed") ? 1 : 0;
}
