/** Before the checks: which config files to look at. */
import { stat } from "node:fs/promises";
import path from "node:path";
import { discoverTargets } from "../../clients/targets.js";
import type { Target } from "../../clients/types.js";
import type { Environment } from "../../environments/types.js";

/** User files of present clients, plus the project folder's files that exist. */
export async function allTargets(
  envs: readonly Environment[],
  clients: readonly string[],
  project: string,
): Promise<Target[]> {
  const user = await discoverTargets(envs, { clients });
  const projectTargets = await discoverTargets(envs, {
    clients,
    project,
    includeAbsent: true,
  });
  const userFiles = new Set(user.map((t) => path.resolve(t.file)));
  const existing: Target[] = [];
  for (const t of projectTargets) {
    if (userFiles.has(path.resolve(t.file))) continue;
    if (
      await stat(t.file).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      existing.push(t);
  }
  return [...user, ...existing];
}
