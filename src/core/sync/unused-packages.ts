/**
 * The packages a sync calls unused (and `--prune` uninstalls): installed for this run's manifest,
 * no longer named by it, and named by no other manifest they were installed for.
 */
import type { Context } from "../context/context.js";
import { loadManifest } from "../manifest/load.js";
import { splitSpec } from "../manifest/package-spec.js";
import type { Manifest } from "../manifest/schema.js";
import type { InstallRow } from "../packages/installs.js";
import { ownerOf, ownersOf, USER_LEVEL } from "../packages/owners.js";
import { own } from "../plain-records.js";

/**
 * Packages are machine-wide (one npm prefix per environment) but manifests are not: this run's
 * manifest against every install would have a project's sync call the user level's packages
 * unused and its --prune uninstall them (a project never changes anything user-level), and the
 * user level's --prune remove what a project's `sync --env` installed for `serve --share`. So a
 * run looks only at what was installed for its own manifest, and of what it no longer names keeps
 * every package another manifest it was installed for may still name: one that names it, and one
 * that cannot be read here (gone, broken, or a path of the other side of a WSL machine) alike —
 * such a package stays rather than break a server.
 */
export async function unusedPackages(
  ctx: Pick<Context, "machine" | "located" | "manifest" | "envs" | "state">,
): Promise<InstallRow[]> {
  const owner = ownerOf(ctx.located);
  const named = packagesOf(ctx.manifest);
  const candidates: Array<{ row: InstallRow; others: string[] }> = [];
  for (const env of ctx.envs) {
    if (!env.usable) continue;
    for (const [name, version] of Object.entries(own(ctx.state.installs, env.id) ?? {})) {
      const owners = ownersOf(ctx.state, env.id, name);
      if (!owners.includes(owner) || named.has(name)) continue;
      const row: InstallRow = { env: env.id, package: name, version, action: "planned", removal: true };
      candidates.push({ row, others: owners.filter((o) => o !== owner) });
    }
  }
  const read = new Map<string, Promise<Set<string> | undefined>>();
  const namedBy = (other: string) => {
    const known = read.get(other) ?? namesIn(ctx.machine, other);
    read.set(other, known);
    return known;
  };
  const unused: InstallRow[] = [];
  for (const { row, others } of candidates) {
    const names = await Promise.all(others.map(namedBy));
    if (names.every((n) => n !== undefined && !n.has(row.package))) unused.push(row);
  }
  return unused;
}

/** The packages a manifest's servers name (a disabled server's too: enabled again, it runs it). */
function packagesOf(manifest: Manifest): Set<string> {
  return new Set(
    Object.values(manifest.servers).flatMap((s) => (s.package ? [splitSpec(s.package).name] : [])),
  );
}

/** What another owner's manifest names; undefined when that cannot be known here. */
async function namesIn(machine: Context["machine"], owner: string): Promise<Set<string> | undefined> {
  // The user level's file is the home's here (a run with --manifest elsewhere is the user level too).
  const file = owner === USER_LEVEL ? machine.paths.manifest : owner;
  try {
    const loaded = await loadManifest(file, {
      required: true,
      cacheDir: machine.paths.cache,
      caches: machine.caches,
    });
    return packagesOf(loaded.manifest);
  } catch {
    // Missing, unreadable or invalid: what it names is unknown, so its packages stay.
    return undefined;
  }
}
