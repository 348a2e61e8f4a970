/**
 * Which manifests each package mcp-twin installed is for: packages are machine-wide (one npm
 * prefix per environment), manifests are not, so state keeps who installed or relies on each.
 * A sync calls a package unused, or prunes it, only from its own (sync/unused-packages.ts).
 */
import type { State } from "../ledger/state.js";
import { dict, own } from "../plain-records.js";

/** The user-level manifest (the home's, or --manifest's): one owner, whichever file it is. */
export const USER_LEVEL = "user";

/** The owner a run installs for: the user level, or a project manifest by its absolute path. */
export function ownerOf(located: { file: string; scope: "user" | "project" }): string {
  return located.scope === "project" ? located.file : USER_LEVEL;
}

/**
 * Whom a package mcp-twin installed is for (none: not installed by mcp-twin). No record means the
 * user level: one installed for it alone gets none (recordOwner), and neither did any in states
 * from before owners were kept — a project's `sync --env` then is not told apart, and the
 * user-level sync keeps owning what it installed, as it did.
 */
export function ownersOf(state: State, env: string, name: string): string[] {
  if (own(own(state.installs, env), name) === undefined) return [];
  return own(own(state.installedFor, env), name) ?? [USER_LEVEL];
}

/**
 * Rows of packages this run's servers run that mcp-twin installed but state does not yet record
 * as installed for `owner` (a project relying on the user level's copy, or the other way round):
 * recording it keeps the other manifest's `--prune` from removing it.
 */
export function unrecorded<R extends { env: string; package: string; action: string }>(
  state: State,
  rows: readonly R[],
  owner: string,
): R[] {
  return rows.filter((r) => {
    if (r.action !== "present") return false;
    const owners = ownersOf(state, r.env, r.package);
    return owners.length > 0 && !owners.includes(owner);
  });
}

/**
 * Record `owner` for a package mcp-twin installed in `env`. `before`: its owners before this run
 * wrote its install (a fresh install has none; a package installed earlier keeps its others).
 */
export function recordOwner(state: State, env: string, name: string, owner: string, before: string[]): void {
  const owners = [...new Set([...before, owner])];
  // The user level alone is what no record says (ownersOf): a user-level setup's state stays as it was.
  if (owners.length === 1 && owners[0] === USER_LEVEL) {
    forgetOwners(state, env, [name]);
    return;
  }
  const installedFor = state.installedFor ?? dict<Record<string, string[]>>();
  const inEnv = own(installedFor, env) ?? dict<string[]>();
  inEnv[name] = owners;
  installedFor[env] = inEnv;
  state.installedFor = installedFor;
}

/** Packages uninstalled from `env`: no manifest has them there any more. */
export function forgetOwners(state: State, env: string, names: readonly string[]): void {
  const inEnv = own(state.installedFor, env);
  if (!inEnv) return;
  for (const n of names) delete inEnv[n];
  if (Object.keys(inEnv).length > 0 || !state.installedFor) return;
  delete state.installedFor[env];
  if (Object.keys(state.installedFor).length === 0) delete state.installedFor;
}
