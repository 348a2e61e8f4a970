/**
 * The bridge after `uninstall`: once no client config holds its entry nothing reaches it, so uninstall
 * stops it through the lifecycle's own stop (only the process holding the bridge's state lock).
 */
import {
  type BridgeFiles,
  bridgeFiles,
  bridgeFilesThere,
  bridgeHome,
  ownedInstance,
  reach,
  readInstance,
} from "../bridge-link/index.js";
import type { Machine } from "../environments/machine.js";
import type { Environment } from "../environments/types.js";
import type { State, TargetRecord } from "../ledger/state.js";
import { bridgeEntryHolders, targetName } from "./bridge-entries.js";
import { keepersOf, stopBridge } from "./lifecycle.js";

export interface BridgeRetirement {
  /**
   * stopped: this run stopped it; planned: it would (a dry run); kept: client configs still hold
   * its entry, so it keeps running; failed: it could not be stopped from here (`fix` says how).
   */
  action: "stopped" | "planned" | "kept" | "failed";
  env: string;
  /** None: no bridge ran, only what would have started one again (`loops`). */
  pid?: number;
  /** The processes that would have started it again (its keeper). */
  loops?: number[];
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
  const files = bridgeFiles(bridgeHome(machine.host));
  const running = await findBridge(files, environments);
  if (!running) return undefined;
  const base = {
    env: running.env.id,
    ...(running.pid !== undefined ? { pid: running.pid } : {}),
    ...(running.loops ? { loops: running.loops } : {}),
  };
  const unreadable = (options.unreadable ?? []).map(targetName);
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
    const stopped = await stopBridge({ files });
    if (!stopped) return undefined; // it ended meanwhile
    return {
      ...base,
      action: "stopped",
      ...(stopped.forced ? { forced: true } : {}),
      ...(stopped.loops ? { loops: stopped.loops } : {}),
    };
  }
  if (machine.local.kind !== "windows")
    return { ...base, action: "failed", error: `it runs in ${running.env.id}`, fix };
  try {
    const { stopAnyway } = await import("./control.js");
    const report = await stopAnyway(machine, { manifest: undefined, log: () => {} });
    if (!report.stopped) return undefined;
    return {
      ...base,
      action: "stopped",
      ...(report.stopped.pid !== undefined ? { pid: report.stopped.pid } : {}),
      ...(report.stopped.forced ? { forced: true } : {}),
    };
  } catch (error) {
    return { ...base, action: "failed", error: error instanceof Error ? error.message : String(error), fix };
  }
}

/**
 * A bridge of this home that runs: here, the process holding the state lock; on the other side,
 * one whose serve.json is there and that answers with that side's token. Else, none running here,
 * what would start one again (a keeper whose bridge crashed or keeps failing): what uninstall must
 * end too, or a bridge comes back.
 */
async function findBridge(
  here: BridgeFiles,
  environments: readonly Environment[],
): Promise<{ env: Environment; pid?: number; here: boolean; loops?: number[] } | undefined> {
  const local = environments.find((e) => e.local);
  const info = local ? await ownedInstance(here) : null;
  if (local && info) return { env: local, pid: info.pid, here: true };
  for (const env of environments) {
    if (env.local || !env.home) continue;
    const files = bridgeFilesThere(env);
    const info = files ? await readInstance(files) : null;
    if (files && info && (await reach(files, info.url)).state === "ours")
      return { env, pid: info.pid, here: false };
  }
  const loops = local ? keepersOf(here) : [];
  return local && loops.length > 0 ? { env: local, here: true, loops } : undefined;
}
