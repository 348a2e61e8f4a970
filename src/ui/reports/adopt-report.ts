/**
 * What `mcp-twin adopt` shows: the manifest's change, the keys stored and what the next sync
 * changes; or, with `--json`, the same as one document.
 */
import { type AdoptPlan, sourceName } from "../../core/import/adopt-entry.js";
import { unifiedDiff } from "../diff.js";
import type { Output } from "../output.js";

export function adoptJson(plan: AdoptPlan, dryRun: boolean) {
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

export async function renderAdopt(
  plan: AdoptPlan,
  out: Output,
  dryRun: boolean,
  secretsFile: string,
): Promise<void> {
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
