/**
 * A no-op sync's gateway step without a round trip: the running bridge of this side has recorded
 * that it runs what this very fingerprint stands for, with nothing left to warm.
 * Anything else (no record, another fingerprint, another or no bridge) goes the whole way (gateway-sync.ts).
 */

import { type BridgeFiles, beatMs, ownedInstance } from "../bridge-link/index.js";
import type { Context } from "../context/context.js";
import { type BridgeWiring, localBridgeFiles } from "../entries/bridge-wiring.js";
import { AUTOSTART_FORMAT } from "../ledger/state.js";
import { own } from "../plain-records.js";
import { modifiedAt, readTextOrNull } from "../system/files.js";
import { getEnv } from "../system/host.js";
import { installedAutostart } from "./autostart-present.js";
import { gatewayFingerprint } from "./gateway-fingerprint.js";
import type { GatewayReport } from "./gateway-sync.js";

/**
 * The gateway's report when the bridge that holds its state folder now (alive, its lock, the very
 * start serve.json names, still beating) recorded this fingerprint after a sync's
 * reload read all it runs and its warm found nothing to do (bridge-server/main.ts writes it, any
 * reload removes it first). Undefined: sync asks the bridge, as before. `fingerprint`: the one
 * computed here, for that reload.
 */
export async function currentGateway(
  ctx: Context,
  wiring: BridgeWiring,
): Promise<{ report?: GatewayReport; fingerprint?: string }> {
  if (ctx.located.scope !== "user" || !wiring.env.local || wiring.taken) return {};
  const fingerprint = await gatewayFingerprint(ctx, getEnv(ctx.machine.host.env, "PATH"));
  const files = localBridgeFiles(ctx.machine);
  const [text, running] = await Promise.all([
    readTextOrNull(files.current),
    wiring.running !== undefined ? wiring.running : ownedInstance(files),
  ]);
  const record = recordOf(text);
  // Its version needs no look: the fingerprint holds this mcp-twin's, sent only to a bridge of
  // the program's own version (gateway-sync.ts restarts any other first).
  const same =
    running !== null &&
    own(record, "pid") === running.pid &&
    own(record, "startedAt") === running.startedAt &&
    own(record, "fingerprint") === fingerprint &&
    // Alive and locked but stuck (SIGSTOP, a blocked loop): it has stopped beating, and is asked.
    beatFresh(files, ctx.machine.host.env);
  // The start at logon as a sync that writes nothing says it, unless it has more to do then (gateway-sync.ts).
  const autostart = ctx.state.autostart;
  const plain = !autostart || (autostart.kind !== "xdg-autostart" && autostart.format === AUTOSTART_FORMAT);
  if (!same || !running || !plain) return { fingerprint };
  const report: GatewayReport = {
    shares: wiring.shares.map((s) => s.name),
    ...(wiring.toolSearch ? { toolSearch: true as const } : {}),
    gateway: { state: "current", url: wiring.url, pid: running.pid },
    warmed: [],
    warmFailed: [],
    ...(wiring.unhosted.length ? { unhosted: wiring.unhosted } : {}),
  };
  const shown = installedAutostart(ctx);
  if (shown) report.autostart = shown;
  return { report, fingerprint };
}

/**
 * Whether it beat within 3 beats (a loop late by a GC pause or a slow disk under load is not stuck):
 * by the wall clock file times use, never a test's host clock.
 */
function beatFresh(files: BridgeFiles, env: Record<string, string | undefined>): boolean {
  return Date.now() - (modifiedAt(files.instance) ?? 0) <= 3 * beatMs(env);
}

/** current.json as data (one edited by anyone is only data): an object, else nothing. */
function recordOf(text: string | null): Readonly<Record<string, unknown>> | undefined {
  try {
    const value: unknown = JSON.parse(text ?? "");
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // no record, or not JSON: nothing it says counts
  }
}
