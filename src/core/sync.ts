/**
 * sync: manifest → packages in every environment → entries in every target.
 * Plans every target before changing anything: a bad manifest, an unresolved secret or a config
 * that does not parse stops the run with exit 2 and nothing written anywhere.
 */

import { applyPlans } from "./apply.js";
import { backupProblems } from "./backups.js";
import { BRIDGE_ENTRY } from "./bridge/name.js";
import type { BridgeReport, BridgeWiring } from "./bridge/wiring.js";
import type { Target } from "./clients/types.js";
import { type BuiltEntry, buildEntry, type EntryContext } from "./entries.js";
import { type Detection, detectEnvironments } from "./environments/detect.js";
import { shortenWindowsPath } from "./environments/shortname.js";
import type { Environment } from "./environments/types.js";
import { globalModulesDir, joinNative } from "./environments/types.js";
import { UsageError, UsageErrors } from "./errors.js";
import { readTextOrNull, withLock } from "./files.js";
import { loadFormats, readTargetEntries } from "./formats/index.js";
import type { InstalledPackage } from "./install.js";
import { exactVersion, splitSpec } from "./install.js";
import type { Machine } from "./machine.js";
import { findManifest, type LoadedManifest, type LocatedManifest, loadManifest } from "./manifest/load.js";
import type { Manifest, ServerSpec } from "./manifest/schema.js";
import { loadSecretsFile } from "./manifest/secrets.js";
import { isTrusted, programServers, type TrustRequest, trust } from "./manifest/trust.js";
import { canonicalJson } from "./merge.js";
import { dict, own } from "./own.js";
import {
  type InstalledIndex,
  type InstallRow,
  installMissing,
  packageServers,
  prunePackages,
  readInstalledIndex,
  resolveVersions,
} from "./packages.js";
import type { SecretFormat } from "./placeholders.js";
import { planTarget, type TargetPlan, targetAction } from "./plan.js";
import type { Progress } from "./progress.js";
import { type ReferenceWarning, referenceProblems } from "./references.js";
import { runningApps } from "./running.js";
import { checkSelectors, selectEnvironments } from "./selectors.js";
import { withSkipHint } from "./skip-hint.js";
import { loadState, type State, saveState } from "./state.js";
import { checkWrites } from "./target-safety.js";
import { discoverTargets } from "./targets.js";
import { trace } from "./trace.js";

export interface SyncOptions {
  manifest?: string | undefined;
  dryRun: boolean;
  force: boolean;
  update: boolean;
  prune: boolean;
  envs: string[];
  clients: string[];
  project?: string | undefined;
  signal?: AbortSignal;
  /**
   * Asked before the first sync of a project manifest whose servers run programs (it is shown the
   * file and those servers): true trusts it. Absent, such a manifest is refused (exit 2).
   */
  trust?: (request: TrustRequest) => Promise<boolean>;
  /** A manifest not (yet) on disk, and secrets not yet stored: `init --dry-run` plans with them. */
  preview?: { manifest: LoadedManifest; secrets: Record<string, string> };
}

export interface TargetReport {
  env: string;
  client: string;
  scope: string;
  path: string;
  action: "created" | "updated" | "unchanged" | "skipped" | "failed";
  added: string[];
  updated: string[];
  removed: string[];
  drift: string[];
  foreign: string[];
  note?: string;
  problems: Array<{ server: string; code: string; message: string }>;
  /** Servers whose entry here runs in another environment (e.g. Windows' node.exe through interop). */
  across?: Array<{ server: string; runsIn: string; command?: string }>;
  /** E.g. a file others can read that is about to receive a secret (with the chmod that fixes it). */
  warnings?: string[];
}

export interface SyncReport {
  manifest: string;
  /** `project`: ./mcp-twin.jsonc, which drives only this project's files. */
  manifestScope: "user" | "project";
  environments: Array<{
    id: string;
    node: string | null;
    nodeVersion?: string;
    npmPrefix: string | null;
    usable: boolean;
    reason?: string;
  }>;
  installs: InstallRow[];
  targets: TargetReport[];
  errors: Array<{ code: string; message: string; target?: string }>;
  /** What was written but deserves a word (a secret in args, visible in the process list). */
  warnings: Array<{ code: string; message: string }>;
  /** Project-scope variables the user must set. */
  references: string[];
  restart: { apps: string[]; running: string[] | null };
  /** With the bridge enabled: what runs after this sync (restarted when its settings changed). */
  bridge?: BridgeReport;
  /** For --dry-run: every planned change (old and new text, secrets to mask). */
  changes: Array<{ path: string; before: string | null; after: string }>;
  secretValues: string[];
  /** Environment facts gathered afresh (0 when all came from the cache). */
  gathered: number;
}

