/**
 * sync's plan, a plain value (changesets' assemble/apply split): which versions, which installs and
 * removals, what each target's file becomes, what to warn about. Making it writes nothing.
 */

import { type KeepProblem, keepProblems, keepReach } from "../budget/keep-problems.js";
import { unmatchedRules } from "../budget/rule-problems.js";
import type { Target } from "../clients/types.js";
import { type Context, readTargetTexts } from "../context/context.js";
import type { BridgeWiring } from "../entries/bridge-wiring.js";
import {
  checkEntryPrograms,
  type DesiredEntries,
  desiredEntries,
  knownToolLists,
  wireBridge,
} from "../entries/desired.js";
import { packageRunEnvironments } from "../entries/target-entry.js";
import { globalModulesDir, joinNative } from "../environments/native-paths.js";
import type { Environment } from "../environments/types.js";
import { UsageError, UsageErrors } from "../errors.js";
import type { State } from "../ledger/state.js";
import {
  type InstalledIndex,
  type InstallRow,
  installMissing,
  knownVersions,
  type PackageServer,
  packageServers,
  readInstalledIndex,
  resolveVersions,
} from "../packages/installs.js";
import { BIN_AFTER_INSTALL, type InstalledPackage } from "../packages/npm-prefix.js";
import { ownerOf, unrecorded } from "../packages/owners.js";
import { own } from "../plain-records.js";
import type { SecretFormat } from "../secrets/placeholders.js";
import { type ReferenceWarning, referenceProblems } from "../secrets/references.js";
import type { Progress } from "../system/progress.js";
import { trace } from "../system/trace.js";
import { canonicalJson } from "../text/canonical-json.js";
import { checkFetchedPackages } from "./fetched-packages.js";
import { type BuildEntries, keyNames, markHeldKeys, takeRecorded } from "./keyless-entries.js";
import { checkPluginShadows } from "./plugin-shadows.js";
import { planTarget, type TargetPlan } from "./target-plan.js";
import { checkWrites, type ReadableSecret } from "./target-safety.js";
import { serversToList, type ToolRuleNote, toolRuleNotes } from "./tool-rule-notes.js";
import { unusedPackages } from "./unused-packages.js";

export interface SyncPlanOptions {
  force: boolean;
  update: boolean;
  prune: boolean;
  /**
   * No look-ups: versions not known from the manifest or state are left unresolved (the plan is
   * then no no-op). The check, without the lock, of a run that most often has nothing to do.
   */
  offline?: boolean;
  /** The catalogue's format checks by secret name (a run that is going to write loads them). */
  formats?: ReadonlyMap<string, readonly SecretFormat[]>;
  /** Create the bridge token when missing (a real sync only; everything else just reads). */
  createBridgeToken?: boolean;
  /** Check the targets' backup bookkeeping (a run that may write keeps backups of them). */
  checkBackups?: boolean;
}

