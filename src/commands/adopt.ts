/**
 * `mcp-twin adopt <server> [--from env:client]`: take a hand-edited entry (drift), or one
 * mcp-twin did not write under a manifest server's name, into the manifest (core/import/adopt-entry.ts).
 */

import { applyAdopt, planAdopt, sourceName } from "../core/import/adopt-entry.js";
import { inquirerPrompts } from "../ui/prompts.js";
import { adoptJson, renderAdopt } from "../ui/reports/adopt-report.js";
import type { adoptCommand } from "./adopt-flags.js";
import type { ContextOf } from "./shared/command.js";
import { openCommandMachine } from "./shared/open-machine.js";

export async function run(ctx: ContextOf<typeof adoptCommand>): Promise<number> {
  const o = ctx.options;
  // commander requires <server>.
  const server = ctx.args[0] ?? "";
  const machine = await openCommandMachine(ctx);
  const interactive = !o.yes && !o.json && Boolean(ctx.terminal.stdin.isTTY);
  const plan = await planAdopt(
    machine,
    { server, from: o.from, manifest: o.manifest, project: o.project, envs: o.env, clients: o.client },
    ctx.output.progress,
    interactive
      ? async (sources) =>
          inquirerPrompts(ctx.signal).select({
            message: `${server} differs from the manifest in ${sources.length} places. Which one goes into the manifest?`,
            choices: sources.map((s, i) => ({
              name: `${sourceName(s)}  ${s.state === "drifted" ? "edited by hand" : "not written by mcp-twin"}  ${s.path}`,
              value: i,
              short: sourceName(s),
            })),
          })
      : undefined,
  );
  ctx.output.addSecrets(Object.values(plan.secretValues));
  if (!o.dryRun) await applyAdopt(machine, plan);
  if (ctx.output.json) ctx.output.result(adoptJson(plan, Boolean(o.dryRun)));
  else await renderAdopt(plan, ctx.output, Boolean(o.dryRun), machine.paths.secrets);
  return 0;
}
