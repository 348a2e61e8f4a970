/** `mcp-twin import`: validate flags, scan and apply (core/import), render the report. */
import { z } from "zod";
import type { CommandContext } from "../cli.js";
import { UsageError } from "../core/errors.js";
import { applyImport, type ClashChoices, planImports, readImports } from "../core/import/index.js";
import { checkPreferredClients } from "../core/selectors.js";
import { askClashes, secretFlagValues } from "../ui/clash.js";
import { inquirerPrompts } from "../ui/prompts.js";
import { importJson, renderImport } from "../ui/reports/import-report.js";
import { openCommandMachine } from "./shared/open-machine.js";

const optionsSchema = z.object({
  force: z.boolean().optional(),
  dryRun: z.boolean().optional(),
  yes: z.boolean().optional(),
  json: z.boolean().optional(),
  env: z.array(z.string()),
  client: z.array(z.string()),
  project: z.string().optional(),
  manifest: z.string().optional(),
  preferClient: z.array(z.string()).default([]),
  keepBoth: z.boolean().optional(),
  secret: z.array(z.string()).default([]),
});

export async function run(ctx: CommandContext): Promise<number> {
  const parsed = optionsSchema.safeParse(ctx.options);
  if (!parsed.success)
    throw new UsageError("bad-option", parsed.error.issues.map((i) => i.message).join("; "));
  const o = parsed.data;
  checkPreferredClients(o.preferClient);
  const choices: ClashChoices = {
    secrets: secretFlagValues(o.secret, ctx.host.env),
    preferClients: o.preferClient,
    keepBoth: Boolean(o.keepBoth),
  };
  ctx.output.addSecrets(Object.values(choices.secrets ?? {}));
  const machine = await openCommandMachine(ctx);
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
    const answers = await askClashes(plan.clashes, inquirerPrompts());
    ctx.output.addSecrets(Object.values(answers.secrets));
    plan = plan.replan(answers);
  }
  ctx.output.addSecrets(Object.values(plan.secretValues));
  const result = await applyImport(machine, plan, { force: Boolean(o.force), dryRun: Boolean(o.dryRun) });
  if (ctx.output.json) ctx.output.result(importJson(plan, result, Boolean(o.dryRun)));
  else await renderImport(plan, result, ctx.output, Boolean(o.dryRun), machine.paths.secrets);
  return 0;
}