export interface SyncPlan {
  manifest: { file: string; scope: "user" | "project" };
  /** Every environment found, and how many facts were gathered afresh (0: all cached). */
  environments: Environment[];
  gathered: number;
  packages: {
    /** Package servers and the selected environments each goes into. */
    servers: PackageServer[];
    versions: Map<string, string>;
    /** Versions resolved for this plan, to record in state. */
    resolved: State["packages"];
    /** Packages with no version: offline, not known without a look-up; else the look-up failed. */
    unresolved: string[];
    /** What is installed now, in every environment. */
    index: InstalledIndex;
    /** Per environment and package: present, planned (to install), failed (no version). */
    installs: InstallRow[];
    /**
     * Installed packages this manifest's servers run that state does not yet record as installed
     * for it (packages/owners.ts): the run records that, so another manifest's --prune keeps them.
     */
    unowned: InstallRow[];
    /** --prune: packages to uninstall (planned), as unused-packages.ts finds them. */
    prune: InstallRow[];
    /** Without --prune: those same packages, which stay. */
    unused: InstallRow[];
  };
  /** Each target's change (planned against the installs as they will land). */
  targets: TargetPlan[];
  /** The entries the target plans were made from (to plan again on fresh text or after installs). */
  desired: DesiredEntries;
  /** Usable environments selected that get no package: no target of this run runs one there. */
  idle: string[];
  /**
   * A project-scope run: its entries start their packages with `npx -y <package>@<version>`, so
   * nothing is installed anywhere (said once, instead of an idle line per environment).
   */
  npx: boolean;
  /** Files others can read into which this run writes a secret: path → what to say (with the chmod). */
  safety: Map<string, ReadableSecret>;
  /** What is written but deserves a word (a secret in args). */
  warnings: ReferenceWarning[];
  /** Every value to mask in anything shown: every stored secret, every value an entry holds. */
  secretValues: string[];
  /** With `bridge.enabled`: where the bridge lives and how clients reach it. */
  bridge?: BridgeWiring;
  /** A word this run says and state remembers having said (State.said), not said again. */
  sayOnce?: { id: string; message: string };
  /**
   * Servers whose tool rule an entry cannot write before their tools are listed: a run that writes
   * lists them first (apply-plan.ts), so such a plan is no no-op.
   */
  toList: string[];
  /** The rules an entry does not carry: one line per server, with its clients and the fix. */
  toolRules: ToolRuleNote[];
  /** toolSearch's keep entries that list nothing in any of its clients, each with the fix. */
  keep: KeepProblem[];
  /** State's claims on entries a client moved out of an older file were settled (Context.claimsMoved): saved by a run. */
  claimsMoved?: true;
}

/** The values the servers reference, judged (references.ts) where they go: user-level files (project files get references). */
function valueChecks(ctx: Context, options: Pick<SyncPlanOptions, "formats">) {
  if (!ctx.targets.some((t) => t.scope === "user")) return { errors: [] as UsageError[], warnings: [] };
  return referenceProblems(ctx.servers, {
    secrets: ctx.secrets,
    accepted: ctx.accepted,
    env: ctx.machine.host.env,
    ...(options.formats ? { formats: options.formats } : {}),
    ...(ctx.keysUnread ? { unread: ctx.keysUnread.names } : {}),
  });
}

/**
 * An entry that writes a key this run had not read (a `"share": "off"` server's; context/lazy-keys.ts):
 * the keys read now, once, and judged as every value is — true: the entries are to be built again.
 * Asked for while unread is enough: a read started early (context.ts) may have ended since.
 */
async function readWantedKeys(ctx: Context, options: Pick<SyncPlanOptions, "formats">): Promise<boolean> {
  if (!ctx.keysUnread?.wanted) return false;
  await ctx.keysUnread.read();
  const { errors } = valueChecks(ctx, options);
  if (errors.length > 0) throw new UsageErrors(errors);
  return true;
}

/**
 * The entries, with the keys they hold: read (readWantedKeys) unless every entry needing one is, by
 * its key-less hash, what mcp-twin wrote under this stamp and its file still holds (keyless-entries.ts).
 */
async function keyedEntries(
  ctx: Context,
  options: Pick<SyncPlanOptions, "formats">,
  texts: ReadonlyMap<string, string | null>,
  build: BuildEntries,
): Promise<DesiredEntries> {
  let desired = await build();
  let named: DesiredEntries | undefined;
  if (ctx.stamp && ctx.keysUnread?.wanted) {
    named = await build(keyNames(ctx));
    if (takeRecorded(desired, named, ctx.stamp, ctx.targets, texts, ctx.state)) {
      trace("keys: entries as recorded");
      return desired;
    }
  }
  if (await readWantedKeys(ctx, options)) desired = await build();
  await markHeldKeys(ctx, desired, build, named);
  return desired;
}

/**
 * Making it reads (and asks npm for versions not known yet) but writes nothing: `--dry-run` renders
 * it, sync applies it (apply-plan.ts), and a run whose plan changes nothing ends here without taking the
 * lock. A bad manifest, an unresolved secret, a config that does not parse or a file that cannot
 * be written stops the run here with exit 2, before anything is installed or written.
 */
