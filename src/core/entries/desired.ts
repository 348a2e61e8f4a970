/**
 * The entry every server should have in every target, given what is installed where: what sync
 * writes (after its installs), and what status and doctor compare the files with (with what is
 * installed now, no install and no network).
 */

import { VERSION } from "../../version.js";
import { BRIDGE_ENTRY } from "../bridge-control/entry-name.js";
import type { BridgeWiring } from "../bridge-control/wiring.js";
import type { Target } from "../clients/types.js";
import { shortenWindowsPath } from "../environments/shortname.js";
import type { Environment } from "../environments/types.js";
import type { Manifest, ServerSpec } from "../manifest/schema.js";
import { relayLogins } from "../oauth/needs-login.js";
import {
  type InstalledIndex,
  knownVersions,
  packageServers,
  readInstalledIndex,
} from "../packages/installs.js";
import type { State } from "../sync/state.js";
import type { Machine } from "../system/machine.js";
import { type BuiltEntry, buildEntry, type EntryContext } from "./target-entry.js";

export interface DesiredInput {
  manifest: Manifest;
  /** The servers to build (enabled ones; doctor: those --server names). */
  servers: ReadonlyArray<readonly [string, ServerSpec]>;
  secrets: Readonly<Record<string, string>>;
  /** Every environment found: an entry may cross into any of them. */
  allEnvs: readonly Environment[];
  targets: readonly Target[];
  /** With `bridge.enabled`: where the bridge lives and how clients reach it. */
  bridge?: BridgeWiring | undefined;
}

/** Target key → server → its entry there. */
export type DesiredEntries = Map<string, Map<string, BuiltEntry>>;

export async function desiredEntries(
  machine: Machine,
  input: DesiredInput,
  index: InstalledIndex,
  versions: ReadonlyMap<string, string>,
): Promise<DesiredEntries> {
  const ctx: EntryContext = {
    environments: input.allEnvs,
    installed: (envId, name) => {
      const pkg = index.get(envId)?.get(name);
      const want = versions.get(name);
      return pkg && (!want || pkg.version === want) ? pkg : undefined;
    },
    shortPath: await shortPathTable(input.allEnvs, index, machine),
    self: machine.host.self,
    selfVersion: VERSION,
    secrets: input.secrets,
    processEnv: machine.host.env,
    version: (name) => versions.get(name),
    logins: relayLogins(machine, input.servers),
  };
  const out: DesiredEntries = new Map();
  for (const target of input.targets) {
    const desired = new Map<string, BuiltEntry>();
    for (const [name, spec] of input.servers) {
      if (spec.clients && !spec.clients.includes(target.client.id)) continue;
      desired.set(name, buildEntry(name, spec, target, ctx));
    }
    // No server can hold the bridge's name: the manifest schema reserves it.
    const bridge = input.bridge?.entry(target, ctx);
    if (bridge) desired.set(BRIDGE_ENTRY, bridge);
    out.set(target.key, desired);
  }
  return out;
}

/**
 * Raw `command` servers: is each entry's program there, where the entry runs (program-check.ts)?
 * A missing one becomes a problem of the entry (written all the same). Most manifests have no such
 * server: then nothing is loaded or looked at.
 */
export async function checkEntryPrograms(
  desired: DesiredEntries,
  input: Pick<DesiredInput, "servers" | "allEnvs" | "targets">,
  machine: Machine,
): Promise<void> {
  if (!input.servers.some(([, s]) => s.command !== undefined || s.overrides)) return;
  const { checkPrograms } = await import("../environments/program-check.js");
  await checkPrograms(desired, input.allEnvs, machine.host.env, input.targets);
}

/** With `bridge.enabled`: where the bridge lives and how clients reach it (its modules load only then). */
export async function wireBridge(
  machine: Machine,
  manifest: Manifest,
  allEnvs: Environment[],
  options: { createToken: boolean },
): Promise<BridgeWiring | undefined> {
  if (!manifest.bridge?.enabled) return undefined;
  const { planBridge } = await import("../bridge-control/wiring.js");
  return planBridge(manifest, allEnvs, machine, options);
}

/**
 * What sync would write now with what is installed now: the versions it knows without looking
 * anything up (pinned, or resolved earlier for this very spec), the packages in every environment.
 */
export async function entriesNow(
  machine: Machine,
  input: DesiredInput,
  state: State,
): Promise<DesiredEntries> {
  const pkgs = packageServers(input.manifest, input.allEnvs);
  const index = await readInstalledIndex(pkgs);
  return desiredEntries(machine, input, index, knownVersions(pkgs, state));
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
