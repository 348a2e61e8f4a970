/**
 * The entry every server should have in every target, given what is installed where: what sync
 * writes (after its installs), and what status and doctor compare the files with (with what is
 * installed now, no install and no network).
 */

import { VERSION } from "../../version.js";
import { harnessTwin } from "../clients/harness.js";
import type { Target } from "../clients/types.js";
import type { Machine } from "../environments/machine.js";
import { mcpTwinIn } from "../environments/self-launch.js";
import { shortForm, spacedPrefix } from "../environments/shortname.js";
import type { Environment } from "../environments/types.js";
import { nodeExeOnPath } from "../environments/windows.js";
import { recordsEntry, type State } from "../ledger/state.js";
import { BRIDGE_ENTRY } from "../manifest/bridge-entry-name.js";
import type { Manifest, ServerSpec } from "../manifest/schema.js";
import { hasToolRules } from "../manifest/tool-rules.js";
import { searchesThroughGateway, serversBehindTools, TOOLS_ENTRY } from "../manifest/tool-search.js";
import { relayLogins } from "../oauth/needs-login.js";
import {
  type InstalledIndex,
  knownVersions,
  packageServers,
  readInstalledIndex,
} from "../packages/installs.js";
import { BIN_AFTER_INSTALL } from "../packages/npm-prefix.js";
import { own } from "../plain-records.js";
import { getEnv } from "../system/host.js";
import { type BridgeWiring, planBridge } from "./bridge-wiring.js";
import { cannotHost } from "./share-host-env.js";
import { type GatewayReach, sharedEntry, toolsEntry } from "./shared-entry.js";
import { type BuiltEntry, buildEntry, type EntryContext } from "./target-entry.js";
import { readToolLists, type ToolLists } from "./tool-lists.js";
import { withToolRules } from "./tool-rule-entry.js";
import { readWithheldNeeds, withWithheldNeeds } from "./withheld-needs.js";

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
    ...(await windowsPathTable(input.allEnvs, index, machine)),
    // One path to this mcp-twin for every entry that runs it: the relays and the bridge's entry.
    self: selfHere(input.allEnvs, machine),
    selfVersion: VERSION,
    secrets: input.secrets,
    processEnv: machine.host.env,
    version: (name) => versions.get(name),
    logins: relayLogins(machine, input.servers),
  };
  const out: DesiredEntries = new Map();
  const reach = input.bridge?.reach;
  const hosted = new Set(input.bridge?.shares.map((s) => s.name));
  // Variables doctor found a server needs that its client withholds (Gemini CLI).
  const needs = readWithheldNeeds(machine);
  // The servers' known lists, for the tool rules written as names (read only when a rule is there).
  const lists = await knownToolLists(machine, input, index, versions);
  const entriesOf = (target: Target): Map<string, BuiltEntry> => {
    const desired = new Map<string, BuiltEntry>();
    const overlay = isOverlay(target);
    const behind = reach && !overlay ? behindTools(input, target, reach) : undefined;
    // The servers behind the `tools` entry get their own entries too, kept aside: the target keeps
    // them while an entry of the person's holds the name `tools` (ownership.ts, entriesMeant).
    const instead = new Map<string, BuiltEntry>();
    for (const [name, spec] of input.servers) {
      if (spec.clients && !spec.clients.includes(target.client.id)) continue;
      // Reached through the one `tools` entry (the manifest's toolSearch), not an entry of its own.
      const put = behind?.has(name) ? instead : desired;
      // A shared server runs in the gateway, for user files: a project file is the team's, and
      // keeps the entry that starts the server itself (no token, no machine's gateway in it).
      const shared = spec.share && reach && target.scope === "user" && hosted.has(name);
      const built = shared
        ? sharedEntry(name, spec, target, ctx, reach)
        : withWithheldNeeds(buildEntry(name, spec, target, ctx), name, target, needs, ctx.processEnv);
      if (overlay && !startsHere(built, target)) continue;
      const listed = lists?.get(name)?.tools.map((t) => t.name);
      put.set(name, lists ? withToolRules(built, name, spec, target, listed) : built);
    }
    // No server holds the name `tools` beside toolSearch: the manifest schema refuses it.
    // A server behind it that runs once per project folder: the entry must name the folder.
    const perFolder = [...(behind ?? [])].some(
      (name) => own(input.manifest.servers, name)?.share === "project",
    );
    if (behind && reach)
      desired.set(TOOLS_ENTRY, { ...toolsEntry(target, ctx, reach, [...behind], perFolder), instead });
    // No server can hold the bridge's name: the manifest schema reserves it.
    const bridge = overlay ? undefined : input.bridge?.entry(target, ctx);
    if (bridge) desired.set(BRIDGE_ENTRY, bridge);
    return desired;
  };
  for (const target of input.targets) out.set(target.key, entriesOf(target));
  for (const target of input.targets) {
    const twin = harnessTwin(target, input.targets);
    if (!twin) continue;
    // The twin's entries as a whole sync writes them, though `--client` left its file out of this run.
    const theirs = out.get(twin.key) ?? entriesOf(twin);
    const mine = out.get(target.key);
    if (!mine) continue;
    // Its harness reads the twin's file: a server written there is not written here again.
    for (const [name, built] of theirs) if (built.ok) mine.delete(name);
    const read = [...theirs].filter(([name, built]) => built.ok && !mine.has(name)).map(([name]) => name);
    readByHarness.set(mine, read.sort());
  }
  return out;
}