export async function planSync(
  ctx: Context,
  options: SyncPlanOptions,
  progress: Progress,
): Promise<SyncPlan> {
  const { machine, manifest, state, allEnvs } = ctx;
  const { texts, unreadable, unparsable } = await readTargetTexts(ctx);
  const references = valueChecks(ctx, options);
  const usage = [...unreadable, ...references.errors, ...unparsable];
  if (options.checkBackups) {
    // Loaded only then: a run with nothing to do never pays for the backups' module.
    const { backupProblems } = await import("../ledger/backups.js");
    usage.push(
      ...(await backupProblems(
        machine.paths.backups,
        ctx.targets.map((t) => t.key),
      )),
    );
  }
  if (usage.length > 0) throw new UsageErrors(usage);
  // Project files never get the bridge's entry (bridgeEntry below): a run that writes only them
  // neither wires the bridge nor reports on it.
  // A port another program holds: the shared servers' direct entries for this run (wireBridge).
  const bridge = ctx.targets.some((t) => t.scope !== "project")
    ? await wireBridge(machine, manifest, allEnvs, {
        createToken: options.createBridgeToken === true,
        checkPort: true,
        state,
      })
    : undefined;

  // Packages: installed into the selected environments where a target of this run will run them
  // (or every selected one when --env named them: `serve --share` runs a server where it is).
  const { servers, idle, npx } = installPlaces(ctx, bridge?.reach?.env.id);
  const asked = { update: options.update, now: machine.host.now() };
  const resolved = options.offline
    ? { versions: knownVersions(servers, state), resolved: {}, errors: [] }
    : await resolveVersions(servers, state, allEnvs, asked, progress);
  const unresolved = servers.filter((s) => !resolved.versions.has(s.name)).map((s) => s.name);
  const index = await readInstalledIndex(packageServers(manifest, allEnvs));
  // With dryRun, these only say what would be done: nothing is installed or removed here.
  const owner = ownerOf(ctx.located);
  const installs = await installMissing(
    servers,
    resolved.versions,
    index,
    state,
    { dryRun: true, owner },
    progress,
  );
  // With --prune they go; without, the report says they stay, and how.
  const leftover = await unusedPackages(ctx);
  const prune = options.prune ? leftover : [];
  const unused = options.prune ? [] : leftover;
  for (const e of resolved.errors)
    installs.rows.push({ env: "-", package: e.package, version: "", action: "failed", error: e.message });
  trace("packages");

  const input = {
    manifest,
    servers: ctx.servers,
    secrets: ctx.secrets,
    allEnvs,
    targets: ctx.targets,
    bridge,
  };
  const predicted = predictInstalls(servers, resolved.versions, index);
  await refuseUnmatchedRules(machine, input, predicted, resolved.versions, ctx.loaded);
  const desired = await keyedEntries(ctx, options, texts, (secrets = input.secrets) =>
    desiredEntries(machine, { ...input, secrets }, predicted, resolved.versions),
  );
  await checkEntryPrograms(desired, input, machine);
  // A project relay's `npx -y mcp-twin@<version>`: said when the registry lacks that version.
  if (!options.offline) await checkFetchedPackages(desired, machine.host);
  await checkPluginShadows(desired, ctx.targets);
  trace("entries");
  const targets = planTargets(ctx.targets, texts, desired, state, options.force);
  const safety = safetyOf(targets, options.force);
  const sayOnce = bridgeEntryNotice(bridge, state);
  const userManifest = ctx.located.scope === "user";
  return {
    manifest: { file: ctx.loaded.file, scope: ctx.located.scope },
    environments: allEnvs,
    gathered: ctx.detection.gathered,
    packages: {
      servers,
      versions: resolved.versions,
      resolved: resolved.resolved,
      unresolved,
      index,
      installs: installs.rows,
      unowned: unrecorded(state, installs.rows, owner),
      prune,
      unused,
    },
    targets,
    desired,
    idle,
    npx,
    safety,
    warnings: references.warnings,
    secretValues: [...Object.values(ctx.secrets), ...targets.flatMap((p) => p.secretValues)],
    ...(bridge ? { bridge } : {}),
    ...(sayOnce ? { sayOnce } : {}),
    toList: serversToList(desired),
    toolRules: toolRuleNotes(desired, ctx.targets, ctx.servers, { userManifest }),
    keep: await keepSaid(machine, input, desired, predicted, resolved.versions, ctx.loaded),
    ...(ctx.claimsMoved ? { claimsMoved: true as const } : {}),
  };
}

