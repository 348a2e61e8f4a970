/**
 * The bridge after `uninstall`: it is mcp-twin's own process, and once no client config holds its
 * entry nothing reaches it — so uninstall stops it, through the lifecycle's own stop (only the
 * process that holds the bridge's state lock is signalled, never one found by name). While a
 * config still holds its entry (an uninstall limited by --client or --env) it keeps running, and
 * the report names those configs. A bridge on the other side (uninstall run on Windows, the bridge
 * in WSL) is asked to stop there with `mcp-twin bridge stop`, only when it answers.
 */
import type { Environment } from "../environments/types.js";
import { joinNative } from "../environments/types.js";
import { readTextOrNull } from "../files.js";
import type { Machine } from "../machine.js";
import { own } from "../own.js";
import type { State } from "../state.js";
import { parseInstance } from "./instance.js";
import { localLifecycle, ownedInstance, stopBridge } from "./lifecycle.js";
import { BRIDGE_ENTRY } from "./name.js";
import { bridgeHomeIn } from "./paths.js";
import { probeBridge } from "./probe.js";
import { readToken } from "./token.js";

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
  error?: string;
  fix?: string;
}

/** The configs (per state) that hold the bridge's entry. */
export function bridgeEntryHolders(state: State): string[] {
  return Object.values(state.targets)
    .filter((r) => own(r.entries, BRIDGE_ENTRY) !== undefined)
    .map((r) => `${r.env} ${r.client}${r.scope === "project" ? ` (${r.path})` : ""}`);
}

/** Stop the bridge when no entry reaches it any more; undefined when none runs. */
export async function retireBridge(
  machine: Machine,
  state: State,
  environments: readonly Environment[],
  options: { dryRun: boolean },
): Promise<BridgeRetirement | undefined> {
  const running = await findBridge(machine, environments);
  if (!running) return undefined;
  const base = { env: running.env.id, pid: running.pid };
  const holders = bridgeEntryHolders(state);
  if (holders.length > 0) return { ...base, action: "kept", entries: holders };
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
