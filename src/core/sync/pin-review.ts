/**
 * Each server's pins against its list as known now — what `mcp-twin tools` shows of them and what
 * `tools --approve` (and sync, on a terminal) asks about — and an approval written: the changes
 * shown, pinned as they were shown, and the running gateway told.
 */
import type { Context } from "../context/context.js";
import type { BridgeWiring } from "../entries/bridge-wiring.js";
import { wireBridge } from "../entries/desired.js";
import { knownVersions, packageServers, readInstalledIndex } from "../packages/installs.js";
import { type Flag, scanList } from "../pins/injection-scan.js";
import { approve, changesOf, setupOf, type ToolChange } from "../pins/pin-changes.js";
import { loadPins, type PinBook, savePins } from "../pins/pin-file.js";
import { own } from "../plain-records.js";
import { withLock } from "../system/files.js";
import { reloadGateway } from "./gateway-sync.js";
import { hostedServers, knownLists, type PinnedFor } from "./pin-tools.js";

export interface PinState {
  server: string;
  /** The gateway runs it: a change of its is held back there. */
  held: boolean;
  /** Its pins (none: never pinned; sync pins it once its list is known). */
  pinned?: { tools: number; at: string; version?: string };
  /** Its list is known (the gateway's cache, or a handshake's); none: never listed here. */
  listed: boolean;
  /** What differs from its pins (never pinned: every tool, new); what an approval takes. */
  changes: ToolChange[];
  /** Every flag of its list now, by tool, approved or not. */
  flags: Array<{ tool: string; flags: readonly Flag[] }>;
  /** What an approval now is for (its launch and version). */
  for?: PinnedFor;
}

/** What the pins are read against: the servers' lists as known now, and the gateway that holds some back. */
export interface PinView {
  states: PinState[];
  wiring: BridgeWiring | undefined;
}

/** Every enabled server's pin state (only those named, when `names` is given), from what is known now. */
export async function pinStates(
  ctx: Pick<Context, "machine" | "manifest" | "allEnvs" | "state" | "servers">,
  names?: readonly string[],
): Promise<PinView> {
  const { machine, manifest } = ctx;
  const wiring = await wireBridge(machine, manifest, ctx.allEnvs, { createToken: false, state: ctx.state });
  const pkgs = packageServers(manifest, ctx.allEnvs);
  const [index, book] = await Promise.all([readInstalledIndex(pkgs), loadPins(machine.paths.pins)]);
  const hosted = hostedServers(ctx.servers, manifest.toolSearch, wiring);
  const lists = await knownLists(ctx, wiring, hosted, index, knownVersions(pkgs, ctx.state));
  const states: PinState[] = [];
  for (const [server] of ctx.servers) {
    if (names && !names.includes(server)) continue;
    const pins = own(book, server);
    const known = lists.get(server);
    const others = setupOf(server, lists, book);
    const flagged = known ? scanList(known.tools, others) : new Map<string, Flag[]>();
    states.push({
      server,
      held: hosted.has(server),
      ...(pins
        ? {
            pinned: {
              tools: Object.keys(pins.tools).length,
              at: pins.at,
              ...(pins.version ? { version: pins.version } : {}),
            },
          }
        : {}),
      listed: known !== undefined,
      changes: known ? changesOf(pins, known.tools, others) : [],
      flags: [...flagged].map(([tool, flags]) => ({ tool, flags })),
      ...(known ? { for: known.for } : {}),
    });
  }
  return { states, wiring };
}

/**
 * The changes shown of these servers approved, as they were shown (a change the server made since
 * waits for the next approval), under the home's lock; then the running gateway reads the pins
 * again. `reloaded`: false when a gateway runs these servers but could not be told (its next
 * reload, at sync, reads them).
 */
export async function approveShown(
  ctx: Context,
  view: PinView,
  servers: readonly string[],
): Promise<{ approved: string[]; reloaded: boolean }> {
  const chosen = view.states.filter((s) => servers.includes(s.server) && s.changes.length > 0);
  if (chosen.length === 0) return { approved: [], reloaded: true };
  const at = ctx.machine.host.now().toISOString();
  await withLock(ctx.machine.home.dir, async () => {
    const book: PinBook = await loadPins(ctx.machine.paths.pins);
    for (const s of chosen)
      book[s.server] = approve(own(book, s.server), s.changes, () => true, { at, ...s.for });
    await savePins(ctx.machine.paths.pins, book);
  });
  let reloaded = true;
  if (view.wiring && chosen.some((s) => s.held))
    reloaded = await reloadGateway(ctx, view.wiring).then(
      (answer) => answer.ok,
      () => false,
    );
  return { approved: chosen.map((s) => s.server), reloaded };
}
