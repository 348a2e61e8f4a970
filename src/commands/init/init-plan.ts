/**
 * init's plan and its one question: the plan is computed from the answers without writing anything,
 * then one question covers all of it.
 */

import { bridgePlace } from "../../core/bridge-control/placement.js";
import { planBudgetLines } from "../../core/budget/plan-budget.js";
import { discoverTargets } from "../../core/clients/targets.js";
import type { Target } from "../../core/clients/types.js";
import { packageRunEnvironments } from "../../core/entries/target-entry.js";
import { envMatches } from "../../core/environments/env-selector.js";
import { applyImport } from "../../core/import/index.js";
import { schemaRefFor, withBridgeEnabled, withBridgeFields, withServer } from "../../core/manifest/edit.js";
import type { ServerSpec } from "../../core/manifest/schema.js";
import { withEffectiveShare, withSecretShares } from "../../core/manifest/secret-shares.js";
import { privacyNote, secretsPrivacy } from "../../core/manifest/secrets-file.js";
import { checkWrites, type ReadableSecret, readableSecretWarning } from "../../core/sync/target-safety.js";
import { andList } from "../../core/text/prose-lists.js";
import { renderPlan } from "../../ui/reports/init-report.js";
import { bridgePortAhead, type InitContext, type Planned, pinnedPort } from "./init-context.js";

export async function planChanges(
  ctx: Pick<
    InitContext,
    | "machine"
    | "scan"
    | "manifestFile"
    | "existing"
    | "imports"
    | "importAnswers"
    | "newServers"
    | "newSecrets"
    | "enableBridge"
    | "environments"
    | "targets"
    | "options"
    | "out"
  >,
): Promise<Planned> {
  const file = ctx.manifestFile;
  const schemaRef = schemaRefFor(file, ctx.machine);
  const importPreview =
    ctx.imports.length > 0
      ? await applyImport(ctx.machine, ctx.scan, { ...importSelection(ctx), dryRun: true })
      : undefined;
  let nextText = importPreview ? importPreview.after : ctx.existing.text;
  for (const s of ctx.newServers) nextText = withServer(nextText, file, s.name, s.server, schemaRef);
  if (ctx.enableBridge) nextText = withBridgeEnabled(nextText, file, schemaRef);
  const pin = pinnedPort(ctx.options);
  if (pin !== undefined) nextText = withBridgeFields(nextText, file, schemaRef, { port: pin });
  const selected = (id: string) =>
    ctx.options.env.length === 0 || ctx.options.env.some((s) => envMatches(s, id));
  // As the manifest will be read: a server whose key is in its env or headers is shared.
  const servers = [...ctx.imports, ...ctx.newServers].map((s) => withEffectiveShare(s.server));
  const nobodyToConfigure = ctx.options.client.length === 0 && !ctx.targets.some((t) => selected(t.env.id));
  const usable = ctx.environments.filter((e) => e.usable && selected(e.id)).map((e) => e.id);
  // sync's rule (core/sync/plan.ts): a package goes where a client of this run runs it, or into every
  // environment --env names. No client at all: where it would go if the user says "anyway".
  let installInto = usable;
  let noClient: string[] = [];
  const packageEnvs: Record<string, string[]> = {};
  // Without --client these are the configs look.ts found already (each look costs a round trip
  // over /mnt/c): looked for again only when a named client adds configs to create.
  const targets =
    ctx.options.client.length === 0
      ? ctx.targets
      : await discoverTargets(ctx.environments, { clients: ctx.options.client });
  if (!nobodyToConfigure && ctx.options.env.length === 0) {
    // Every package server the manifest will hold (what is there already too): sync installs them all.
    const all = [...Object.values(ctx.existing.manifest.servers).filter((s) => !s.disabled), ...servers];
    // A shared server runs in the bridge, so its package goes where the bridge runs (sync's rule).
    const bridgeEnv = all.some((s) => s.share)
      ? bridgePlace(ctx.existing.manifest, ctx.environments, ctx.machine.host.self)?.env.id
      : undefined;
    const runs = new Set(
      all
        .filter((s) => s.package)
        .flatMap((s) => [...packageRunEnvironments(s, targets, ctx.environments, bridgeEnv)]),
    );
    installInto = usable.filter((id) => runs.has(id));
    for (const s of servers)
      if (s.package)
        packageEnvs[s.package] = usable.filter((id) =>
          packageRunEnvironments(s, targets, ctx.environments, bridgeEnv).has(id),
        );
    noClient = all.some((s) => s.package)
      ? usable.filter((id) => !runs.has(id) && !targets.some((t) => t.env.id === id))
      : [];
  }
  const willSync = ctx.options.sync !== false && !nobodyToConfigure;
  return {
    nextText,
    manifestChanged: nextText !== ctx.existing.text && nextText !== null,
    programs: willSync ? await programsAhead(ctx, nextText) : [],
    port: await bridgePortAhead(ctx, pin),
    importPreview,
    secretNames: [...new Set([...Object.keys(ctx.newSecrets), ...(importPreview?.secrets ?? [])])],
    packages: servers.map((s) => s.package).filter((p): p is string => Boolean(p)),
    installInto,
    ...(Object.keys(packageEnvs).length > 0 ? { packageEnvs } : {}),
    noClient,
    nobodyToConfigure,
    schemaRef,
    readable:
      ctx.options.sync === false
        ? []
        : readableKeyed(
            targets.filter((t) => selected(t.env.id)),
            [...ctx.imports, ...ctx.newServers],
          ),
  };
}

