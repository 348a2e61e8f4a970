/**
 * The bridge after `uninstall`: once no client config holds its entry nothing reaches it, so uninstall
 * stops it through the lifecycle's own stop (only the process holding the bridge's state lock).
 */
import { CLIENTS } from "../clients/index.js";
import type { Machine } from "../environments/machine.js";
import type { Environment } from "../environments/types.js";
import { joinNative } from "../environments/types.js";
import { loadFormats, readTargetEntries } from "../formats/index.js";
import type { State, TargetRecord } from "../ledger/state.js";
import { BRIDGE_ENTRY } from "../manifest/bridge-entry-name.js";
import { own } from "../own-keys.js";
import { readTextOrNull } from "../system/files.js";
import { probeBridge } from "./bridge-probe.js";
import { ownedInstance, parseInstance } from "./instance.js";
import { localLifecycle, stopBridge } from "./lifecycle.js";
import { bridgeHomeIn } from "./state-folder.js";
import { readToken } from "./token-file.js";

export interface BridgeRetirement {
  /**
   * stopped: this run stopped it; planned: it would (a dry run); kept: client configs still hold
   * its entry, so it keeps running; failed: it could not be stopped from here (`fix` says how).
   */
  action: "stopped" | "planned" | "kept" | "failed";
  /** The environment it runs in. */
  env: string;
  pid: number;
  /** stopped: it did not end on SIGTERM and was killed. */
  forced?: boolean;
  /** kept: the configs that still hold its entry ("env client"). */
  entries?: string[];
  /**
   * kept: configs that record its entry but do not parse ("env client"): whether they still hold
   * it cannot be told, and nothing was removed from them.
   */
  unreadable?: string[];
  error?: string;
  fix?: string;
}

const nameOf = (r: Pick<TargetRecord, "env" | "client" | "scope" | "path">) =>
  `${r.env} ${r.client}${r.scope === "project" ? ` (${r.path})` : ""}`;

/** The configs (per state) that hold the bridge's entry. */
function bridgeEntryHolders(state: State): string[] {
  return Object.values(state.targets)
    .filter((r) => own(r.entries, BRIDGE_ENTRY) !== undefined)
    .map(nameOf);
}

/**
 * The configs that hold the bridge's entry as the files are now: of those state says hold it, the
 * ones whose file still has it (a file this side cannot open counts as state says), and apart the
 * ones whose file does not parse (`unreadable`, their paths as the user's system shows them).
 * File reads only, no process.
 */
export async function bridgeEntriesInFiles(
  machine: Machine,
  state: State,
): Promise<{ holders: string[]; unreadable: string[] }> {
  const recorded = Object.values(state.targets).filter((r) => own(r.entries, BRIDGE_ENTRY) !== undefined);
  const holders: string[] = [];
  const unreadable: string[] = [];
  if (recorded.length === 0) return { holders, unreadable };
  await loadFormats(CLIENTS.filter((c) => recorded.some((r) => r.client === c.id)));
  for (const r of recorded) {
    const file = openable(machine, r);
    const client = CLIENTS.find((c) => c.id === r.client);
    if (!file || !client) {
      holders.push(nameOf(r));
      continue;
    }
    let text: string | null;
    try {
      text = await readTextOrNull(file);
    } catch {
      unreadable.push(machine.shown(file));
      continue;
    }
    if (text === null) continue;
    try {
      const entries = readTargetEntries({ client, serversPath: client.serversPath, file: r.path }, text);
      if (own(entries, BRIDGE_ENTRY) !== undefined) holders.push(nameOf(r));
    } catch {
      unreadable.push(machine.shown(file));
    }
  }
  return { holders, unreadable };
}

/** A url at the bridge (its own `/mcp` or a shared server's `/share/<name>`), on loopback. */
const BRIDGE_URL = /^http:\/\/(?:127\.0\.0\.1|localhost|\[::1\]):\d+\/(?:mcp|share\/)/;

/**
 * Of the entries an uninstall removed, what reached the bridge: the clients whose removed entries
 * included a relay to it (`mcp-twin connect <bridge url>`: such an entry, still loaded by an open
 * session, starts the bridge again on its next call), and whether any was a url entry to it (one
 * starts nothing: it fails once the bridge is gone). Read from each file's text before the write.
 */
