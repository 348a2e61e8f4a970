/**
 * Which session goes when a new one would exceed the caps. Fair to every client: a token holder that
 * opens sessions by the hundred evicts its own first, never the others' working sessions.
 */
export interface SessionUse {
  id: string;
  client: string;
  /** Last request. */
  lastSeen: Date;
  /** Requests after `initialize`. */
  calls: number;
}

export interface SessionCaps {
  max: number;
  perClient: number;
}

export const SESSION_CAPS: SessionCaps = { max: 1000, perClient: 100 };

const lru = <T extends SessionUse>(list: T[]): T | undefined =>
  list.reduce<T | undefined>(
    (a, b) => (a === undefined || b.lastSeen.getTime() < a.lastSeen.getTime() ? b : a),
    undefined,
  );

/**
 * The session to close so that `client` can open one more, or undefined when there is room.
 *
 * - One client (by its `initialize` name) holds at most `perClient` sessions: past that, its own
 *   least recently used one goes.
 * - Past `max` in all: a session that never made a call after `initialize` goes first (a probe, a
 *   flood); else the least recently used session of the client holding the most.
 * An evicted session's next request gets 404, and a relay (`connect`) then opens a new one without
 * its client noticing.
 */
export function evictionFor<T extends SessionUse>(
  sessions: Iterable<T>,
  client: string,
  caps: SessionCaps = SESSION_CAPS,
): T | undefined {
  const all = [...sessions];
  const byClient = new Map<string, T[]>();
  for (const s of all) {
    const list = byClient.get(s.client);
    if (list) list.push(s);
    else byClient.set(s.client, [s]);
  }
  const own = byClient.get(client) ?? [];
  if (own.length >= caps.perClient) return lru(own);
  if (all.length < caps.max) return undefined;
  const unused = lru(all.filter((s) => s.calls === 0));
  if (unused) return unused;
  let most = 0;
  for (const list of byClient.values()) most = Math.max(most, list.length);
  return lru([...byClient.values()].filter((list) => list.length === most).flat());
}