/** The servers a target's harness reads from its twin's file (clients/harness.ts), by its entries. */
const readByHarness = new WeakMap<ReadonlyMap<string, BuiltEntry>, string[]>();

/** Which servers the target's app reads from its harness twin's file instead of its own; undefined: none. */
export function harnessReads(desired: DesiredEntries, targetKey: string): readonly string[] | undefined {
  const mine = desired.get(targetKey);
  return mine && readByHarness.get(mine);
}

/**
 * The servers a target reaches through its `tools` entry, when the manifest's toolSearch names its
 * client and it is a user file (a project file is the team's: no token, no machine's gateway in
 * it); undefined otherwise, or when no server stands behind it.
 */
function behindTools(
  input: DesiredInput,
  target: Target,
  reach: GatewayReach,
): ReadonlySet<string> | undefined {
  if (target.scope !== "user" || !searchesThroughGateway(input.manifest, target.client.id)) return undefined;
  const names = serversBehindTools(input.servers, target.client.id, (s) => !cannotHost(s, reach.env));
  return names.length > 0 ? new Set(names) : undefined;
}

/**
 * A user file a remote window of its editor lays over the other side's by server name (VS Code
 * connected to WSL): it holds only the servers it starts in its own environment.
 */
function isOverlay(target: Target): boolean {
  return target.scope === "user" && target.client.remoteOverlay?.includes(target.env.kind) === true;
}

/**
 * Whether an entry starts its server in the target's own environment: a stdio launch there (or one
 * whose package sync installs there). The others — a shared server's gateway url, a remote url, a
 * relay, a launch across the line — reach a remote window from the other side's file as they are.
 */
function startsHere(built: BuiltEntry, target: Target): boolean {
  if (!built.ok) return built.code === "not-installed" && built.missing?.env === target.env.id;
  return (
    built.runsIn === target.env.id &&
    !built.relay &&
    !built.gateway &&
    !built.bridged &&
    typeof built.value.command === "string"
  );
}

/** The servers' known tool lists (tool-lists.ts), when the manifest has a tool rule; else undefined. */
export async function knownToolLists(
  machine: Machine,
  input: Pick<DesiredInput, "servers" | "bridge"> & { everyServer?: boolean },
  index: InstalledIndex,
  versions: ReadonlyMap<string, string>,
): Promise<ToolLists | undefined> {
  if (!input.everyServer && !input.servers.some(([, s]) => hasToolRules(s))) return undefined;
  const bridge = input.bridge;
  // With toolSearch the gateway runs the servers behind `/tools` too, and caches their lists alike.
  const behind = bridge?.toolSearch
    ? input.servers
        .filter(([, s]) => s.url === undefined && !cannotHost(s, bridge.env))
        .map(([name]) => ({ name }))
    : [];
  return readToolLists(machine, {
    servers: input.servers,
    version: (name) => versions.get(name),
    bridge: bridge ? { env: bridge.env, shares: [...bridge.shares, ...behind] } : undefined,
    bridgeVersion: (name) => (bridge ? index.get(bridge.env.id)?.get(name)?.version : undefined),
  });
}

/** This mcp-twin, as the relays of url servers start it: by the path the bridge's entry uses too. */
function selfHere(envs: readonly Environment[], machine: Machine): EntryContext["self"] {
  const local = envs.find((e) => e.local);
  return (local && mcpTwinIn(local, machine.host.self)) ?? machine.host.self;
}

/**
 * Raw `command` servers: is each entry's program there, where the entry runs (entries/programs/program-check.ts)?
 * A missing one becomes a problem of the entry (written all the same). Most manifests have no such
 * server: then nothing is loaded or looked at.
 */
export async function checkEntryPrograms(
  desired: DesiredEntries,
  input: Pick<DesiredInput, "servers" | "allEnvs" | "targets">,
  machine: Machine,
): Promise<void> {
  if (!input.servers.some(([, s]) => s.command !== undefined || s.overrides)) return;
  const { checkPrograms } = await import("./programs/program-check.js");
  await checkPrograms(desired, input.allEnvs, machine.host.env, input.targets);
}

