/**
 * Room for a new key (a session's, a folder's) on a shared server (pure): one credential holds at
 * most half of the keys, so a client that names folders or sessions by the hundred makes room from
 * its own and never fills the server for the others; a key with nothing in flight goes first.
 */

/** The keys a `session` or `project` server (or `/tools`) holds at once. */
export const MAX_KEYS = 256;

/** A key held: whose credential made it, how long nothing named it, and whether it is in use now. */
export interface HeldKey {
  key: string;
  holder: string;
  idleMs: number;
  /** A call in flight, a start under way, or a session (or listen) attached. */
  inUse: boolean;
}

/**
 * The key to forget so that `holder` may make one more (`{}`: there is room): the idlest not in
 * use of its own once it holds half, else of all once they are `max`. `full` when none can go:
 * `own` (its own half is in use), `all` (every key is).
 */
export function roomFor(
  keys: readonly HeldKey[],
  holder: string,
  max = MAX_KEYS,
): { forget?: string } | { full: "own" | "all" } {
  const own = keys.filter((k) => k.holder === holder);
  const mine = own.length >= max / 2;
  if (!mine && keys.length < max) return {};
  let idlest: HeldKey | undefined;
  for (const k of mine ? own : keys) if (!k.inUse && (!idlest || k.idleMs > idlest.idleMs)) idlest = k;
  return idlest ? { forget: idlest.key } : { full: mine ? "own" : "all" };
}

/** Why a new key is refused: every key in use, or this client's half. */
export function fullWhy(mode: string, full: "own" | "all"): string {
  const [what, until] =
    mode === "project"
      ? ["project folders", "one is not (no call in flight, no session on it)"]
      : ["sessions", "one ends"];
  const whose =
    full === "all"
      ? `this server already holds ${MAX_KEYS} ${what}`
      : `this client already holds ${MAX_KEYS / 2} ${what} of this server (a client holds at most half of its ${MAX_KEYS})`;
  return `Service Unavailable: ${whose}, each of them in use: try again once ${until}`;
}
