/**
 * Which port this home's gateway listens on: `bridge.port` when the manifest pins it; else the one
 * the home recorded (7760 before the first start), moved to a free one when another program holds
 * it — and, for a held port, the fix to say (a sync; for a pinned one, the manifest edit).
 */
import {
  type BridgeFiles,
  bridgeUrl,
  heldWords,
  ownedInstance,
  portOpen,
  reach,
} from "../bridge-link/index.js";
import { recordPort } from "./port-record.js";
import { type BridgeSettings, settingsAt } from "./settings.js";

export interface PortChoice {
  port: number;
  /** It differs from what the home recorded (or nothing was): the home's record is to be written. */
  record: boolean;
  /** It moved off the port it had, which another program holds (named). */
  moved?: { from: number; what: string };
  /** The port stays although another program holds it (pinned, or no free port near): what. */
  taken?: { what: string };
}

/** What holds a port when it is not this home's bridge (undefined: nothing, it, or it cannot be told). */
export type HeldBy = (port: number) => Promise<string | undefined>;

/** How far above the held port to look for a free one. */
const SPAN = 50;

/** The first port above `port` that nothing accepts connections on now (undefined: none near). */
export async function freePortNear(host: string, port: number): Promise<number | undefined> {
  for (let p = port + 1; p <= Math.min(port + SPAN, 65_535); p++)
    if (!(await portOpen(host, p, 500))) return p;
}

/**
 * The fix for a held port, when the manifest pins it: `put "port": 7761 in the "bridge" section of
 * <manifest> ("bridge": { "port": 7761 }; port 7761 is free now), then run `mcp-twin sync`` — what
 * works, where `mcp-twin bridge start` would fail the same way.
 */
export function movePortFix(manifestFile: string, free: number | undefined): string {
  const port = free ?? "<a free port>";
  return `put "port": ${port} in the "bridge" section of ${manifestFile} (\`"bridge": { "port": ${port} }\`${free ? `; port ${free} is free now` : ""}), then run \`mcp-twin sync\``;
}

/**
 * The fix for a held port as a sentence of its own: pinned (`bridge.port`), the manifest edit
 * (`Give the bridge another port: put …`); a port the home chose, a sync — it moves the gateway off
 * a port another program holds and points the entries there (choosePort).
 */
export function heldPortSentence(pinned: boolean, manifestFile: string, free: number | undefined): string {
  if (pinned) return `Give the bridge another port: ${movePortFix(manifestFile, free)}.`;
  return `Run \`mcp-twin sync\`: it moves this home's gateway to a free port${free ? ` (port ${free} is free now)` : ""} and points the entries there.`;
}

/**
 * The choice, from the settings (resolveBridgeSettings) and a way to name what holds a port: a
 * pinned port stays; a port this home's bridge holds, or nothing does, stays (and is recorded
 * when it was not); a port another program holds is left for the first free one above it.
 */
export async function choosePort(
  settings: Pick<BridgeSettings, "host" | "port" | "pinned" | "recorded">,
  heldBy: HeldBy,
): Promise<PortChoice> {
  const what = await heldBy(settings.port);
  const record = !settings.pinned && settings.recorded !== settings.port;
  if (!what) return { port: settings.port, record };
  if (settings.pinned) return { port: settings.port, record: false, taken: { what } };
  const free = await freePortNear(settings.host, settings.port);
  if (free === undefined) return { port: settings.port, record: false, taken: { what } };
  return { port: free, record: true, moved: { from: settings.port, what } };
}

/**
 * What holds a port here when it is not this home's bridge: its lock and serve.json say it is
 * (no request), nothing accepts connections, or what answers proves it is; otherwise what answers,
 * named (and, on Linux and WSL, its pid and command line).
 */
export function localHolder(ctx: { files: BridgeFiles; proc?: string | undefined }, host: string): HeldBy {
  return async (port) => {
    if ((await ownedInstance(ctx.files))?.port === port) return undefined;
    const probe = await reach(ctx.files, bridgeUrl(host, port), { proc: ctx.proc });
    return probe.state === "other" ? heldWords(probe.what, probe.holder) : undefined;
  };
}

/**
 * A start here (`bridge start|restart`, `serve --http` without `--port`): the port chosen now, and
 * recorded in the home when that is new (a move is the caller's to say: startMovedLine).
 */
export async function choosePortHere(
  ctx: Parameters<typeof localHolder>[0],
  settings: BridgeSettings,
  recordFile: string,
): Promise<{ settings: BridgeSettings; choice: PortChoice }> {
  const choice = await choosePort(settings, localHolder(ctx, settings.host));
  if (choice.record) await recordPort(recordFile, choice.port);
  const at = settingsAt(settings, choice.port);
  return { settings: choice.record ? { ...at, recorded: choice.port } : at, choice };
}

/**
 * What a start that moved the gateway says: the entries sync wrote name the old port until the next
 * sync (a relay among them follows the gateway meanwhile: relay/bridge-target.ts).
 */
export function startMovedLine(moved: { from: number; to: number; what: string }, kept: string): string {
  return `Port ${moved.from} is held by ${moved.what}: this home's gateway moved to port ${moved.to} (kept in ${kept}); run \`mcp-twin sync\` to point the clients' entries there.`;
}
