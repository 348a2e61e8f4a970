/**
 * Each client's context budget for doctor's tools.budget check, after the probes (whose lists it
 * reads from the home's cache): what each client reads once sync has run, nothing started.
 */
import { type ClientBudget, clientBudgets } from "../../budget/budget.js";
import { entriesInFiles } from "../../budget/in-file.js";
import { type KeepProblem, keepProblems, keepReach } from "../../budget/keep-problems.js";
import { entriesNow, knownToolLists, wireBridge } from "../../entries/desired.js";
import type { Machine } from "../../environments/machine.js";
import type { Environment } from "../../environments/types.js";
import type { State } from "../../ledger/state.js";
import type { Manifest, ServerSpec } from "../../manifest/schema.js";
import { knownVersions, packageServers, readInstalledIndex } from "../../packages/installs.js";
import type { ConfigFacts } from "./read-configs.js";

export async function budgetFacts(
  machine: Machine,
  home: {
    manifest: Manifest;
    secrets: Record<string, string>;
    state: State;
    loaded?: { file: string; text?: string | null } | undefined;
  },
  allEnvs: Environment[],
  configs: readonly ConfigFacts[],
  servers: Array<[string, ServerSpec]>,
): Promise<
  { budgets: ClientBudget[]; servers: ReadonlyMap<string, ServerSpec>; keep: KeepProblem[] } | undefined
> {
  const { manifest, state } = home;
  const readable = configs
    .filter((c) => !c.readError && !c.parseError && c.shapeErrors.length === 0)
    .filter((c) => !manifest.clients || manifest.clients.includes(c.target.client.id))
    .filter((c) => c.target.scope === "user" || state.targets[c.target.key]);
  const targets = readable.map((c) => c.target);
  if (targets.length === 0 || servers.length === 0) return undefined;
  const bridge = await wireBridge(machine, manifest, allEnvs, { createToken: false, checkPort: true, state });
  const input = { manifest, servers, secrets: home.secrets, allEnvs, targets, bridge };
  const desired = await entriesNow(machine, input, state);
  const pkgs = packageServers(manifest, allEnvs);
  const lists =
    (await knownToolLists(
      machine,
      { servers, bridge, everyServer: true },
      await readInstalledIndex(pkgs),
      knownVersions(pkgs, state),
    )) ?? new Map();
  const specs = new Map(servers);
  // What each client will read: sync's entries, and as the files have them those it leaves alone.
  const texts = new Map(readable.map((c) => [c.target.key, c.text]));
  const inFiles = entriesInFiles(targets, texts, state, desired);
  const keep = manifest.toolSearch?.keep ?? [];
  const file = { file: home.loaded?.file ?? "the manifest", text: home.loaded?.text };
  return {
    budgets: clientBudgets(targets, desired, inFiles, specs, lists, new Set(), keep),
    servers: specs,
    keep:
      keep.length > 0 ? keepProblems(keep, manifest.servers, keepReach(targets, desired), lists, file) : [],
  };
}
