/**
 * Room for a new key (a session's, a folder's) on a shared server (pure): one credential holds at
 * most half, so a client naming them by the hundred makes room from its own, never the others'.
 */

/** The keys a `session` or `project` server (or `/tools`) holds at once. */
export const MAX_KEYS = 256;

/** A key held: whose credential made it, how long nothing named it, whether a start, call or session uses it. */
export type HeldKey = { key: string; holder: string; idleMs: number; inUse: boolean };

/**
 * The key to forget so that `holder` may make one more (none: room): the idlest not in use of its
 * own once it holds half, else of all once they are `max`; `full`: why none can go.
 */
export function roomFor(keys: HeldKey[], holder: string, what: string, max = MAX_KEYS) {
  const own = keys.filter((k) => k.holder === holder);
  const from = own.length >= max / 2 ? own : keys.length >= max ? keys : [];
  const idlest = from.filter((k) => !k.inUse).sort((a, b) => b.idleMs - a.idleMs)[0];
  if (idlest || from.length === 0) return { forget: idlest?.key };
  const whose =
    from === own
      ? `this client already holds ${from.length} ${what} of this server (at most half of its ${max})`
      : `this server already holds ${max} ${what}`;
  return {
    full: `Service Unavailable: ${whose}, each of them in use: try again once one is not (no call in flight, no session on it)`,
  };
}
