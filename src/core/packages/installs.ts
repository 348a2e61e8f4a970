/**
 * Package versions and installs across environments. An unpinned package is resolved once (one
 * `npm view`), recorded in state, and that same version goes to every side that installs it (core/sync/plan.ts: where a target runs it); later runs reuse it
 * without network until `--update`. Installs run in parallel, one npm call per environment.
 */

import { envMatches } from "../environments/env-selector.js";
import type { Environment } from "../environments/types.js";
import { InterruptedError } from "../errors.js";
import type { State } from "../ledger/state.js";
import { exactVersion, splitSpec } from "../manifest/package-spec.js";
import type { Manifest } from "../manifest/schema.js";
import { dict, own } from "../plain-records.js";
import type { Progress } from "../system/progress.js";
import {
  type InstalledPackage,
  type InstallOutcome,
  installPackages,
  readInstalledPackage,
  resolveVersion,
  uninstallPackages,
} from "./npm-prefix.js";
import { forgetOwners, ownersOf, recordOwner } from "./owners.js";

export interface InstallRow {
  env: string;
  package: string;
  version: string;
  action: "installed" | "updated" | "present" | "removed" | "failed" | "planned";
  /** A planned row of --prune: the package would be uninstalled, not installed. */
  removal?: true;
  error?: string;
}

export interface PackageServer {
  server: string;
  name: string;
  spec: string;
  /** Environments it is installed into. */
  envs: Environment[];
}

/** Package servers of the manifest and the usable environments each goes into. */
export function packageServers(manifest: Manifest, environments: readonly Environment[]): PackageServer[] {
  const out: PackageServer[] = [];
  for (const [server, spec] of Object.entries(manifest.servers)) {
    if (!spec.package || spec.disabled) continue;
    const envs = environments.filter(
      (e) => e.usable && (!spec.environments || spec.environments.some((s) => envMatches(s, e.id))),
    );
    out.push({ server, name: splitSpec(spec.package).name, spec: spec.package, envs });
  }
  return out;
}

/**
 * The version of each package known without looking anything up: pinned in the manifest, or
 * resolved by an earlier run for this very spec (recorded in state; `--update` looks again).
 */
export function knownVersions(
  servers: readonly PackageServer[],
  state: State,
  options: { update?: boolean } = {},
): Map<string, string> {
  const versions = new Map<string, string>();
  for (const s of servers) {
    const exact = exactVersion(splitSpec(s.spec).range);
    const known = own(state.packages, s.name);
    if (exact) versions.set(s.name, exact);
    else if (known && known.spec === s.spec && !options.update) versions.set(s.name, known.version);
  }
  return versions;
}

export interface ResolveResult {
  versions: Map<string, string>;
  /** Versions resolved now, to record in state (`state.packages`). */
  resolved: State["packages"];
  errors: Array<{ package: string; message: string }>;
}

/** Every package's version: the known ones, and the others looked up (one `npm view` each). */
export async function resolveVersions(
  servers: readonly PackageServer[],
  state: State,
  environments: readonly Environment[],
  options: { update: boolean; now: Date },
  progress: Progress,
): Promise<ResolveResult> {
  const versions = knownVersions(servers, state, options);
  const resolved = dict<State["packages"][string]>();
  const errors: ResolveResult["errors"] = [];
  const toResolve = servers.filter((s) => !versions.has(s.name));
  if (toResolve.length === 0) return { versions, resolved, errors };
  const resolver = environments.find((e) => e.local && e.usable) ?? environments.find((e) => e.usable);
  if (!resolver) {
    for (const s of toResolve)
      errors.push({ package: s.name, message: "no environment with a working npm to look up its version" });
    return { versions, resolved, errors };
  }
  const step = progress.step(`Resolving ${toResolve.map((s) => s.spec).join(", ")}`);
  await Promise.all(
    toResolve.map(async (s) => {
      try {
        const version = await resolveVersion(resolver, s.name, splitSpec(s.spec).range);
        versions.set(s.name, version);
        resolved[s.name] = { spec: s.spec, version, resolvedAt: options.now.toISOString() };
      } catch (error) {
        if (error instanceof InterruptedError) throw error;
        errors.push({ package: s.name, message: (error as Error).message });
      }
    }),
  );
  if (errors.length > 0) step.fail(`Could not resolve ${errors.map((e) => e.package).join(", ")}`);
  else step.succeed(`Resolved ${toResolve.map((s) => `${s.name}@${versions.get(s.name)}`).join(", ")}`);
  return { versions, resolved, errors };
}

export type InstalledIndex = Map<string, Map<string, InstalledPackage>>;

export async function readInstalledIndex(servers: readonly PackageServer[]): Promise<InstalledIndex> {
  const index: InstalledIndex = new Map();
  // Several servers often run one package (with different args): read each package.json once.
  const wanted = new Map<string, { env: Environment; name: string }>();
  for (const s of servers)
    for (const env of s.envs) wanted.set(`${env.id}\u0000${s.name}`, { env, name: s.name });
  await Promise.all(
    [...wanted.values()].map(async ({ env, name }) => {
      const pkg = await readInstalledPackage(env, name);
      const inEnv = index.get(env.id) ?? new Map();
      index.set(env.id, inEnv);
      if (pkg) inEnv.set(name, pkg);
    }),
  );
  return index;
}

