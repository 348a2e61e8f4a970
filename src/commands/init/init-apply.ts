/**
 * init's side effects, after the one question: the caches held in memory so far, the imported servers
 * (adopting the entries they came from), the new servers and their keys, then the sync.
 */

import { applyImport } from "../../core/import/index.js";
import { editManifest, withBridgeEnabled, withBridgeFields, withServer } from "../../core/manifest/edit.js";
import { withSecretShares } from "../../core/manifest/secret-shares.js";
import { updateSecrets } from "../../core/manifest/secrets-file.js";
import { parseManifestText } from "../../core/manifest/validate.js";
import { dict, own } from "../../core/plain-records.js";
import { runSync, type SyncReport, syncExitCode } from "../../core/sync/run-sync.js";
import { withLock } from "../../core/system/files.js";
import { unifiedDiff } from "../../ui/diff.js";
import { renderSync, syncJson } from "../../ui/reports/sync-report.js";
import { listToolsForSync } from "../shared/tool-lister.js";
import { type InitContext, pinnedPort } from "./init-context.js";
import { importSelection } from "./init-plan.js";

type ReportCtx = Pick<InitContext, "out" | "manifestFile" | "imports" | "newServers" | "shown" | "planned">;

/** The sync's report (dry run or real), as JSON with what init added, or as text. */
async function showSync(ctx: ReportCtx, report: SyncReport, dryRun: boolean): Promise<void> {
  ctx.out.addSecrets(report.secretValues);
  if (ctx.out.json)
    ctx.out.result({ manifest: ctx.manifestFile, servers: added(ctx), sync: syncJson(report) });
  // init named the manifest and each environment's fix already (what it found, first).
  else
    await renderSync(report, ctx.out, dryRun, {
      manifestShown: true,
      fixesShown: true,
      // …and, in its plan, the programs not found (with how to install them).
      programsShown: ctx.planned.programs,
    });
}

const added = (ctx: Pick<InitContext, "imports" | "newServers">) => [
  ...ctx.imports.map((i) => i.name),
  ...ctx.newServers.map((s) => s.name),
];

/**
 * `--dry-run`: the manifest's diff, then the sync a real run would do (none with --no-sync), planned
 * against the manifest init would write; it writes nothing — not even a cache. With nothing new for
 * the manifest a real run still syncs what is there, so that is what the preview shows.
 */
export async function dryRun(
  ctx: ReportCtx &
    Pick<
      InitContext,
      "machine" | "planned" | "existing" | "scan" | "importAnswers" | "newSecrets" | "options"
    >,
): Promise<number> {
  const { planned: p, out, manifestFile: file } = ctx;
  const next = p.manifestChanged ? p.nextText : null;
  if (next !== null && !out.json) out.print(await unifiedDiff(ctx.shown(file), ctx.existing.text, next, out));
  if (ctx.options.sync === false) {
    if (out.json) out.result({ manifest: file, servers: added(ctx), synced: false });
    else {
      out.print("");
      out.print(out.theme.c.dim("Dry run: nothing was written."));
    }
    return 0;
  }
  const preview = {
    manifest:
      next === null
        ? ctx.existing
        : { file, missing: false, text: next, manifest: withSecretShares(parseManifestText(next, file)) },
    secrets: {
      ...pick({ ...ctx.scan.secretValues, ...ctx.importAnswers.values }, p.importPreview?.secrets),
      ...ctx.newSecrets,
    },
  };
  const report = await runSync(
    ctx.machine,
    {
      manifest: file,
      dryRun: true,
      force: false,
      update: false,
      prune: false,
      envs: ctx.options.env,
      clients: ctx.options.client,
      preview,
    },
    out.progress,
  );
  await showSync(ctx, report, true);
  return 0;
}

/** Write the manifest, the secrets and (first) the caches held until now. */
export async function writeFiles(
  ctx: Pick<
    InitContext,
    | "machine"
    | "scan"
    | "imports"
    | "importAnswers"
    | "newServers"
    | "newSecrets"
    | "enableBridge"
    | "options"
    | "manifestFile"
    | "planned"
    | "out"
    | "shown"
  >,
): Promise<void> {
  const { machine, manifestFile: file, planned } = ctx;
  await machine.caches.flush();
  if (ctx.imports.length > 0) await applyImport(machine, ctx.scan, importSelection(ctx));
  const pin = pinnedPort(ctx.options);
  if (ctx.newServers.length > 0 || ctx.enableBridge || pin !== undefined) {
    await editManifest(machine, file, (current) => {
      let text = current;
      for (const s of ctx.newServers) text = withServer(text, file, s.name, s.server, planned.schemaRef);
      if (ctx.enableBridge) text = withBridgeEnabled(text, file, planned.schemaRef);
      return pin === undefined ? text : withBridgeFields(text, file, planned.schemaRef, { port: pin });
    });
  }
  if (Object.keys(ctx.newSecrets).length > 0) {
    const where = await withLock(machine.home.dir, async () =>
      updateSecrets(machine.paths.secrets, (now) => ({ ...now, ...ctx.newSecrets })),
    );
    // Said once, where keys are first set: the file is used only for want of a keychain.
    if (where.why && !ctx.out.json)
      ctx.out.info(`No OS keychain: ${where.why}; keys go to ${ctx.shown(machine.paths.secrets)}.`);
  }
  if (!ctx.out.json && planned.manifestChanged) ctx.out.print(`${ctx.out.theme.ok} Wrote ${ctx.shown(file)}`);
}

/** Sync, or say why not and how to do it later. */
export async function syncNow(
  ctx: ReportCtx & Pick<InitContext, "machine" | "options" | "signal" | "planned">,
  go: boolean,
): Promise<number> {
  const { out } = ctx;
  if (!go) {
    const why = ctx.planned.nobodyToConfigure && ctx.options.sync !== false ? "no-client" : undefined;
    if (out.json)
      out.result({
        manifest: ctx.manifestFile,
        servers: added(ctx),
        synced: false,
        ...(why ? { reason: why } : {}),
      });
    else if (why)
      out.print(
        `${out.theme.skip} Nothing installed: no client was found. Run \`mcp-twin sync\` once one is installed (or \`mcp-twin sync --client <id>\` to create its config now).`,
      );
    else out.print("Run `mcp-twin sync` when you are ready.");
    return 0;
  }
  const report = await runSync(
    ctx.machine,
    {
      manifest: ctx.manifestFile,
      dryRun: false,
      force: false,
      update: false,
      prune: false,
      // No client anywhere, and the user said to install anyway: into the environments the plan
      // named (named environments get the packages, client or not).
      envs: ctx.planned.nobodyToConfigure ? ctx.planned.installInto : ctx.options.env,
      clients: ctx.options.client,
      signal: ctx.signal,
      listTools: listToolsForSync,
    },
    out.progress,
  );
  await showSync(ctx, report, false);
  return syncExitCode(report);
}

function pick(
  values: Readonly<Record<string, string>>,
  names: readonly string[] = [],
): Record<string, string> {
  return dict(
    names.flatMap((n) => {
      const v = own(values, n);
      return v === undefined ? [] : [[n, v] as const];
    }),
  );
}
