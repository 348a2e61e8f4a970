/**
 * The fix for a bridge port another program holds (another home's bridge, or anything else): a
 * sync, which moves the gateway to a free port — or, for a port the manifest pins, a port that is
 * free now, named, and the manifest edit that moves the bridge there.
 */
import { portOpen } from "../bridge-link/index.js";

/** How far above the held port to look for a free one. */
const SPAN = 50;

/** The first port above `port` that nothing accepts connections on now (undefined: none near). */
export async function freePortNear(host: string, port: number): Promise<number | undefined> {
  for (let p = port + 1; p <= Math.min(port + SPAN, 65_535); p++)
    if (!(await portOpen(host, p, 500))) return p;
  return undefined;
}

/**
 * `put "port": 7761 in the "bridge" section of <manifest> ("bridge": { "port": 7761 }; port 7761 is
 * free now), then run `mcp-twin sync`` — what works, where `mcp-twin bridge start` would fail the
 * same way.
 */
export function movePortFix(manifestFile: string, free: number | undefined): string {
  const port = free ?? "<a free port>";
  return `put "port": ${port} in the "bridge" section of ${manifestFile} (\`"bridge": { "port": ${port} }\`${free ? `; port ${free} is free now` : ""}), then run \`mcp-twin sync\``;
}

/**
 * The fix for a held port as a sentence of its own: pinned (`bridge.port`), the manifest edit
 * (`Give the bridge another port: put …`); a port the home chose, a sync — it moves the gateway off
 * a port another program holds and points the entries there (port-choice.ts).
 */
export function heldPortSentence(pinned: boolean, manifestFile: string, free: number | undefined): string {
  if (pinned) return `Give the bridge another port: ${movePortFix(manifestFile, free)}.`;
  return `Run \`mcp-twin sync\`: it moves this home's gateway to a free port${free ? ` (port ${free} is free now)` : ""} and points the entries there.`;
}