/**
 * The new servers that run a program (no package): where it is not found, sync's lines for it
 * (the install step, and what then starts them), planned against the manifest init would write.
 */
async function programsAhead(
  ctx: Pick<
    InitContext,
    "machine" | "manifestFile" | "imports" | "newServers" | "newSecrets" | "options" | "out"
  >,
  nextText: string | null,
): Promise<string[]> {
  const names = [...ctx.imports, ...ctx.newServers].filter((s) => !s.server.package).map((s) => s.name);
  if (names.length === 0 || nextText === null) return [];
  const { missingProgramsAhead } = await import("../../core/entries/programs/look-ahead.js");
  const { parseManifestText } = await import("../../core/manifest/validate.js");
  const manifest = {
    file: ctx.manifestFile,
    missing: false,
    text: nextText,
    manifest: withSecretShares(parseManifestText(nextText, ctx.manifestFile)),
  };
  const selection = {
    envs: ctx.options.env,
    clients: ctx.options.client,
    preview: { manifest, secrets: ctx.newSecrets },
  };
  return missingProgramsAhead(ctx.machine, selection, names, ctx.out.progress);
}

/**
 * The client configs others can read that the sync will write a key into (an env value or header of
 * a new server's entry): sync's own rule (target-safety.ts), asked before the question rather than
 * said after the write.
 */
function readableKeyed(
  targets: readonly Target[],
  servers: ReadonlyArray<{ name: string; server: ServerSpec }>,
): Array<ReadableSecret & { path: string }> {
  // A shared server's key stays in the bridge: its entry in a user file holds a url or a relay.
  const keyed = servers.filter(
    ({ server }) =>
      !withEffectiveShare(server).share &&
      Object.values({ ...server.env, ...server.headers }).some((v) => v.includes("${secret:")),
  );
  if (keyed.length === 0) return [];
  const writes = targets.map((t) => ({
    file: t.file,
    path: t.path,
    windows: t.env.kind === "windows",
    secretsOf: keyed
      .filter(({ server }) => !server.clients || server.clients.includes(t.client.id))
      .map((k) => k.name),
  }));
  // A file sync would refuse (read-only, another owner) is sync's to say, with its fix.
  return [...checkWrites(writes, { force: true }).warnings].map(([path, r]) => ({ ...r, path }));
}

export function importSelection(ctx: Pick<InitContext, "imports" | "importAnswers">) {
  return { servers: ctx.imports.map((i) => i.name), secrets: ctx.importAnswers.values };
}

