/** `mcp-twin import`: copy the servers configured in any client into the manifest, and adopt them. */
import type { CommandContext } from "../cli.js";
import { applyImport, scanImports } from "../core/import/index.js";
import { openMachine } from "../core/machine.js";
import { locateManifest } from "../core/manifest/load.js";
import { loadSecrets } from "../core/manifest/secrets.js";
import { unifiedDiff } from "../ui/diff.js";

export async function run(ctx: CommandContext): Promise<number> {
  const o = ctx.options as CommandContext["options"] & { force?: boolean };
  const machine = await openMachine(ctx.host);
  const file = locateManifest({
    manifest: o.manifest,
    cwd: ctx.host.cwd,
    homeManifest: machine.paths.manifest,
  });
  ctx.output.addSecrets(Object.values(await loadSecrets(machine.paths.secrets)));
  const step = ctx.output.progress.step("Reading every client config");
  const plan = await scanImports(machine, file, { envs: o.env, clients: o.client, project: o.project });
  step.stop();
  ctx.output.addSecrets(Object.values(plan.secrets));
  const result = await applyImport(machine, plan, { force: Boolean(o.force), dryRun: Boolean(o.dryRun) });

  if (ctx.output.json) {
    ctx.output.result({
      manifest: file,
      servers: plan.candidates.map((c) => ({
        name: c.name,
        status: c.status,
        imported: result.added.includes(c.name),
        server: c.server,
        from: c.occurrences.map((x) => ({ file: x.path, env: x.env, client: x.client, entry: x.entry })),
        notes: c.notes,
      })),
      secrets: result.secrets,
      adopted: result.adopted,
      skipped: plan.skipped,
      dryRun: Boolean(o.dryRun),
    });
    return 0;
  }
  const { ok, warn, skip, c } = ctx.output.theme;
  if (plan.candidates.length === 0) ctx.output.print("No servers found in any client config.");
  for (const cand of plan.candidates) {
    const where = [...new Set(cand.occurrences.map((x) => `${x.env} ${x.client}`))].join(", ");
    const mark = cand.status === "conflict" && !o.force ? warn : cand.status === "same" ? skip : ok;
    const what =
      cand.status === "same"
        ? "already in the manifest"
        : cand.status === "conflict" && !o.force
          ? "a different server has this name in the manifest: left alone (--force replaces it)"
          : o.dryRun
            ? "would be imported"
            : "imported";
    ctx.output.print(`${mark} ${c.bold(cand.name)} ${c.dim(`(${where})`)}: ${what}`);
    for (const n of cand.notes) ctx.output.print(c.dim(`    ${n}`));
  }
  for (const s of plan.skipped)
    ctx.output.print(
      `${warn} ${s.file}${s.line ? `:${s.line}:${s.column}` : ""}${s.server ? ` ${s.server}` : ""}: ${s.reason}`,
    );
  if (result.secrets.length > 0)
    ctx.output.print(
      `${ok} ${o.dryRun ? "Would move" : "Moved"} ${result.secrets.join(", ")} into the secrets file`,
    );
  if (result.adopted.length > 0)
    ctx.output.print(
      `${ok} ${o.dryRun ? "Would adopt" : "Adopted"} ${result.adopted.length} entr${result.adopted.length === 1 ? "y" : "ies"}: the next sync replaces them with the installed form`,
    );
  if (o.dryRun && result.after !== null)
    ctx.output.print(await unifiedDiff(file, result.before, result.after, ctx.output.theme));
  if (!o.dryRun && result.added.length > 0)
    ctx.output.print("Run `mcp-twin sync` to install them and write them into every client.");
  return 0;
}