export async function runSync(machine: Machine, given: SyncOptions, progress: Progress): Promise<SyncReport> {
  const { located, loaded, project } = given.preview
    ? {
        located: { file: given.preview.manifest.file, scope: "user" as const },
        loaded: given.preview.manifest,
      }
    : await openManifest(machine, given);
  const options = project ? { ...given, project } : given;
  checkSelectors({ clients: options.clients, envs: options.envs });
  const scoped = (report: SyncReport) => ({ ...report, manifestScope: located.scope });
  // A dry run writes nothing, so it needs no lock and never waits for another run.
  if (options.dryRun) return scoped((await syncWithManifest(machine, loaded, options, progress))!);
  const newlyTrusted = located.scope === "project" && (await confirmTrust(machine, loaded, options));
  // Most runs change nothing: find that out without the lock and without writing a byte.
  if (!options.update && !options.prune && !newlyTrusted) {
    const probe = await syncWithManifest(machine, loaded, { ...options, dryRun: true }, progress, {
      probe: true,
    });
    if (probe) return scoped(probe);
  }
  return withLock(machine.home.dir, async () => {
    options.signal?.throwIfAborted(); // Ctrl-C while waiting for another run's lock
    if (newlyTrusted) {
      const state = await loadState(machine.paths.state);
      trust(state, loaded.file, loaded.text ?? "", machine.host.now());
      await saveState(machine.paths.state, state);
    }
    return scoped((await syncWithManifest(machine, loaded, options, progress))!);
  });
}

/**
 * The manifest a run uses, loaded. A project manifest (./mcp-twin.jsonc, someone else's file)
 * drives only this project's files, as if --project . were given (`project` is then the folder),
 * and the bridge — a user-level thing — is not its to enable.
 */
export async function openManifest(
  machine: Machine,
  options: { manifest?: string | undefined; project?: string | undefined },
): Promise<{ located: LocatedManifest; loaded: LoadedManifest; project?: string }> {
  const located = findManifest({
    manifest: options.manifest,
    cwd: machine.host.cwd,
    homeManifest: machine.paths.manifest,
  });
  const loaded = await loadManifest(located.file, { required: true, cacheDir: machine.paths.cache });
  if (located.scope === "user") return { located, loaded };
  const manifest = { ...loaded.manifest };
  delete manifest.bridge;
  return { located, loaded: { ...loaded, manifest }, project: options.project ?? machine.host.cwd };
}

/**
 * A project manifest whose servers run programs must be trusted (this very text) before it is
 * synced: true when the user trusts it now, false when it was trusted before or runs nothing.
 */
async function confirmTrust(
  machine: Machine,
  loaded: LoadedManifest,
  options: SyncOptions,
): Promise<boolean> {
  const programs = programServers(loaded.manifest);
  if (programs.length === 0) return false;
  if (isTrusted(await loadState(machine.paths.state), loaded.file, loaded.text ?? "")) return false;
  const request = { file: loaded.file, programs };
  if (options.trust && (await options.trust(request))) return true;
  throw new UsageError(
    "untrusted-manifest",
    `${loaded.file}: this project's manifest runs programs and is not trusted yet: ${programs.map((p) => `${p.server} (${p.runs})`).join("; ")}. Nothing was written.`,
    {
      location: { file: loaded.file },
      hint: "Read the file. If you trust it, run `mcp-twin sync --yes` here (or answer yes on a terminal): the trust is kept for this version of the file, and an edit asks again.",
    },
  );
}

export interface Prepared {
  manifest: Manifest;
  secrets: Record<string, string>;
  state: State;
  detection: Detection;
  /** Every environment found (entries may cross into any of them). */
  allEnvs: Environment[];
  /** The environments selected by --env. */
  envs: Environment[];
  targets: Target[];
  texts: Map<string, string | null>;
  servers: Array<[string, ServerSpec]>;
  /** Problems that do not stop a sync (a secret in args). */
  warnings?: ReferenceWarning[];
  /** With `bridge.enabled`: where the bridge lives and how clients reach it. */
  bridge?: BridgeWiring;
}