/**
 * With the bridge's own entry on (`bridge.enabled`, or an entry mcp-twin wrote before while it is
 * unsaid), or servers shared (they run in the bridge): where the bridge lives and how clients reach
 * it.
 */
export async function wireBridge(
  machine: Machine,
  manifest: Manifest,
  allEnvs: Environment[],
  options: { createToken: boolean; checkPort?: boolean; state: Pick<State, "targets"> },
): Promise<BridgeWiring | undefined> {
  // Tools on demand reach their servers through the gateway as shared servers do.
  const shares = Object.values(manifest.servers).some((s) => s.share && !s.disabled) || !!manifest.toolSearch;
  const hadEntry = manifest.bridge?.enabled === undefined && recordsEntry(options.state, BRIDGE_ENTRY);
  if (!manifest.bridge?.enabled && !hadEntry && !shares) return undefined;
  // `checkPort` (sync, and what status and doctor say sync would write): no entry may point at a
  // port another program holds — it would get this home's credential. Unpinned, the port moves to a
  // free one; pinned, the shared servers get their direct entries instead, and `taken` says why.
  return planBridge(manifest, allEnvs, machine, {
    createToken: options.createToken,
    checkPort: options.checkPort === true,
    hadEntry,
  });
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

/**
 * What entries write for Windows paths with spaces (node.exe, package scripts, ourselves): the 8.3
 * form Windows reported (cached with the facts), `node.exe` for the node.exe found first on the
 * Windows PATH when its folder has none, else the path — with why, and what the user can do.
 */
async function windowsPathTable(
  envs: readonly Environment[],
  index: InstalledIndex,
  machine: Machine,
): Promise<Pick<EntryContext, "shortPath" | "spaced">> {
  const table = new Map<string, string>();
  const stuck = new Map<string, string>();
  const windows = envs.find((e) => e.kind === "windows");
  if (windows) {
    const npmDir = windows.npm?.prefix.replace(/\\+$/, "").toLowerCase();
    const nodes = [windows.node?.path, machine.local.kind === "windows" ? machine.host.self.node : undefined];
    const paths = [
      ...nodes,
      ...[...(index.get(windows.id)?.values() ?? [])].flatMap((p) => Object.values(p.bins)),
      ...(machine.local.kind === "windows" ? [machine.host.self.script] : []),
    ];
    let first: string | undefined | null = null;
    const firstNodeExe = async () => {
      if (first === null) {
        const live = windows.local ? getEnv(machine.host.env, "PATH") : undefined;
        first = (await nodeExeOnPath(windows, (p) => windows.access(p), live))?.toLowerCase();
      }
      return first;
    };
    for (const p of paths) {
      if (!p?.includes(" ") || table.has(p) || stuck.has(p)) continue;
      if (p.endsWith(BIN_AFTER_INSTALL)) {
        // A dry run's script to come: its folder as the real one will be written.
        const dir = p.slice(0, -BIN_AFTER_INSTALL.length - 1);
        const form = shortForm(dir, windows.shortNames);
        if (dir.includes(" ") && form !== "none" && form !== "unknown")
          table.set(p, `${form}\\${BIN_AFTER_INSTALL}`);
        continue;
      }
      const form = shortForm(p, windows.shortNames);
      if (form !== "none" && form !== "unknown") {
        table.set(p, form);
        continue;
      }
      const isNode = nodes.some((n) => n?.toLowerCase() === p.toLowerCase());
      if (isNode && (await firstNodeExe()) === p.toLowerCase()) {
        table.set(p, "node.exe");
        continue;
      }
      // A path with a space: it has a prefix to shorten.
      const prefix = spacedPrefix(p)?.prefix ?? p;
      const why =
        form === "none"
          ? `Windows has no 8.3 short name for "${prefix}" (8.3 names are off on that drive).`
          : `Windows did not report an 8.3 short name for "${prefix}".`;
      const what = isNode
        ? "Install Node.js in a folder without spaces (such as C:\\nodejs), or make this node.exe the first one on the Windows PATH, then run `mcp-twin sync`."
        : npmDir && p.toLowerCase().startsWith(`${npmDir}\\`)
          ? "Give npm a global folder without spaces (in a Windows terminal: `npm config set prefix C:\\npm`), then run `mcp-twin sync`."
          : "Use a folder without spaces for it, then run `mcp-twin sync`.";
      stuck.set(p, `${why} ${what}`);
    }
  }
  return { shortPath: (p) => table.get(p) ?? p, spaced: (p) => stuck.get(p) };
}
