/** Drift against what sync wrote: builds the entries sync would write now and compares. */
import { planBridge } from "../bridge/wiring.js";
import type { Environment } from "../environments/types.js";
import { ownedView } from "../formats/index.js";
import { exactVersion, splitSpec } from "../install.js";
import type { Machine } from "../machine.js";
import type { Manifest, ServerSpec } from "../manifest/schema.js";
import { own } from "../own.js";
import { packageServers, readInstalledIndex } from "../packages.js";
import type { State } from "../state.js";
import { desiredEntries, type Prepared } from "../sync.js";
import { checkDrift } from "./checks/drift.js";
import type { ConfigFacts } from "./read-configs.js";
import type { Check } from "./types.js";

export async function driftChecks(
  machine: Machine,
  manifest: Manifest,
  secrets: Record<string, string>,
  state: State,
  allEnvs: Environment[],
  configs: readonly ConfigFacts[],
  servers: Array<[string, ServerSpec]>,
): Promise<Check[]> {
  const bridge = await planBridge(manifest, allEnvs, machine, { createToken: false });
  const usable = configs.filter((c) => {
    const t = c.target;
    if (c.readError || c.parseError || c.shapeErrors.length > 0) return false;
    if (manifest.clients && !manifest.clients.includes(t.client.id)) return false;
    // Project files get entries only when sync was run with --project for them.
    if (t.scope === "project" && !state.targets[t.key]) return false;
    // A wiped file is reported once (config.wiped), not once per server.
    const owned = Object.keys(state.targets[t.key]?.entries ?? {}).length;
    const holds = c.sets.some((s) => s.scope === t.scope && Object.keys(s.entries).length > 0);
    return !(owned > 0 && !holds);
  });
  if (usable.length === 0 || (servers.length === 0 && !bridge)) return [];
  const pkgs = packageServers(manifest, allEnvs);
  const index = await readInstalledIndex(pkgs);
  const versions = new Map<string, string>();
  for (const p of pkgs) {
    const v = exactVersion(splitSpec(p.spec).range) ?? own(state.packages, p.name)?.version;
    if (v) versions.set(p.name, v);
  }
  const prepared: Prepared = {
    manifest,
    secrets,
    state,
    detection: { environments: allEnvs, gathered: 0 },
    allEnvs,
    envs: allEnvs,
    targets: usable.map((c) => c.target),
    texts: new Map(),
    servers,
    ...(bridge ? { bridge } : {}),
  };
  const desired = await desiredEntries(machine, prepared, index, versions);
  const out: Check[] = [];
  for (const c of usable) {
    const t = c.target;
    // Only the keys sync owns (Codex keeps its own in the same entry).
    const current = ownedView(c.sets.find((s) => s.scope === t.scope)?.entries ?? {}, t.client.ownedKeys);
    const where = { env: t.env.id, client: t.client.id, scope: t.scope };
    for (const [name, built] of desired.get(t.key) ?? new Map())
      out.push(checkDrift(where, name, built, current, own(state.targets[t.key]?.entries, name)));
  }
  return out;
}