/**
 * Where each package server goes: an environment gets a package only when some target of this run
 * will run it there — a client config in that environment, or one across the line that falls back
 * to it (entries/target-entry.ts's rule) — or when --env named it. A selected environment that gets none
 * because no client is there is `idle` (said in the report: a later sync installs once one is).
 * Project files' entries run their packages through npx (entries/target-entry.ts): a run that writes only them
 * installs nothing, anywhere — `npx`, and no environment is idle for want of a client.
 */
export function installPlaces(
  ctx: Pick<Context, "manifest" | "envs" | "allEnvs" | "targets" | "envsNamed" | "project">,
  /** Where the bridge runs, when servers are shared: they are installed there. */
  bridgeEnv?: string,
): { servers: PackageServer[]; idle: string[]; npx: boolean } {
  const all = packageServers(ctx.manifest, ctx.envs);
  const servers = all.map((s) => {
    if (ctx.envsNamed) return s;
    const spec = own(ctx.manifest.servers, s.server);
    if (!spec) return s;
    const runs = packageRunEnvironments(spec, ctx.targets, ctx.allEnvs, bridgeEnv);
    return { ...s, envs: s.envs.filter((e) => runs.has(e.id)) };
  });
  const gets = new Set(servers.flatMap((s) => s.envs.map((e) => e.id)));
  // --project (or a project's manifest): every target is a project file.
  if (ctx.project !== undefined) return { servers, idle: [], npx: all.length > 0 && gets.size === 0 };
  const clients = new Set(ctx.targets.map((t) => t.env.id));
  const idle = [...new Set(all.flatMap((s) => s.envs.map((e) => e.id)))].filter(
    (id) => !gets.has(id) && !clients.has(id),
  );
  return { servers, idle, npx: false };
}

/** Each target's plan: the desired entries against its text and what state says we wrote there. */
export function planTargets(
  targets: readonly Target[],
  texts: ReadonlyMap<string, string | null>,
  desired: DesiredEntries,
  state: State,
  force: boolean,
): TargetPlan[] {
  return targets.map((target) => {
    // The entries were built for these very targets, one map each.
    const built = desired.get(target.key);
    if (!built) throw new Error(`no entries were built for ${target.key}`);
    return planTarget(target, texts.get(target.key) ?? null, built, state.targets[target.key], { force });
  });
}

/**
 * The files about to be written, as they are on disk: read-only or foreign-owned ones stop the
 * run (exit 2, nothing written); readable ones this run writes a secret into get a warning.
 */
export function safetyOf(plans: readonly TargetPlan[], force: boolean): Map<string, ReadableSecret> {
  const safety = checkWrites(
    plans
      .filter((p) => p.after !== null)
      .map((p) => ({
        file: p.target.file,
        path: p.target.path,
        windows: p.target.env.kind === "windows",
        secretsOf: p.secretsWritten,
      })),
    { force },
  );
  if (safety.errors.length > 0) throw new UsageErrors(safety.errors);
  return safety.warnings;
}

/** Nothing to do: no version to look up or record, nothing to install or remove, no file or record to change. */
export function isNoop(plan: SyncPlan, state: State): boolean {
  const p = plan.packages;
  return (
    // The gateway's port to record in the home, or a word to say once and remember: a run that writes.
    !plan.bridge?.port?.record &&
    // The start at logon an uninstall removed and a restore did not put back: this run sets it up.
    !(plan.bridge && !state.autostart && state.lastChange?.retired?.autostart) &&
    !plan.sayOnce &&
    // A rule waiting for its server's list: this run lists it (and then writes the rule).
    plan.toList.length === 0 &&
    !plan.claimsMoved &&
    p.unresolved.length === 0 &&
    Object.keys(p.resolved).length === 0 &&
    p.installs.every((r) => r.action === "present") &&
    p.prune.length === 0 &&
    p.unowned.length === 0 &&
    plan.targets.every(
      (t) =>
        t.after === null &&
        canonicalJson(t.records) === canonicalJson(state.targets[t.target.key]?.entries ?? {}),
    )
  );
}