/** Install what is missing or at another version; environments in parallel. */
export async function installMissing(
  servers: readonly PackageServer[],
  versions: ReadonlyMap<string, string>,
  index: InstalledIndex,
  state: State,
  /**
   * `owner`: the manifest it installs for (packages/owners.ts), recorded with each install.
   * `onInstalled`: told as each environment's installs are in (its packages then run there), and
   * awaited (a first sync starts those packages' servers before it goes on to write).
   */
  options: {
    dryRun: boolean;
    owner: string;
    signal?: AbortSignal;
    onInstalled?: (env: Environment) => Promise<void>;
  },
  progress: Progress,
): Promise<{ rows: InstallRow[]; failed: Set<string> }> {
  const rows: InstallRow[] = [];
  const failed = new Set<string>();
  const perEnv = new Map<Environment, string[]>();
  for (const s of servers) {
    const version = versions.get(s.name);
    if (!version) continue;
    for (const env of s.envs) {
      const have = index.get(env.id)?.get(s.name);
      if (have?.version === version) {
        rows.push({ env: env.id, package: s.name, version, action: "present" });
        // A copy another manifest had mcp-twin install: this one relies on it too.
        const owners = ownersOf(state, env.id, s.name);
        if (!options.dryRun && owners.length > 0 && !owners.includes(options.owner))
          recordOwner(state, env.id, s.name, options.owner, owners);
        continue;
      }
      if (options.dryRun) {
        rows.push({ env: env.id, package: s.name, version, action: "planned" });
        continue;
      }
      const list = perEnv.get(env) ?? [];
      if (!list.includes(`${s.name}@${version}`)) list.push(`${s.name}@${version}`);
      perEnv.set(env, list);
    }
  }
  if (perEnv.size === 0) return { rows, failed };

  // One live line per environment: its packages, the time so far, npm's phase.
  const board = progress.installs([...perEnv].map(([env, specs]) => ({ env: env.id, specs })));
  try {
    await Promise.all(
      [...perEnv].map(async ([env, specs]) => {
        const outcome = await installPackages(env, specs, options.signal, (phase) =>
          board.phase(env.id, phase),
        );
        for (const spec of outcome.installed) {
          const { name, range } = splitSpec(spec);
          const previous = index.get(env.id)?.get(name);
          const pkg = await readInstalledPackage(env, name);
          if (pkg) {
            const inEnv = index.get(env.id) ?? new Map();
            index.set(env.id, inEnv);
            inEnv.set(name, pkg);
          }
          const owners = ownersOf(state, env.id, name);
          state.installs[env.id] = dict({ ...own(state.installs, env.id), [name]: range });
          recordOwner(state, env.id, name, options.owner, owners);
          rows.push({
            env: env.id,
            package: name,
            version: range,
            action: previous ? "updated" : "installed",
          });
        }
        for (const f of outcome.failed) {
          const { name, range } = splitSpec(f.spec);
          failed.add(`${env.id}|${name}`);
          index.get(env.id)?.delete(name);
          rows.push({ env: env.id, package: name, version: range, action: "failed", error: f.error });
        }
        board.done(env.id, { installed: outcome.installed, failed: outcome.failed.map((f) => f.spec) });
        await options.onInstalled?.(env);
      }),
    );
  } finally {
    board.close();
  }
  return { rows, failed };
}

/** An uninstall's rows: each package removed, then each that failed, at the version mcp-twin installed. */
export function uninstallRows(
  env: string,
  outcome: InstallOutcome,
  versions: Readonly<Record<string, string>>,
): InstallRow[] {
  return [
    ...outcome.installed.map((n) => ({
      env,
      package: n,
      version: versions[n] ?? "",
      action: "removed" as const,
    })),
    ...outcome.failed.map((f) => ({
      env,
      package: f.spec,
      version: versions[f.spec] ?? "",
      action: "failed" as const,
      error: f.error,
    })),
  ];
}

/**
 * --prune: uninstall the packages the plan found unused (sync/unused-packages.ts: those no
 * manifest they were installed for uses now), each environment in parallel.
 */
export async function prunePackages(
  planned: readonly InstallRow[],
  environments: readonly Environment[],
  state: State,
  progress: Progress,
): Promise<InstallRow[]> {
  const rows: InstallRow[] = [];
  const jobs: Array<Promise<void>> = [];
  for (const env of environments) {
    const mine = own(state.installs, env.id) ?? dict<string>();
    const drop = planned
      .filter((r) => r.env === env.id && own(mine, r.package) !== undefined)
      .map((r) => r.package);
    if (drop.length === 0 || !env.usable) continue;
    jobs.push(
      (async () => {
        const step = progress.step(`Removing ${drop.join(", ")} from ${env.id}`);
        const outcome = await uninstallPackages(env, drop);
        rows.push(...uninstallRows(env.id, outcome, mine));
        const inEnv = state.installs[env.id];
        if (inEnv) for (const n of outcome.installed) delete inEnv[n];
        forgetOwners(state, env.id, outcome.installed);
        if (outcome.failed.length > 0) step.fail();
        else step.succeed(`Removed ${drop.join(", ")} from ${env.id}`);
      })(),
    );
  }
  await Promise.all(jobs);
  return rows;
}