/**
 * Everything sync and status need before touching anything: manifest, secrets, state,
 * environments, targets and their current text. Throws UsageErrors (exit 2) for any config that
 * does not parse and any reference that cannot be resolved.
 */
export async function prepare(
  machine: Machine,
  loaded: LoadedManifest,
  options: Pick<SyncOptions, "envs" | "clients" | "project" | "preview"> & {
    includeAbsent?: boolean;
    checkReferences?: boolean;
    /** Create the bridge token when missing (a real sync only; everything else just reads). */
    createBridgeToken?: boolean;
    /** The catalogue's format checks by secret name (sync loads them when it is going to write). */
    formats?: ReadonlyMap<string, readonly SecretFormat[]>;
    /** Check the targets' backup bookkeeping (a run that may write keeps backups of them). */
    checkBackups?: boolean;
  },
  progress: Progress,
): Promise<Prepared> {
  const { host } = machine;
  const manifest = loaded.manifest;
  trace("prepare");
  const [stored, state] = await Promise.all([
    loadSecretsFile(machine.paths.secrets),
    loadState(machine.paths.state),
  ]);
  const secrets = dict({ ...stored.secrets, ...options.preview?.secrets });
  trace("secrets+state");

  // Facts come from the cache on most runs (silent); gathering them afresh starts processes, across
  // WSL interop too, and takes seconds: say what is being looked at, and how long it took.
  const detectStep = progress.step("Looking at environments");
  const looked: string[] = [];
  const lookStart = host.now().getTime();
  const detection = await detectEnvironments(machine, {
    ...(manifest.environments ? { limitTo: manifest.environments } : {}),
    onGather: (what) => {
      looked.push(what);
      detectStep.update(`Looking at ${what}`);
    },
  });
  if (looked.length > 0)
    detectStep.settle(
      `Looked at ${looked.join(", ")} (${((host.now().getTime() - lookStart) / 1000).toFixed(1)}s)`,
    );
  else detectStep.stop();
  const allEnvs = detection.environments;
  trace("environments");
  const envs = selectEnvironments(allEnvs, options.envs);

  const targets = await discoverTargets(envs, {
    clients: options.clients,
    ...(manifest.clients ? { manifestClients: manifest.clients } : {}),
    ...(options.project ? { project: options.project } : {}),
    ...(options.includeAbsent ? { includeAbsent: true } : {}),
  });

  await loadFormats(targets.map((t) => t.client));
  trace("targets");
  // Read and parse every target first: one bad file stops everything before any change.
  const texts = new Map<string, string | null>();
  const usage: UsageError[] = [];
  await Promise.all(
    targets.map(async (t) => {
      try {
        texts.set(t.key, await readTextOrNull(t.file));
      } catch (error) {
        usage.push(
          withSkipHint(
            new UsageError("config-unreadable", `${t.file}: ${(error as Error).message}`, {
              location: { file: t.file },
            }),
            t,
            targets,
          ),
        );
      }
    }),
  );
  const servers = Object.entries(manifest.servers).filter(([, s]) => !s.disabled);
  // Values go into user-level files only (project files get references): check them there.
  let warnings: ReferenceWarning[] = [];
  if (options.checkReferences !== false && targets.some((t) => t.scope === "user")) {
    const found = referenceProblems(servers, {
      secrets,
      accepted: stored.accepted,
      env: host.env,
      ...(options.formats ? { formats: options.formats } : {}),
    });
    usage.push(...found.errors);
    warnings = found.warnings;
  }
  for (const t of targets) {
    try {
      readTargetEntries(t, texts.get(t.key) ?? "");
    } catch (error) {
      if (error instanceof UsageError) usage.push(withSkipHint(error, t, targets));
      else throw error;
    }
  }
  if (options.checkBackups)
    usage.push(
      ...(await backupProblems(
        machine.paths.backups,
        targets.map((t) => t.key),
      )),
    );
  if (usage.length > 0) throw new UsageErrors(usage);
  trace("targets parsed");
  // Loaded only when enabled: most runs never pay for the bridge's modules.
  const bridge = manifest.bridge?.enabled
    ? await (await import("./bridge/wiring.js")).planBridge(manifest, allEnvs, machine, {
        createToken: options.createBridgeToken === true,
      })
    : undefined;
  return {
    manifest,
    secrets,
    state,
    detection,
    allEnvs,
    envs,
    targets,
    texts,
    servers,
    warnings,
    ...(bridge ? { bridge } : {}),
  };
}

