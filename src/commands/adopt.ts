/**
 * `mcp-twin adopt <server> [--from env:client]`: take a hand-edited entry (drift), or one
 * mcp-twin did not write under a manifest server's name, into the manifest (core/import/adopt-entry.ts).
 */
import { z } from "zod";
import type { CommandContext } from "../cli.js";
import { UsageError } from "../core/errors.js";
import { type AdoptPlan, applyAdopt, planAdopt, sourceName } from "../core/import/adopt-entry.js";
import { unifiedDiff } from "../ui/diff.js";
import type { Output } from "../ui/output.js";
import { inquirerPrompts } from "../ui/prompts.js";
import { openCommandMachine } from "./shared/open-machine.js";

const optionsSchema = z.object({
  from: z.string().optional(),
  dryRun: z.boolean().optional(),
  yes: z.boolean().optional(),
  json: z.boolean().optional(),
  env: z.array(z.string()),
  client: z.array(z.string()),
  project: z.string().optional(),
  manifest: z.string().optional(),
});

export async function run(ctx: CommandContext): Promise<number> {
  const parsed = optionsSchema.safeParse(ctx.options);
  if (!parsed.success)
    throw new UsageError("bad-option", parsed.error.issues.map((i) => i.message).join("; "));
  const o = parsed.data;
  const server = ctx.args[0]!;
  const machine = await openCommandMachine(ctx);
  const interactive = !o.yes && !o.json && Boolean(ctx.terminal.stdin.isTTY);
  const plan = await planAdopt(
    machine,
    { server, from: o.from, manifest: o.manifest, project: o.project, envs: o.env, clients: o.client },
    ctx.output.progress,
    interactive
      ? async (sources) =>
          inquirerPrompts().select({
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
  if (ctx.output.json) ctx.output.result(jsonReport(plan, Boolean(o.dryRun)));
  else await render(plan, ctx.output, Boolean(o.dryRun), machine.paths.secrets);
  return 0;
}

export function jsonReport(plan: AdoptPlan, dryRun: boolean) {
  return {
    manifest: plan.manifestFile,
    server: plan.server,
    dryRun,
    from: plan.source,
    changes: plan.merge.changes,
    launchReplaced: plan.merge.replaced,
    secrets: { stored: plan.stored, replaced: plan.replaced },
    thenSync: plan.thenSync,
    rewritten: plan.rewritten,
    notes: plan.notes,
  };
}

async function render(plan: AdoptPlan, out: Output, dryRun: boolean, secretsFile: string): Promise<void> {
  const { c, ok, warn, bullet } = out.theme;
  // ✔ is for what was done: a dry run's items are planned, so they carry the bullet.
  const done = dryRun ? bullet : ok;
  const s = plan.source;
  out.print(`Manifest: ${out.shown(plan.manifestFile)}`);
  out.print(
    `${dryRun ? "Would take" : "Taking"} ${c.bold(plan.server)} as ${sourceName(s)} has it (${out.shown(s.path)}, ${s.state === "drifted" ? "edited by hand since the last sync" : "not written by mcp-twin"}) into the manifest:`,
  );
  for (const change of plan.merge.changes) out.print(`  ${change}`);
  if (plan.merge.changes.length === 0) out.print(c.dim("  (no change to the manifest)"));
  if (plan.stored.length > 0)
    out.print(
      `${done} Secrets ${dryRun ? "to store" : "stored"} in ${out.shown(secretsFile)}: ${plan.stored.join(", ")}`,
    );
  if (plan.replaced.length > 0)
    out.print(
      `${done} New value${plan.replaced.length === 1 ? "" : "s"} ${dryRun ? "to store" : "stored"} for ${plan.replaced.join(", ")}`,
    );
  for (const n of plan.notes) out.print(`${warn} ${n}`);
  if (plan.after !== plan.before) {
    out.print("");
    out.print(await unifiedDiff(out.shown(plan.manifestFile), plan.before, plan.after, out));
  }
  out.print("");
  if (dryRun) {
    out.print(c.dim("Dry run: nothing was written."));
    return;
  }
  // Where its edit went: the manifest, the secrets file, both — or nowhere, the manifest said it already.
  const inManifest = plan.after !== plan.before;
  const inSecrets = plan.stored.length + plan.replaced.length > 0;
  const where =
    inManifest && inSecrets
      ? "its edit is in the manifest and the secrets file now"
      : inManifest
        ? "its edit is in the manifest now"
        : inSecrets
          ? "its edit is in the secrets file now (the manifest already said the rest)"
          : "the manifest already said the same";
  out.print(`${ok} ${plan.server} in ${sourceName(s)} is mcp-twin's again; ${where}.`);
  const next = [
    ...(plan.thenSync.length > 0
      ? [`gives the change to ${plan.thenSync.map((t) => sourceName(t)).join(", ")}`]
      : []),
    ...(plan.rewritten
      ? [`writes ${sourceName(s)}'s entry in mcp-twin's form (the same server, launched its way)`]
      : []),
  ];
  out.print(
    next.length > 0
      ? `Next: ${c.bold("mcp-twin sync")} ${next.join(", and ")}.`
      : "Every client has it already.",
  );
}
