/**
 * The HTTP sessions of the bridge: one transport (and its endpoint's route) per `Mcp-Session-Id`,
 * from `initialize` (or a sealed id after a restart) until DELETE or its client is gone.
 */
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { InitializeRequest } from "@modelcontextprotocol/server";
import { type Clock, realClock, type Timer } from "./clock.js";
import { credentialOf } from "./credential.js";
import type { Endpoint } from "./endpoint.js";
import { Unavailable } from "./http-guards.js";
import { evictionFor, SESSION_CAPS, type SessionCaps } from "./session-policy.js";
import { keptHeaders, type SealedSession, type SessionSeal } from "./session-seal.js";
import { HttpSessionTransport } from "./session-transport.js";

/** What of its endpoint a session uses (the table's tests give no 2026-07-28 handler). */
type SessionEndpoint = Pick<Endpoint, "path" | "sessionHeaders" | "connect">;

export const SESSION_IDLE_MS = 24 * 60 * 60 * 1000;

/**
 * With no stream open and no request for this long, a session's client left without a DELETE (most
 * send none). Under 60 s: a `session` server's process goes within a minute of its client.
 */
export const SESSION_GRACE_MS = 50_000;

/** What `bridge_status` and `GET /control/status` say of one session. */
export interface SessionInfo {
  id: string;
  endpoint: string;
  client: string;
  since: Date;
  lastSeen: Date;
  /** Whether its GET stream is open now (none: not told). */
  streaming?: boolean;
}

export interface Session extends SessionInfo {
  transport: HttpSessionTransport;
  server: { close(): Promise<void> };
  /** Requests after initialize (see session-policy.ts). */
  calls: number;
  /** The credential that opened it (credential.ts): no other one reaches it. */
  credential: string;
  timer?: Timer | undefined;
  /** Opened again from its sealed id. */
  restored?: boolean;
}

export interface SessionTableOptions {
  caps?: SessionCaps;
  log?: (line: string) => void;
  graceMs?: number;
  /** So a restarted bridge opens its sessions again (none: random ids). */
  seal?: SessionSeal;
  clock?: Clock;
}

/**
 * Opened by `initialize` or a sealed id a restart forgot; closed by DELETE, after SESSION_GRACE_MS
 * without a stream or request, at the caps (session-policy.ts), or after a day idle.
 */
export class SessionTable {
  readonly #sessions = new Map<string, Session>();
  readonly #caps: SessionCaps;
  readonly #log: (line: string) => void;
  readonly #graceMs: number;
  readonly #seal: SessionSeal | undefined;
  /** Sealed ids being opened again: requests arriving together share one. */
  readonly #restoring = new Map<string, Promise<Session | undefined>>();
  readonly #clock: Clock;
  #sweep: Timer | null = null;

  constructor(options: SessionTableOptions = {}) {
    this.#caps = options.caps ?? SESSION_CAPS;
    this.#log = options.log ?? (() => {});
    this.#graceMs = options.graceMs ?? SESSION_GRACE_MS;
    this.#seal = options.seal;
    this.#clock = options.clock ?? realClock;
  }

