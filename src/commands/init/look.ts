/**
 * init's first step: what is here (environments, clients, the manifest, stored keys, servers
 * already configured), and the names given on the command line checked before anything is asked.
 */
import { loadCatalogue } from "../../core/catalogue/index.js";
import { catalogueSecretFormats } from "../../core/catalogue/secret-formats.js";
import { discoverTargets } from "../../core/clients/targets.js";
import { detectEnvironments } from "../../core/environments/detect.js";
import { envMatches } from "../../core/environments/env-selector.js";
import type { Machine } from "../../core/environments/machine.js";
import { scanImports } from "../../core/import/index.js";
import { loadManifest, userManifest } from "../../core/manifest/load.js";
import { loadSecrets } from "../../core/manifest/secrets-file.js";
import { own } from "../../core/plain-records.js";
import { parseRegistryName } from "../../core/registry/index.js";
import { assertAllKnown, checkPreferredClients, selectEnvironments } from "../../core/selectors.js";
import { secretFlagValues } from "../../ui/clash.js";
import type { Output } from "../../ui/output.js";
import { renderFound } from "../../ui/reports/init-report.js";
import type { Found, InitOptions } from "./init-context.js";

export async function look(
  machine: Machine,
  ctx: {
    out: Output;
    options: Pick<
      InitOptions,
      "env" | "client" | "server" | "manifest" | "json" | "secret" | "preferClient" | "keepBoth"
    >;
    cwd: string;
  },
): Promise<Found> {
  const { out, options: o } = ctx;
  // As import checks it, before any work: a --prefer-client no one knows is exit 2, never ignored.
  checkPreferredClients(o.preferClient ?? []);
  const step = out.progress.step("Looking at this machine");
  const looked: string[] = [];
  const started = machine.host.now().getTime();
  const { environments } = await detectEnvironments(machine, {
    onGather: (what) => {
      looked.push(what);
      step.update(`Looking at ${what}`);
    },
  });
  const targets = await discoverTargets(environments, {});
  if (looked.length > 0)
    step.settle(
      `Looked at ${looked.join(", ")} (${((machine.host.now().getTime() - started) / 1000).toFixed(1)}s)`,
    );
  else step.stop();
  // Names given on the command line are checked before anything is asked: the sync at the end
  // honours --env, and --server must name catalogue entries.
  selectEnvironments(environments, o.env);
  const catalogue = loadCatalogue({ homeDir: machine.home.dir });
  for (const p of catalogue.problems)
    out.warn(`${p.file}${p.line ? `:${p.line}:${p.column}` : ""}: ${p.message} (template skipped)`);
  checkServerNames(
    o.server ?? [],
    catalogue.templates.map((t) => t.name),
  );
  // init sets up this machine's clients: the user-level manifest, never a project's ./mcp-twin.jsonc.
  const manifestFile = userManifest({
    manifest: o.manifest,
    cwd: ctx.cwd,
    homeManifest: machine.paths.manifest,
  });
  // A missing manifest is a new start. An existing one with nothing in it is refused here as every
  // command refuses it (exit 2, before any question): init adds to the manifest it finds, and one
  // emptied by a crash has lost servers that the sync at the end would take out of every client.
  const existing = await loadManifest(manifestFile, {
    cacheDir: machine.paths.cache,
    caches: machine.caches,
  });
  const stored = await loadSecrets(machine.paths.secrets);
  out.addSecrets(Object.values(stored));
  const shown = machine.shown;
  if (!o.json)
    renderFound(out, {
      environments,
      targets: targets.filter((t) => o.env.length === 0 || o.env.some((s) => envMatches(s, t.env.id))),
      manifest: shown(manifestFile),
      existing,
      clientNamed: o.client.length > 0,
    });
  // A key with different values in different places: --secret, --prefer-client or --keep-both
  // settle it here, else the question in chooseImports (import's rules).
  const scan = await scanImports(machine, { manifest: o.manifest }, undefined, {
    // `secret set`'s rule for a value: a placeholder or one out of the catalogue's format is refused.
    secrets: secretFlagValues(
      (o.secret ?? []).filter((flag) => flag.includes("=") || own(machine.host.env, flag) !== undefined),
      machine.host.env,
      catalogueSecretFormats(machine.home.dir),
    ),
    preferClients: o.preferClient ?? [],
    keepBoth: Boolean(o.keepBoth),
  });
  out.addSecrets([...scan.maskValues, ...Object.values(scan.secretValues)]);
  return { machine, environments, targets, catalogue, manifestFile, existing, stored, scan, shown };
}

/** `--server` names: catalogue entries or MCP Registry names (looked up later). */
function checkServerNames(given: readonly string[], names: readonly string[]): void {
  assertAllKnown(
    given,
    {
      code: "unknown-server",
      given: "--server",
      isNot:
        "not in the catalogue, nor an MCP Registry name (namespace/name); `mcp-twin add <package>` adds an npm package",
      knownAs: "The catalogue",
      known: [...names],
    },
    (name) => names.includes(name) || Boolean(parseRegistryName(name)),
  );
}