/** The entry every server should have in every target, given what is installed where. */
export async function desiredEntries(
  machine: Machine,
  prepared: Prepared,
  index: InstalledIndex,
  versions: ReadonlyMap<string, string>,
): Promise<Map<string, Map<string, BuiltEntry>>> {
  const ctx: EntryContext = {
    environments: prepared.allEnvs,
    installed: (envId, name) => {
      const pkg = index.get(envId)?.get(name);
      const want = versions.get(name);
      return pkg && (!want || pkg.version === want) ? pkg : undefined;
    },
    shortPath: await shortPathTable(prepared.allEnvs, index, machine),
    self: machine.host.self,
    secrets: prepared.secrets,
    processEnv: machine.host.env,
    version: (name) => versions.get(name),
  };
  const out = new Map<string, Map<string, BuiltEntry>>();
  for (const target of prepared.targets) {
    const desired = new Map<string, BuiltEntry>();
    for (const [name, spec] of prepared.servers) {
      if (spec.clients && !spec.clients.includes(target.client.id)) continue;
      desired.set(name, buildEntry(name, spec, target, ctx));
    }
    // A server the user named "mcp-twin" wins over the bridge.
    const bridge =
      prepared.bridge &&
      !Object.hasOwn(prepared.manifest.servers, BRIDGE_ENTRY) &&
      prepared.bridge.entry(target, ctx);
    if (bridge) desired.set(BRIDGE_ENTRY, bridge);
    out.set(target.key, desired);
  }
  return out;
}

/**
 * One sync. With `probe`, it runs as a dry run and returns undefined as soon as something would be
 * written (a version to resolve, a package to install, an entry to change, state to update).
 */
