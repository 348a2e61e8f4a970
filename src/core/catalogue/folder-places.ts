/**
 * A folder answer spelled for each environment of the machine: as this one spells it in the
 * server's args (`C:\Users\a\p` typed inside WSL is `/mnt/c/Users/a/p`), as each other one does
 * in its overrides (Windows gets `C:\Users\a\p`), so no side is handed a path it cannot open.
 */

import { envMatches } from "../environments/env-selector.js";
import type { LocalInfo } from "../environments/local.js";
import { type EnvInfo, translateArgs } from "../environments/path-translation.js";
import type { ServerOverride } from "../manifest/schema.js";

/** Where a server made here runs: this environment, and the machine's others. */
export interface Places {
  here: EnvInfo;
  others: readonly EnvInfo[];
}

/**
 * This environment and the others known without asking anyone: inside WSL, Windows; `more` adds
 * those already detected (init's), this one left out.
 */
export function placesOf(local: LocalInfo, more: readonly EnvInfo[] = []): Places {
  const here: EnvInfo = {
    id: local.id,
    kind: local.kind,
    ...(local.distro ? { distro: local.distro } : {}),
    mountRoot: local.mountRoot,
  };
  const others = new Map<string, EnvInfo>();
  if (local.kind === "wsl") others.set("windows", { id: "windows", kind: "windows" });
  for (const e of more) if (e.id !== here.id) others.set(e.id, e);
  return { here, others: [...others.values()] };
}

/** A path as this environment spells it (a Windows path typed inside WSL: its `/mnt/…` form). */
export function spelledHere(p: string, places: Places | undefined): string {
  if (!places) return p;
  for (const o of places.others) {
    const t = translateArgs([p], o, places.here)?.[0];
    if (t !== undefined && t !== p) return t;
  }
  return p;
}

/**
 * Overrides that give each other environment the server runs in its own spelling of the folder
 * arguments (`folders`, spelled here); none where it spells them the same, or cannot spell them.
 */
export function foldersElsewhere(
  args: readonly string[],
  folders: ReadonlySet<string>,
  places: Places | undefined,
  environments: readonly string[] | undefined,
): Record<string, ServerOverride> {
  const overrides: Record<string, ServerOverride> = {};
  if (!places || folders.size === 0) return overrides;
  for (const o of places.others) {
    if (environments && !environments.some((sel) => envMatches(sel, o.id))) continue;
    const there = args.map((a) => (folders.has(a) ? translateArgs([a], places.here, o)?.[0] : a));
    if (there.some((a) => a === undefined) || there.every((a, i) => a === args[i])) continue;
    overrides[o.id] = { args: there as string[] };
  }
  return overrides;
}
