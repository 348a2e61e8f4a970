/**
 * Which session goes when a new one would exceed the caps. Fair to every client: a token holder that
 * opens sessions by the hundred, under any client names, evicts its own first, never the others'.
 */
export interface SessionUse {
  id: string;
  client: string;
  /** Who opened it (credential.ts): a client is its credential and the name its initialize gave. */
  credential: string;
  /** Last request. */
  lastSeen: Date;
  /** Requests after `initialize`. */
  calls: number;
}

export type SessionCaps = { max: number; perClient: number };

export const SESSION_CAPS: SessionCaps = { max: 1000, perClient: 100 };

const lru = <T extends SessionUse>(list: T[]): T | undefined =>
  list.sort((a, b) => a.lastSeen.getTime() - b.lastSeen.getTime())[0];

/**
 * The session to close so that `client` (its initialize's name) can open one more under
 * `credential`, or undefined when there is room: past `perClient` of that client (a credential and
 * a name), its own least recently used; past `max` in all, one that never made a call after
 * `initialize` (a probe, a flood), else the least recently used of the credential holding the most.
 * An evicted session's next request gets 404; a relay (`connect`) then opens a new one unnoticed.
 */
export function evictionFor<T extends SessionUse>(
  sessions: Iterable<T>,
  client: string,
  credential: string,
  caps: SessionCaps = SESSION_CAPS,
): T | undefined {
  const all = [...sessions];
  const own = all.filter((s) => s.client === client && s.credential === credential);
  if (own.length >= caps.perClient) return lru(own);
  if (all.length < caps.max) return undefined;
  const unused = lru(all.filter((s) => s.calls === 0));
  if (unused) return unused;
  const held = new Map<string, number>();
  for (const s of all) held.set(s.credential, (held.get(s.credential) ?? 0) + 1);
  const most = Math.max(...held.values());
  return lru(all.filter((s) => held.get(s.credential) === most));
}