/**
 * The index as it will be once the planned installs land: a package not yet installed somewhere is
 * placed where npm will put it, its bin scripts where a copy installed elsewhere has them.
 */
export function predictInstalls(
  servers: readonly PackageServer[],
  versions: ReadonlyMap<string, string>,
  installed: InstalledIndex,
): InstalledIndex {
  const index: InstalledIndex = new Map([...installed].map(([env, pkgs]) => [env, new Map(pkgs)]));
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
        bins[s.name.split("/").pop() ?? s.name] = joinNative(env.kind, dir, BIN_AFTER_INSTALL);
      }
      const inEnv = index.get(env.id) ?? new Map();
      inEnv.set(s.name, { name: s.name, version, dir, bins });
      index.set(env.id, inEnv);
    }
  }
  return index;
}

/** What state remembers once the bridge-enabled word was said (State.said). */
const BRIDGE_ENABLED_SAID = "bridge-enabled-unsaid";

/**
 * The bridge's own entry stays only because mcp-twin wrote it before (`enabled` unsaid in the
 * manifest): how to choose, said by one sync and remembered in state, not said again.
 */
function bridgeEntryNotice(bridge: BridgeWiring | undefined, state: State): SyncPlan["sayOnce"] {
  if (!bridge?.settings.enabledImplied || state.said?.[BRIDGE_ENABLED_SAID]) return undefined;
  return {
    id: BRIDGE_ENABLED_SAID,
    message:
      'The mcp-twin entry (the bridge\'s own tools: memory, notes, hand-off) stays in every client, as before, though the manifest does not say "enabled" in its "bridge" section: put "enabled": true there to keep it, or "enabled": false to remove it (said once).',
  };
}

/** toolSearch's keep entries that list nothing, judged by the lists the caches know (none read else). */
async function keepSaid(
  machine: Parameters<typeof knownToolLists>[0],
  input: Parameters<typeof knownToolLists>[1] & Pick<Context, "manifest" | "targets">,
  desired: DesiredEntries,
  index: InstalledIndex,
  versions: ReadonlyMap<string, string>,
  loaded: Context["loaded"],
): Promise<KeepProblem[]> {
  const keep = input.manifest.toolSearch?.keep ?? [];
  if (keep.length === 0) return [];
  const named = new Set(keep.map((k) => k.slice(0, k.indexOf("/"))));
  const servers = input.servers.filter(([name]) => named.has(name));
  const lists =
    (await knownToolLists(machine, { ...input, servers, everyServer: true }, index, versions)) ?? new Map();
  return keepProblems(keep, input.manifest.servers, keepReach(input.targets, desired), lists, loaded);
}

/**
 * A tool rule's name or pattern that matches none of its server's known tools (a typo, or a tool a
 * new version dropped) is bad input: exit 2, each said with its line:column and the server's list,
 * before anything is written. Servers whose list is not known yet are not judged.
 */
export async function refuseUnmatchedRules(
  machine: Parameters<typeof knownToolLists>[0],
  input: Parameters<typeof knownToolLists>[1],
  index: InstalledIndex,
  versions: ReadonlyMap<string, string>,
  loaded: Context["loaded"],
): Promise<void> {
  const lists = await knownToolLists(machine, input, index, versions);
  if (!lists) return;
  const problems = unmatchedRules(input.servers, lists, loaded);
  if (problems.length === 0) return;
  throw new UsageErrors(
    problems.map(
      (p) =>
        new UsageError("tool-rule-unmatched", p.message, {
          location: { file: p.file, ...(p.line ? { line: p.line, column: p.column } : {}) },
          hint: "Correct the name or pattern to one of the tools listed, or remove it; `mcp-twin tools` shows each server's tools.",
        }),
    ),
  );
}
