/** `mcp-twin import`: validate flags, scan and apply (core/import), render the report. */

import { catalogueSecretFormats } from "../core/catalogue/secret-formats.js";
import { applyImport, type ClashChoices, planImports, readImports } from "../core/import/index.js";
import { checkPreferredClients } from "../core/selectors.js";
import { askClashes, secretFlagValues } from "../ui/clash.js";
import { inquirerPrompts } from "../ui/prompts.js";
import { importJson, renderImport } from "../ui/reports/import-report.js";
import type { importCommand } from "./import-flags.js";
import type { ContextOf } from "./shared/command.js";
import { openCommandMachine } from "./shared/open-machine.js";

export async function run(ctx: ContextOf<typeof importCommand>): Promise<number> {
  const o = ctx.options;
  checkPreferredClients(o.preferClient);
  const machine = await openCommandMachine(ctx);
  // Checked as `secret set` checks them: the catalogue's formats are the home's templates too.
  const choices: ClashChoices = {
    secrets: secretFlagValues(o.secret, ctx.host.env, catalogueSecretFormats(machine.home.dir)),
    preferClients: o.preferClient,
    keepBoth: Boolean(o.keepBoth),
  };
  ctx.output.addSecrets(Object.values(choices.secrets ?? {}));
  const scan = await readImports(
    machine,
    { envs: o.env, clients: o.client, project: o.project, manifest: o.manifest },
    ctx.output.progress,
  );
  let plan = planImports(scan, choices);
  ctx.output.addSecrets(plan.maskValues);
  // A key with different values in different places: asked on a terminal, else the flags decide.
  const interactive = !o.yes && !o.json && Boolean(ctx.terminal.stdin.isTTY);
  if (interactive && plan.clashes.some((c) => c.needsChoice && !c.resolution)) {
    const answers = await askClashes(plan.clashes, inquirerPrompts(ctx.signal));
    ctx.output.addSecrets(Object.values(answers.secrets));
    plan = plan.replan(answers);
  }
  ctx.output.addSecrets(Object.values(plan.secretValues));
  const result = await applyImport(machine, plan, { force: Boolean(o.force), dryRun: Boolean(o.dryRun) });
  if (ctx.output.json) ctx.output.result(importJson(plan, result, Boolean(o.dryRun)));
  else await renderImport(plan, result, ctx.output, Boolean(o.dryRun), machine.paths.secrets);
  return 0;
}
