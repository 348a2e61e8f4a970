/**
 * The HTTP sessions of the bridge: one SDK transport (and the server or router of its endpoint)
 * per `Mcp-Session-Id`, opened by `initialize`, closed by DELETE, by the session policy when the
 * caps are reached (session-policy.ts), or after a day idle.
 */
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { credentialOf } from "./credential.js";
import type { Endpoint } from "./endpoint.js";
import { evictionFor, SESSION_CAPS, type SessionCaps } from "./session-policy.js";
import type { SessionInfo } from "./session-server.js";
import { HttpSessionTransport, SESSION_LIMITS, type SessionLimits } from "./session-transport.js";

export const SESSION_IDLE_MS = 24 * 60 * 60 * 1000;

export interface Session extends SessionInfo {
  transport: HttpSessionTransport;
  server: { close(): Promise<void> };
  /** Requests after initialize (see session-policy.ts). */
  calls: number;
  /** The credential that opened it (credential.ts): no other one reaches it. */
  credential: string;
}

export class SessionTable {
  readonly #sessions = new Map<string, Session>();
  readonly #caps: SessionCaps;
  readonly #log: (line: string) => void;
  readonly #limits: SessionLimits;
  #sweep: NodeJS.Timeout | null = null;

  constructor(
    caps: SessionCaps = SESSION_CAPS,
    log: (line: string) => void = () => {},
    limits: SessionLimits = SESSION_LIMITS,
  ) {
    this.#caps = caps;
    this.#log = log;
    this.#limits = limits;
  }

  /**
   * The session with this id at this endpoint, if any, when `credential` opened it: to another
   * credential it does not exist (a session id someone learnt is of no use to them).
   */
  get(id: string | undefined, endpoint: string, credential: string): Session | undefined {
    const session = id === undefined ? undefined : this.#sessions.get(id);
    return session?.endpoint === endpoint && session.credential === credential ? session : undefined;
  }

  /** A new session for `client`, making room first when the caps say so. */
  async open(endpoint: Endpoint, client: string, headers: IncomingHttpHeaders = {}): Promise<Session> {
    const victim = evictionFor(
      [...this.#sessions.values()].map((s) => ({
        id: s.id,
        client: s.client,
        lastSeen: s.lastSeen.getTime(),
        calls: s.calls,
      })),
      client,
      this.#caps,
    );
    const evicted = victim && this.#sessions.get(victim.id);
    // The room is taken before anything is awaited: opens arriving together each see the others'
    // sessions, so none picks a victim already gone and the caps hold exactly.
    if (evicted) {
      this.#log(
        `session ${evicted.id.slice(0, 8)} of ${evicted.client} closed to make room for one of ${client}`,
      );
      this.#sessions.delete(evicted.id);
    }
    const id = randomUUID();
    const transport = new HttpSessionTransport(id, this.#limits);
    const now = new Date();
    const session: Session = {
      id,
      endpoint: endpoint.path,
      client,
      since: now,
      lastSeen: now,
      transport,
      server: { close: async () => {} },
      calls: 0,
      credential: credentialOf(headers),
    };
    this.#sessions.set(id, session);
    transport.onclose = () => {
      if (this.#sessions.get(id) === session) this.#sessions.delete(id);
    };
    transport.onerror = (error) => this.#log(`session ${id.slice(0, 8)}: ${error.message}`);
    if (evicted) await shut(evicted);
    try {
      session.server = await endpoint.connect(transport, headers);
    } catch (error) {
      this.#sessions.delete(id);
      await transport.close().catch(() => {});
      throw error;
    }
    return session;
  }

  async close(session: Session): Promise<void> {
    if (this.#sessions.get(session.id) !== session) return;
    this.#sessions.delete(session.id);
    await shut(session);
  }

  /** Close the sessions idle for longer than a day at `now`. */
  async closeIdle(now = Date.now()): Promise<void> {
    const cutoff = now - SESSION_IDLE_MS;
    const idle = [...this.#sessions.values()].filter((s) => s.lastSeen.getTime() < cutoff);
    await Promise.all(idle.map((s) => this.close(s)));
  }

  /** `closeIdle` once a minute (the timer does not keep the process alive). */
  startSweeping(): void {
    this.#sweep = setInterval(() => void this.closeIdle(), 60_000);
    this.#sweep.unref();
  }

  async closeAll(): Promise<void> {
    if (this.#sweep) clearInterval(this.#sweep);
    await Promise.all([...this.#sessions.values()].map((s) => this.close(s)));
  }

  info(): SessionInfo[] {
    return [...this.#sessions.values()].map(({ id, endpoint, client, since, lastSeen }) => ({
      id,
      endpoint,
      client,
      since,
      lastSeen,
    }));
  }
}

/** A session's transport and server, closed (it is out of the table already). */
async function shut(session: Session): Promise<void> {
  await session.transport.close().catch(() => {});
  await session.server.close().catch(() => {});
}
