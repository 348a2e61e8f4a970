/**
 * Which tools of a server's list clients get (pure): those whose definition is the one pinned;
 * a changed, new or flagged one is held back, with why. Worked out once per list and pins.
 */
import { RPC } from "../jsonrpc/codes.js";
import { own } from "../plain-records.js";
import { type Flag, scanList } from "./injection-scan.js";
import type { PinBook, ServerPins } from "./pin-file.js";
import { defHash, type ListedTool, listedTools, pinnedDef } from "./tool-pin.js";

/** Why a tool is held back: its definition is not the one pinned (changed), none is (new), or it is flagged. */
export interface HeldTool {
  why: "changed" | "new" | "flagged";
  /** What the scan found in it (none: only changed or new). */
  flags: readonly Flag[];
}

export interface Verdict {
  /** The tools clients get, in the list's order. */
  visible: readonly ListedTool[];
  held: ReadonlyMap<string, HeldTool>;
}

/**
 * The verdict on one list. `pins` undefined: the server was never pinned (no sync has listed it
 * yet), so only what the scan flags is held. A tool whose definition is the one pinned is never
 * held: the person approved it as it is.
 */
export function judge(
  pins: ServerPins | undefined,
  tools: readonly ListedTool[],
  others: ReadonlySet<string> = NO_TOOLS,
): Verdict {
  const flagged = scanList(tools, others);
  const held = new Map<string, HeldTool>();
  for (const tool of tools) {
    const flags = flagged.get(tool.name) ?? [];
    const pin = pins?.tools[tool.name];
    const unread = flags.some((f) => f.rule === "too-large");
    if (pin && !unread && pin.hash === defHash(pinnedDef(tool))) continue;
    if (!pins) {
      if (flags.length > 0) held.set(tool.name, { why: "flagged", flags });
    } else held.set(tool.name, { why: pin ? "changed" : flags.length > 0 ? "flagged" : "new", flags });
  }
  return { visible: held.size === 0 ? tools : tools.filter((t) => !held.has(t.name)), held };
}

/** No pins at all (the server was never pinned): the key of its verdicts. */
const UNPINNED: object = {};
const NO_TOOLS: ReadonlySet<string> = new Set();
/** By the other servers' tools the list was scanned against, then by pins, then by list. */
const verdicts = new WeakMap<object, WeakMap<object, WeakMap<object, Verdict>>>();
/**
 * The lists last judged under each pins, with their verdicts (4: a server whose list keeps changing
 * holds no more here): a running server answers each tools/list with a new object, which is compared
 * with them (a few ms for 358 real tools) before it is judged again (scan and hash: 20–24 ms).
 */
const judged = new WeakMap<
  object,
  WeakMap<object, Array<{ tools: readonly ListedTool[]; verdict: Verdict }>>
>();
const LISTS_KEPT = 4;

/** The map under `key` in `maps`, made when there is none. */
function under<V>(maps: WeakMap<object, WeakMap<object, V>>, key: object): WeakMap<object, V> {
  let map = maps.get(key);
  if (!map) {
    map = new WeakMap();
    maps.set(key, map);
  }
  return map;
}

/**
 * judge, remembered for this list (by object, else by an equal list), these pins and these other
 * servers' tools (`others`, setupTools' set: the same object while the book is): a call looks it
 * up, never hashes again.
 */
export function verdictOf(
  pins: ServerPins | undefined,
  list: object,
  others: ReadonlySet<string> = NO_TOOLS,
): Verdict {
  const key = pins ?? UNPINNED;
  const byList = under(under(verdicts, others), key);
  let verdict = byList.get(list);
  if (!verdict) {
    const tools = listedTools(list) ?? [];
    const byPins = under(judged, others);
    const kept = byPins.get(key) ?? [];
    byPins.set(key, kept);
    const same = kept.find((k) => sameJson(k.tools, tools, 0));
    const held = same?.verdict.held;
    verdict = held
      ? { visible: held.size === 0 ? tools : tools.filter((t) => !held.has(t.name)), held }
      : judge(pins, tools, others);
    if (!same) kept.unshift({ tools, verdict });
    kept.length = Math.min(kept.length, LISTS_KEPT);
    byList.set(list, verdict);
  }
  return verdict;
}

/** What the gateway holds back of a server's list: its verdict under the server's pins, with the others' tools in `book`. */
export function heldIn(book: PinBook, server: string, list: object): ReadonlyMap<string, HeldTool> {
  return verdictOf(own(book, server), list, setupTools(book, server)).held;
}

const setups = new WeakMap<PinBook, Map<string, ReadonlySet<string>>>();

/**
 * The tools of the person's other servers, as pinned in `book` (sync pins every server it lists):
 * what an order about another server's tool is checked against. One set per book and server.
 */
function setupTools(book: PinBook, server: string): ReadonlySet<string> {
  let byServer = setups.get(book);
  if (!byServer) {
    byServer = new Map();
    setups.set(book, byServer);
  }
  let names = byServer.get(server);
  if (!names) {
    names = new Set(
      Object.entries(book).flatMap(([s, pins]) => (s === server ? [] : Object.keys(pins.tools))),
    );
    byServer.set(server, names);
  }
  return names;
}

/** Whether two JSON values are equal; past a depth of 64 they are taken as different (judged again, bounded). */
function sameJson(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || depth > 64) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i] as string;
    if (
      k !== kb[i] ||
      !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1)
    )
      return false;
  }
  return true;
}

/** The fix a held tool's error and every report name. */
const approveFix = (server: string) => `mcp-twin tools --approve ${server}`;

/**
 * The error for a call to a tool held back (`found`; none: the call goes on), as an unknown tool's
 * (-32602), saying why without quoting what the server wrote (the model reads errors too).
 */
export function heldRefusal(
  name: string,
  tool: string,
  found: HeldTool | undefined,
): { code: number; message: string; data: { held: HeldTool["why"]; fix: string } } | undefined {
  if (!found) return undefined;
  const why =
    found.why === "changed"
      ? "its definition changed since it was approved"
      : found.why === "new"
        ? `it is new since ${name}'s tools were approved`
        : "its description holds words aimed at the model";
  const flagged =
    found.why !== "flagged" && found.flags.length > 0 ? ", and holds words aimed at the model" : "";
  return {
    code: RPC.invalidParams,
    message: `the tool "${tool}" of ${name} is held back: ${why}${flagged}. To see the change and approve it: \`${approveFix(name)}\``,
    data: { held: found.why, fix: approveFix(name) },
  };
}

/** Whether two pins of a server approve the same tools as they are. */
function samePins(a: ServerPins | undefined, b: ServerPins | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const names = Object.keys(a.tools);
  return (
    names.length === Object.keys(b.tools).length &&
    names.every((n) => own(b.tools, n)?.hash === a.tools[n]?.hash)
  );
}

/**
 * The gateway's pins replaced by those a reload read (none: an empty book, every server unpinned),
 * and the servers whose pins that changed — none on the first load: their sessions list their
 * tools again, and tools on demand indexes them again.
 */
export function repin(holder: { pins: PinBook | undefined }, pins: PinBook | undefined): string[] {
  const before = holder.pins;
  const now = pins ?? {};
  holder.pins = now;
  if (!before) return [];
  const names = new Set([...Object.keys(before), ...Object.keys(now)]);
  return [...names].filter((n) => !samePins(own(before, n), own(now, n)));
}
