/**
 * A server's list against its pins (pure): each tool new, changed or removed since they were
 * approved, with what the scan flags in it, and the pins once some of those changes are approved.
 */
import { dict } from "../plain-records.js";
import { type Flag, scanList } from "./injection-scan.js";
import type { PinBook, ServerPins } from "./pin-file.js";
import { defHash, type ListedTool, type PinnedDef, pinnedDef } from "./tool-pin.js";

export interface ToolChange {
  tool: string;
  /** new: no pin (a first pinning leaves a flagged tool unpinned, so it stays new until approved). */
  kind: "new" | "changed" | "removed";
  /** What the scan finds in the tool as listed now. */
  flags: readonly Flag[];
  /** As approved (none: new). */
  before?: PinnedDef;
  /** As listed now (none: removed). */
  after?: PinnedDef;
}

/** Each definition changesOf hashed, by the object it made (an approval pins it without hashing again). */
const hashes = new WeakMap<object, string>();

/**
 * What differs between the pins (none: never approved, every tool is new) and the list now; `others`:
 * the tools of the person's other servers (setupOf), what an order about another's tool is checked against.
 */
export function changesOf(
  pins: ServerPins | undefined,
  tools: readonly ListedTool[],
  others: ReadonlySet<string> = new Set(),
): ToolChange[] {
  const flagged = scanList(tools, others);
  const out: ToolChange[] = [];
  const listed = new Set<string>();
  for (const tool of tools) {
    if (listed.has(tool.name)) continue;
    listed.add(tool.name);
    const flags = flagged.get(tool.name) ?? [];
    // One past the bounds is kept by its name alone (never hashed: it would exhaust the stack).
    const unread = flags.some((f) => f.rule === "too-large");
    const after = unread ? { name: tool.name } : pinnedDef(tool);
    const hash = defHash(after);
    hashes.set(after, hash);
    const pin = pins?.tools[tool.name];
    if (pin && !unread && pin.hash === hash) continue;
    out.push({
      tool: tool.name,
      kind: pin ? "changed" : "new",
      flags,
      ...(pin ? { before: pin.def } : {}),
      after,
    });
  }
  for (const [name, pin] of Object.entries(pins?.tools ?? {}))
    if (!listed.has(name)) out.push({ tool: name, kind: "removed", flags: [], before: pin.def });
  return out;
}

/** What an approval stamps on the pins: when, and the launch and version it was for. */
export interface Stamp {
  at: string;
  launch?: string | undefined;
  version?: string | undefined;
}

/**
 * The pins once the changes `take` accepts are approved (a removed tool always goes: it is listed
 * to no one). The first pinning of a server and an update the person asked for take every change
 * the scan does not flag; the person's own approval takes them all.
 */
export function approve(
  pins: ServerPins | undefined,
  changes: readonly ToolChange[],
  take: (change: ToolChange) => boolean,
  stamp: Stamp,
): ServerPins {
  const tools = dict(pins?.tools ?? {});
  for (const c of changes) {
    if (c.kind === "removed") delete tools[c.tool];
    else if (c.after && take(c))
      tools[c.tool] = { hash: hashes.get(c.after) ?? defHash(c.after), def: c.after };
  }
  return {
    ...(stamp.launch !== undefined ? { launch: stamp.launch } : {}),
    ...(stamp.version !== undefined ? { version: stamp.version } : {}),
    at: stamp.at,
    tools,
  };
}

/** The scan finds nothing in it: what a first pinning and an update take without asking. */
export const unflagged = (c: ToolChange) => c.flags.length === 0;

/** The tools of every server but `server` the person has, as their lists are known now and as pinned. */
export function setupOf(
  server: string,
  lists: ReadonlyMap<string, { tools: readonly ListedTool[] }>,
  book: PinBook,
): ReadonlySet<string> {
  const names = new Set<string>();
  for (const [name, list] of lists) if (name !== server) for (const t of list.tools) names.add(t.name);
  for (const [name, pins] of Object.entries(book))
    if (name !== server) for (const tool of Object.keys(pins.tools)) names.add(tool);
  return names;
}