export function showPlan(
  ctx: Pick<
    InitContext,
    | "out"
    | "planned"
    | "existing"
    | "imports"
    | "newServers"
    | "enableBridge"
    | "registryNotes"
    | "targets"
    | "options"
    | "machine"
    | "manifestFile"
    | "shown"
  >,
): void {
  if (ctx.out.json) return;
  const p = ctx.planned;
  const configured = ctx.targets.filter(
    (t) => ctx.options.env.length === 0 || ctx.options.env.some((s) => envMatches(s, t.env.id)),
  );
  renderPlan(ctx.out, {
    manifest: ctx.shown(ctx.manifestFile),
    secretsFile: ctx.shown(ctx.machine.paths.secrets),
    secretsPrivacy: privacyNote(secretsPrivacy(ctx.machine)),
    created: ctx.existing.missing,
    manifestChanged: p.manifestChanged,
    additions: [
      ...ctx.imports.map((i) => `${i.name} (imported)`),
      ...ctx.newServers.map((s) => s.name),
      ...(ctx.enableBridge ? ["the bridge"] : []),
    ],
    secretNames: p.secretNames,
    packages: p.packages,
    installInto: p.installInto,
    ...(p.packageEnvs ? { packageEnvs: p.packageEnvs } : {}),
    noClient: p.noClient,
    registryNotes: ctx.registryNotes,
    configs: configured.map((t) => `${t.env.id} ${t.client.name}`),
    budget: planBudgetLines(configured, [
      ...Object.entries(ctx.existing.manifest.servers).map(([name, spec]) => ({ name, spec })),
      ...ctx.imports.map((i) => ({ name: i.name, spec: i.server })),
      ...ctx.newServers.map((s) => ({ name: s.name, spec: s.server, measured: s.measured })),
    ]),
    sync: ctx.options.sync !== false,
    nobodyToConfigure: p.nobodyToConfigure,
    readable: p.readable.map((r) => readableSecretWarning(r, "planned")),
    shared: [
      ...new Map(
        [
          ...Object.entries(ctx.existing.manifest.servers).map(([name, s]) => ({ name, s })),
          // As the manifest will be read (a key-carrying server shared).
          ...[...ctx.imports, ...ctx.newServers].map(({ name, server }) => ({
            name,
            s: withEffectiveShare(server),
          })),
        ].flatMap(({ name, s }) =>
          s.share && !s.disabled
            ? [[name, { name, mode: s.share, remote: s.url !== undefined }] as const]
            : [],
        ),
      ).values(),
    ],
    programs: p.programs,
    ...(p.port ? { port: p.port } : {}),
  });
}

/** What the user agreed to: write the manifest and secrets, and then sync (install + configs). */
export interface GoAhead {
  write: boolean;
  sync: boolean;
}

/**
 * The one question. Without prompts the flags decide: --no-sync writes only; where no client was
 * found, packages are installed only when --client names one (sync then creates its config).
 *
 * One question for all of it: write the files, install the packages, write the client configs.
 * Where no client was found, installing for nobody is never the default: it is asked (or needs
 * --client with --yes).
 */
export async function goAhead(ctx: Pick<InitContext, "prompts" | "planned" | "options">): Promise<GoAhead> {
  const p = ctx.planned;
  const wantsSync = ctx.options.sync !== false;
  const files = p.manifestChanged
    ? p.secretNames.length > 0
      ? "the manifest and secrets"
      : "the manifest"
    : "";
  const installsForNobody = wantsSync && p.nobodyToConfigure && p.packages.length > 0;
  if (!ctx.prompts) return { write: true, sync: wantsSync && !installsForNobody };
  if (installsForNobody) {
    const choice = await ctx.prompts.select({
      message: "No client was found to use these servers. What now?",
      choices: [
        {
          name: `${files ? `Write ${files} only` : "Install nothing now"}: run \`mcp-twin sync\` once a client is here`,
          value: "write",
        },
        { name: `${files ? `Write ${files} and install` : "Install"} the packages anyway`, value: "all" },
        { name: "Stop: write nothing", value: "stop" },
      ],
    });
    return { write: choice !== "stop", sync: choice === "all" };
  }
  // Nothing new for the manifest: the question is only whether to sync what is already there.
  const parts = !p.manifestChanged
    ? wantsSync
      ? ["sync now (install what is missing, write the client configs)"]
      : []
    : [
        "write these files",
        ...(wantsSync && p.packages.length > 0 ? ["install the packages"] : []),
        ...(wantsSync ? ["write the client configs"] : []),
      ];
  if (parts.length === 0) return { write: true, sync: false };
  const said = andList(parts);
  const yes = await ctx.prompts.confirm({
    message: `${said.charAt(0).toUpperCase()}${said.slice(1)}?`,
    default: true,
  });
  return { write: yes, sync: yes && wantsSync };
}