async function syncWithManifest(
  machine: Machine,
  loaded: LoadedManifest,
  options: SyncOptions,
  progress: Progress,
  mode: { probe?: boolean } = {},
): Promise<SyncReport | undefined> {
  const { host } = machine;
  // A run that may write checks values against the catalogue's formats too (loading the
  // catalogue costs more than a no-op sync may spend; the probe writes nothing).
  const formats = mode.probe ? undefined : await catalogueFormats(machine);
  const prepared = await prepare(
    machine,
    loaded,
    {
      ...options,
      createBridgeToken: !options.dryRun && !mode.probe,
      checkBackups: !mode.probe,
      ...(formats ? { formats } : {}),
    },
    progress,
  );
  const { manifest, state, allEnvs, envs } = prepared;

  // Packages: resolve once, install what is missing, everywhere in parallel.
  const pkgServers = packageServers(manifest, envs);
  if (mode.probe && pkgServers.some((s) => needsResolution(s.spec, state, options.update))) return undefined;
  const resolved = await resolveVersions(
    pkgServers,
    state,
    allEnvs,
    { update: options.update, now: host.now() },
    progress,
  );
  const index = await readInstalledIndex(pkgServers);
  const install = await installMissing(
    pkgServers,
    resolved.versions,
    index,
    state,
    { dryRun: options.dryRun, ...(options.signal ? { signal: options.signal } : {}) },
    progress,
  );
  const pruned = options.prune
    ? await prunePackages(manifest, envs, state, { dryRun: options.dryRun }, progress)
    : [];
  if (mode.probe && install.rows.some((r) => r.action !== "present")) return undefined;
  // Ctrl-C during the installs: nothing is planned, nothing written.
  options.signal?.throwIfAborted();
  if (options.dryRun) await predictInstalls(pkgServers, resolved.versions, index);
  for (const e of resolved.errors)
    install.rows.push({ env: "-", package: e.package, version: "", action: "failed", error: e.message });

  trace("packages");
  const desiredByTarget = await desiredEntries(machine, prepared, index, resolved.versions);
  await checkEntryPrograms(desiredByTarget, prepared, machine);
  trace("entries");
  const plans = prepared.targets.map((target) =>
    planTarget(
      target,
      prepared.texts.get(target.key) ?? null,
      desiredByTarget.get(target.key)!,
      state.targets[target.key],
      { force: options.force },
    ),
  );

  if (
    mode.probe &&
    plans.some((p) => p.after !== null || !sameRecords(p.records, state.targets[p.target.key]?.entries))
  )
    return undefined;

  // The files about to be written, as they are on disk: read-only or foreign-owned ones stop the
  // run here (exit 2, nothing written); readable ones that will hold a secret get a warning.
  const safety = checkWrites(
    plans
      .filter((p) => p.after !== null)
      .map((p) => ({
        file: p.target.file,
        path: p.target.path,
        windows: p.target.env.kind === "windows",
        receivesSecret: p.secretValues.length > 0,
      })),
    { force: options.force },
  );
  if (safety.errors.length > 0) throw new UsageErrors(safety.errors);
  const withWarnings = (tr: TargetReport) => {
    const w = safety.warnings.get(tr.path);
    return w ? { ...tr, warnings: w } : tr;
  };

  const report = baseReport(loaded.file, allEnvs, [...install.rows, ...pruned], prepared.detection.gathered);
  // Every stored secret is masked in what is shown, used by an entry here or not.
  report.secretValues.push(...Object.values(prepared.secrets));
  report.warnings.push(...(prepared.warnings ?? []).map(({ code, message }) => ({ code, message })));
  if (options.dryRun) {
    for (const p of plans) {
      report.targets.push(withWarnings(targetReport(p, p.after !== null)));
      if (p.after !== null) report.changes.push({ path: p.target.path, before: p.before, after: p.after });
      report.secretValues.push(...p.secretValues);
      report.references.push(...p.references);
    }
    finishErrors(report);
    return report;
  }

  const results = await applyPlans(plans, {
    state,
    stateFile: machine.paths.state,
    backupsDir: machine.paths.backups,
    now: host.now(),
    force: options.force,
    desired: desiredByTarget,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const restartApps = new Set<string>();
  for (const r of results) {
    const tr = withWarnings(targetReport(r.plan, r.written));
    if (r.error) {
      tr.action = "failed";
      report.errors.push({ code: "write-failed", message: r.error, target: r.plan.target.path });
    }
    report.targets.push(tr);
    report.secretValues.push(...r.plan.secretValues);
    report.references.push(...r.plan.references);
    if (r.written && r.plan.target.client.restartToApply) restartApps.add(r.plan.target.client.name);
  }
  report.restart.apps = [...restartApps];
  // The bridge: restarted when it runs with other settings than these; otherwise reported as it is
  // (every entry starts it on first use, so one that is not running is fine).
  const bridge = prepared.bridge;
  options.signal?.throwIfAborted();
  if (bridge) {
    const step = progress.step("Checking the bridge");
    report.bridge = await bridge.settle().finally(() => step.stop());
    if (report.bridge.state === "taken")
      report.errors.push({
        code: "bridge-port-taken",
        message: `Port ${bridge.settings.port} is held by ${report.bridge.what}; the bridge cannot run there.`,
      });
  }
  if (restartApps.size > 0) {
    const changedClients = results
      .filter((r) => r.written && r.plan.target.client.restartToApply)
      .map((r) => r.plan.target);
    report.restart.running = await runningApps(machine, changedClients);
  }
  finishErrors(report);
  return report;
}

/** Raw `command` servers only (most manifests have none: their modules are never loaded). */
async function checkEntryPrograms(
  desired: Map<string, Map<string, BuiltEntry>>,
  prepared: Prepared,
  machine: Machine,
): Promise<void> {
  if (!prepared.servers.some(([, s]) => s.command !== undefined || s.overrides)) return;
  const { checkPrograms } = await import("./program-check.js");
  await checkPrograms(desired, prepared.allEnvs, machine.host.env);
}

/** Secret name → the catalogue's format checks for it (shipped templates and the home's own). */
async function catalogueFormats(machine: Machine): Promise<ReadonlyMap<string, readonly SecretFormat[]>> {
  const { catalogueSecretFormats } = await import("./catalogue/formats.js");
  return catalogueSecretFormats(machine.home.dir);
}

function needsResolution(spec: string, state: State, update: boolean): boolean {
  const { name, range } = splitSpec(spec);
  if (exactVersion(range)) return false;
  return update || own(state.packages, name)?.spec !== spec;
}

function sameRecords(a: Record<string, unknown>, b: Record<string, unknown> | undefined): boolean {
  return canonicalJson(a) === canonicalJson(b ?? {});
}

function baseReport(
  manifest: string,
  envs: readonly Environment[],
  installs: InstallRow[],
  gathered: number,
): SyncReport {
  return {
    manifest,
    manifestScope: "user",
    environments: envs.map((e) => ({
      id: e.id,
      node: e.node?.path ?? null,
      ...(e.node?.version ? { nodeVersion: e.node.version } : {}),
      npmPrefix: e.npm?.prefix ?? null,
      usable: e.usable,
      ...(e.reason ? { reason: e.reason } : {}),
    })),
    installs,
    targets: [],
    errors: [],
    warnings: [],
    references: [],
    restart: { apps: [], running: [] },
    changes: [],
    secretValues: [],
    gathered,
  };
}

function targetReport(plan: TargetPlan, written: boolean): TargetReport {
  const t = plan.target;
  const action = targetAction(plan);
  return {
    env: t.env.id,
    client: t.client.id,
    scope: t.scope,
    path: t.path,
    action: action === "failed" ? "failed" : written || action === "unchanged" ? action : "unchanged",
    added: plan.added,
    updated: plan.updated,
    removed: plan.removed,
    drift: plan.drift,
    foreign: plan.foreign,
    ...(t.note ? { note: t.note } : {}),
    problems: plan.problems,
    ...(plan.across.length > 0 ? { across: plan.across } : {}),
  };
}

function finishErrors(report: SyncReport): void {
  for (const row of report.installs) {
    if (row.action === "failed")
      report.errors.push({
        code: "install-failed",
        message: `${row.package}${row.version ? `@${row.version}` : ""} in ${row.env}: ${row.error ?? "failed"}`,
      });
  }
  for (const t of report.targets) {
    for (const p of t.problems) {
      if (p.code === "not-installed" || p.code === "program-missing")
        report.errors.push({
          code: p.code,
          message: `${p.server} for ${t.client} in ${t.env}: ${p.message}`,
          target: t.path,
        });
    }
  }
  report.references = [...new Set(report.references)].sort();
}

/** Dry run: predict where packages not yet installed will land, from a copy installed elsewhere. */
async function predictInstalls(
  servers: ReturnType<typeof packageServers>,
  versions: ReadonlyMap<string, string>,
  index: InstalledIndex,
): Promise<void> {
  for (const s of servers) {
    const version = versions.get(s.name);
    if (!version) continue;
    let template: InstalledPackage | undefined;
    for (const m of index.values()) if (m.get(s.name)?.version === version) template = m.get(s.name);
    for (const env of s.envs) {
      if (index.get(env.id)?.get(s.name)?.version === version) continue;
      const modules = globalModulesDir(env);
      if (!modules) continue;
      const dir = joinNative(env.kind, modules, ...s.name.split("/"));
      const bins: Record<string, string> = {};
      if (template) {
        for (const [bin, abs] of Object.entries(template.bins)) {
          const rel = abs
            .slice(template.dir.length)
            .split(/[\\/]+/)
            .filter(Boolean);
          bins[bin] = joinNative(env.kind, dir, ...rel);
        }
      } else {
        bins[s.name.split("/").pop()!] = joinNative(env.kind, dir, "<bin script, known after install>");
      }
      if (!index.has(env.id)) index.set(env.id, new Map());
      index.get(env.id)!.set(s.name, { name: s.name, version, dir, bins });
    }
  }
}

/** 8.3 names for Windows paths with spaces that entries will use (node.exe, scripts, ourselves). */
async function shortPathTable(
  envs: readonly Environment[],
  index: InstalledIndex,
  machine: Machine,
): Promise<(p: string) => string> {
  const table = new Map<string, string>();
  const windows = envs.find((e) => e.kind === "windows");
  if (windows) {
    const paths = [
      windows.node?.path,
      ...[...(index.get(windows.id)?.values() ?? [])].flatMap((p) => Object.values(p.bins)),
    ];
    if (machine.local.kind === "windows") paths.push(machine.host.self.node, machine.host.self.script);
    for (const p of paths) {
      if (!p?.includes(" ") || table.has(p)) continue;
      const short = await shortenWindowsPath(p, (x) => windows.access(x));
      if (short) table.set(p, short);
    }
  }
  return (p) => table.get(p) ?? p;
}

export function syncExitCode(report: SyncReport): number {
  return report.errors.length > 0 || report.targets.some((t) => t.action === "failed") ? 1 : 0;
}