export async function removedBridgeEntries(
  results: ReadonlyArray<{
    client: string;
    removed: readonly string[];
    before?: string | null;
    path: string;
  }>,
): Promise<{ starters: string[]; urlEntries: boolean }> {
  /** The files (paths) whose removed entries included a relay to the bridge. */
  const starters = new Set<string>();
  let urlEntries = false;
  const clients = CLIENTS.filter((c) => results.some((r) => r.client === c.id && r.removed.length > 0));
  if (clients.length > 0) await loadFormats(clients);
  for (const r of results) {
    const client = clients.find((c) => c.id === r.client);
    if (!client || !r.before || r.removed.length === 0) continue;
    let entries: Record<string, unknown>;
    try {
      entries = readTargetEntries({ client, serversPath: client.serversPath, file: r.path }, r.before);
    } catch {
      continue;
    }
    for (const name of r.removed) {
      const entry = own(entries, name) as { args?: unknown } | undefined;
      if (!entry || typeof entry !== "object") continue;
      const args = Array.isArray(entry.args) ? entry.args.map(String) : [];
      const at = args.indexOf("connect");
      if (at >= 0 && BRIDGE_URL.test(args[at + 1] ?? "")) starters.add(r.path);
      else if (Object.values(entry).some((v) => typeof v === "string" && BRIDGE_URL.test(v)))
        urlEntries = true;
    }
  }
  return { starters: [...starters], urlEntries };
}

/** A recorded config as this process opens it (undefined: not from this side without a process). */
function openable(machine: Machine, r: TargetRecord): string | undefined {
  if (r.scope === "project" || r.env === machine.local.id) return r.path;
  if (r.env === "windows") return machine.windows?.access(r.path);
  return undefined;
}

/**
 * Stop the bridge when no entry reaches it any more; undefined when none runs. `unreadable`: the
 * targets this uninstall left as they are because they do not parse.
 *
 * While a config still holds its entry (an uninstall limited by --client or --env) it keeps
 * running, and the report names those configs. A bridge on the other side (uninstall run on
 * Windows, the bridge in WSL) is asked to stop there with `mcp-twin bridge stop`, only when it
 * answers.
 */
export async function retireBridge(
  machine: Machine,
  state: State,
  environments: readonly Environment[],
  options: {
    dryRun: boolean;
    unreadable?: ReadonlyArray<Pick<TargetRecord, "env" | "client" | "scope" | "path">>;
  },
): Promise<BridgeRetirement | undefined> {
  const running = await findBridge(machine, environments);
  if (!running) return undefined;
  const base = { env: running.env.id, pid: running.pid };
  const unreadable = (options.unreadable ?? []).map(nameOf);
  const recorded = bridgeEntryHolders(state);
  const holders = recorded.filter((h) => !unreadable.includes(h));
  const blocked = recorded.filter((h) => unreadable.includes(h));
  if (holders.length > 0 || blocked.length > 0)
    return {
      ...base,
      action: "kept",
      entries: holders,
      ...(blocked.length > 0 ? { unreadable: blocked } : {}),
    };
  if (options.dryRun) return { ...base, action: "planned" };
  const fix = `run \`mcp-twin bridge stop\` in ${running.env.id}`;
  if (running.here) {
    const stopped = await stopBridge(localLifecycle(machine.host, () => {}));
    if (!stopped.stopped) return undefined; // it ended meanwhile
    return { ...base, action: "stopped", ...(stopped.forced ? { forced: true } : {}) };
  }
  if (machine.local.kind !== "windows")
    return { ...base, action: "failed", error: `it runs in ${running.env.id}`, fix };
  try {
    const { controlBridge } = await import("./control.js");
    const report = await controlBridge(machine, "stop", { manifest: undefined, log: () => {} });
    if (!report.stopped) return undefined;
    return {
      ...base,
      action: "stopped",
      pid: report.stopped.pid,
      ...(report.stopped.forced ? { forced: true } : {}),
    };
  } catch (error) {
    return { ...base, action: "failed", error: error instanceof Error ? error.message : String(error), fix };
  }
}

/**
 * A bridge of this home that runs: here, the process holding the state lock; on the other side,
 * one whose serve.json is there and that answers with that side's token.
 */
async function findBridge(
  machine: Machine,
  environments: readonly Environment[],
): Promise<{ env: Environment; pid: number; here: boolean } | undefined> {
  const local = environments.find((e) => e.local);
  if (local) {
    const info = await ownedInstance(localLifecycle(machine.host, () => {}).files);
    if (info) return { env: local, pid: info.pid, here: true };
  }
  for (const env of environments) {
    if (env.local || !env.home) continue;
    const dir = bridgeHomeIn(env.kind, env.vars, env.home);
    const file = (name: string) => env.access(joinNative(env.kind, dir, name));
    const serve = file("serve.json");
    const info = serve ? parseInstance((await readTextOrNull(serve)) ?? "") : null;
    if (!info) continue;
    const tokenFile = file("token");
    const token = tokenFile ? await readToken(tokenFile) : null;
    if (token && (await probeBridge(info.url, token)).state === "ours")
      return { env, pid: info.pid, here: false };
  }
  return undefined;
}