  /** The session with this id at this endpoint, if `credential` opened it: a learnt id is of no use. */
  get(id: string | undefined, endpoint: string, credential: string): Session | undefined {
    // One being opened again is not served yet: a request for it waits in `restore`.
    if (id !== undefined && this.#restoring.has(id)) return undefined;
    const session = id === undefined ? undefined : this.#sessions.get(id);
    return session?.endpoint === endpoint && session.credential === credential ? session : undefined;
  }

  /**
   * The session a sealed `id` names, opened again as if its client had just initialized; undefined
   * when the id does not unseal for this endpoint and credential, expired, or was ended on purpose.
   */
  restore(id: string, endpoint: SessionEndpoint, headers: IncomingHttpHeaders): Promise<Session | undefined> {
    // Unsealed first: a re-open in progress is shared only with requests that could have opened it.
    const sealed = this.#seal?.unseal(id, headers);
    if (!sealed || sealed.endpoint !== endpoint.path) return Promise.resolve(undefined);
    const pending = this.#restoring.get(id);
    if (pending) return pending;
    if (this.#sessions.has(id)) return Promise.resolve(undefined);
    const opening = this.#reopen(id, sealed, endpoint, headers).finally(() => this.#restoring.delete(id));
    this.#restoring.set(id, opening);
    return opening;
  }

  /** Whether a DELETE of this unknown id ends a session a restart forgot (one being opened: once open). */
  async forgotten(id: string, endpoint: SessionEndpoint, headers: IncomingHttpHeaders): Promise<boolean> {
    const sealed = this.#seal?.unseal(id, headers);
    if (!sealed || sealed.endpoint !== endpoint.path) return false;
    this.#seal?.end(id);
    // Its failing to open is told to the request that was opening it.
    const reopened = await this.#restoring.get(id)?.catch(() => undefined);
    if (reopened) await this.close(reopened);
    return true;
  }

  async #reopen(
    id: string,
    sealed: SealedSession,
    endpoint: SessionEndpoint,
    headers: IncomingHttpHeaders,
  ): Promise<Session | undefined> {
    const seen = sealed.headers ? { ...headers, ...sealed.headers } : headers;
    const session = await this.open(endpoint, sealed.init.clientInfo.name, seen, { id });
    // Its initialize said again to its route, which keeps what the client can do (the answer goes nowhere).
    const params = sealed.init as Record<string, unknown>;
    session.transport.onmessage?.({ jsonrpc: "2.0", id: "mcp-twin-restore", method: "initialize", params });
    session.transport.onmessage?.({ jsonrpc: "2.0", method: "notifications/initialized" });
    session.restored = true;
    this.#log(`session ${id.slice(0, 8)} of ${session.client} opened again from its id`);
    return session;
  }

  /** A new session, room made first at the caps; its id seals `init`; `id`: a sealed one reopened. */
  async open(
    endpoint: SessionEndpoint,
    client: string,
    headers: IncomingHttpHeaders = {},
    from: { init?: InitializeRequest["params"]; id?: string } = {},
  ): Promise<Session> {
    const credential = credentialOf(headers);
    const evicted = evictionFor(this.#sessions.values(), client, credential, this.#caps);
    // Room taken before any await: opens arriving together see each other, so the caps hold exactly.
    if (evicted) {
      this.#log(
        `session ${evicted.id.slice(0, 8)} of ${evicted.client} closed to make room for one of ${client}`,
      );
      this.#forget(evicted);
      this.#seal?.end(evicted.id);
    }
    const id = from.id ?? this.#newId(endpoint, headers, from.init);
    const transport = new HttpSessionTransport(id, { clock: this.#clock });
    const now = new Date(this.#clock.now());
    const session: Session = {
      id,
      endpoint: endpoint.path,
      client,
      since: now,
      lastSeen: now,
      transport,
      server: { close: async () => {} },
      calls: 0,
      credential,
    };
    this.#sessions.set(id, session);
    transport.onclose = () => this.#forget(session);
    transport.onerror = (error) => this.#log(`session ${id.slice(0, 8)}: ${error.message}`);
    transport.onquiet = () => this.#quiet(session);
    if (evicted) await shut(evicted);
    try {
      session.server = await endpoint.connect(transport, headers);
    } catch (error) {
      this.#forget(session);
      // The error that failed the session is thrown below; closing is best effort.
      await transport.close().catch(() => {});
      throw error;
    }
    // Evicted while being set up: its client is told (503), not left waiting on a closed transport.
    if (this.#sessions.get(id) !== session) {
      await shut(session);
      throw new Unavailable(
        `Service Unavailable: this session was closed to make room for a newer one of ${client} (each client holds a limited number) while it was being set up; try again`,
      );
    }
    return session;
  }

  touch(session: Session): void {
    session.lastSeen = new Date(this.#clock.now());
    this.#quiet(session);
  }

  /** Its grace timer stopped, and armed again when no stream of it is open. */
  #quiet(session: Session): void {
    session.timer?.cancel();
    session.timer = undefined;
    if (this.#sessions.get(session.id) !== session || session.transport.openStreams > 0) return;
    const check = () => {
      session.timer = undefined;
      if (this.#sessions.get(session.id) !== session || session.transport.openStreams > 0) return;
      const left = session.lastSeen.getTime() + this.#graceOf(session) - this.#clock.now();
      if (left > 0) {
        session.timer = this.#clock.after(left, check);
        return;
      }
      this.#log(
        `session ${session.id.slice(0, 8)} of ${session.client} ended: no stream open and no request for ${Math.round(this.#graceOf(session) / 1000)} s (its client is gone)`,
      );
      void this.close(session);
    };
    session.timer = this.#clock.after(this.#graceOf(session), check);
  }

  /**
   * A reopened session whose client has not opened its GET stream since keeps the day: an SDK client
   * opens it only after `initialize`, so else it would lose the session at each idle grace.
   */
  #graceOf(session: Session): number {
    return session.restored && !session.transport.hadStream ? SESSION_IDLE_MS : this.#graceMs;
  }

  #newId(
    endpoint: SessionEndpoint,
    headers: IncomingHttpHeaders,
    init?: InitializeRequest["params"],
  ): string {
    if (!this.#seal || !init) return randomUUID();
    const kept = keptHeaders(headers, endpoint.sessionHeaders);
    const sealed = this.#seal.seal(
      {
        endpoint: endpoint.path,
        init: {
          protocolVersion: init.protocolVersion,
          clientInfo: { name: init.clientInfo.name, version: init.clientInfo.version },
          capabilities: init.capabilities,
        },
        ...(kept ? { headers: kept } : {}),
      },
      headers,
    );
    return sealed ?? randomUUID();
  }

  /** The one way out of the table: its grace timer goes too (its closure holds the transport). */
  #forget(session: Session): boolean {
    session.timer?.cancel();
    session.timer = undefined;
    if (this.#sessions.get(session.id) !== session) return false;
    this.#sessions.delete(session.id);
    return true;
  }

  /** Closed by its client (DELETE): its id stays closed, after a restart too. */
  async delete(session: Session): Promise<void> {
    this.#seal?.end(session.id);
    await this.close(session);
  }

  async close(session: Session): Promise<void> {
    if (this.#forget(session)) await shut(session);
  }

  async closeIdle(now = this.#clock.now()): Promise<void> {
    const cutoff = now - SESSION_IDLE_MS;
    const idle = [...this.#sessions.values()].filter((s) => s.lastSeen.getTime() < cutoff);
    await Promise.all(idle.map((s) => this.close(s)));
  }

  startSweeping(): void {
    this.#sweep = this.#clock.every(60_000, () => void this.closeIdle());
  }

  async closeAll(): Promise<void> {
    this.#sweep?.cancel();
    await Promise.all([...this.#sessions.values()].map((s) => this.close(s)));
    await this.#seal?.flushed();
  }

  info(): SessionInfo[] {
    const seen = ({ id, endpoint, client, since, lastSeen, transport }: Session) => {
      return { id, endpoint, client, since, lastSeen, streaming: transport.streaming };
    };
    return [...this.#sessions.values()].map(seen);
  }
}

async function shut(session: Session): Promise<void> {
  // Out of the table already: what fails to close is closed by its client's end.
  await session.transport.close().catch(() => {});
  await session.server.close().catch(() => {});
}
