/**
 * The socket-level limits of the bridge's HTTP listener: header, body and keep-alive timeouts, a
 * connection cap that sheds untrusted sockets first, and the slots per credential.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { RPC } from "../core/jsonrpc/codes.js";
import { idleIsNotSlow } from "../core/system/idle-connections.js";
import { type Refusal, TRY_AGAIN } from "./http-guards.js";

/** So that clients without the token can never exhaust the bridge's file descriptors or starve those with it. */
export interface ConnectionLimits {
  /** Time for a request's headers to arrive (slow-header clients). */
  headersTimeoutMs: number;
  /** Time for a whole request (headers and body) to arrive (slow-body clients). */
  requestTimeoutMs: number;
  /** Idle time of a kept-alive connection between requests. */
  keepAliveTimeoutMs: number;
  /** Open connections at most, but those set aside (limitConnections says which goes). */
  maxConnections: number;
  /** Requests to the MCP endpoints one credential may have in flight (each holds a connection). */
  slotsPerCredential: number;
  /**
   * Connections no MCP request may take, every credential's together: the control routes and a
   * new client always find one.
   */
  controlRoom: number;
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 30_000,
  maxConnections: 512,
  // A quarter of the connections: 600 calls that never end, of one client (3 sessions × 200, under
  // the 256 a session may have in flight), locked every client out, `/control/status` included.
  slotsPerCredential: 128,
  controlRoom: 64,
};

/** The answer to an MCP request past its credential's slots, or past what all may hold. */
const noSlot = (message: string): Refusal => ({
  status: 503,
  code: RPC.serverError,
  message: `Service Unavailable: ${message}; wait for answers before sending more`,
  headers: TRY_AGAIN,
  close: true,
});

/** Connections set aside unread past the cap (other accounts', peer-check.ts) at most. */
const STRANGER_ROOM = 2048;

/** How often Node checks the header and request timeouts (its default, 30 s, is too lax). */
export const CHECK_INTERVAL_MS = 1000;

/**
 * Apply the limits to a server; returns `trust(socket)`, called when a request on a socket
 * presented the token, and `slot(res, credential)`, asked by each request to an MCP endpoint: a
 * refusal when its credential holds `slotsPerCredential` requests in flight, or all of them
 * together all but `controlRoom` connections; else the slot is held until the answer ends.
 * Over the cap goes the oldest untrusted connection not known to be the user's account's, else
 * untrusted, else idle, else the new one; with `owner` (peer-check.ts), set aside unread while its
 * account is asked: the user's comes back. Closed, a flood's came back at once: the churn filled
 * the accept queue (the user's SYNs sent again 1 s later) and reset the user's new connections.
 */
export function limitConnections(
  server: Server,
  limits: ConnectionLimits,
  owner?: (socket: Socket) => true | Promise<boolean>,
) {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  idleIsNotSlow(server, { headersMs: limits.headersTimeoutMs, keepAliveMs: limits.keepAliveTimeoutMs });
  /** The connections under the cap, and those set aside: each oldest first. */
  const sockets = new Set<Socket>();
  const aside = new Set<Socket>();
  const trusted = new WeakSet<Socket>();
  const own = new WeakSet<Socket>();
  /** Requests in flight on each connection (any route). */
  const busy = new Map<Socket, number>();
  server.on("request", ({ socket }: IncomingMessage, res: ServerResponse) => holdUntil(res, busy, socket));
  const oldest = (pick: (s: Socket) => boolean) => {
    for (const s of sockets) if (pick(s)) return s;
  };
  const admit = (socket: Socket) => {
    sockets.add(socket);
    if (sockets.size <= limits.maxConnections) return;
    const shed =
      oldest((s) => s !== socket && !trusted.has(s) && !own.has(s)) ??
      oldest((s) => s !== socket && !trusted.has(s)) ??
      oldest((s) => s !== socket && !busy.has(s)) ??
      socket;
    sockets.delete(shed);
    const allowed = !own.has(shed) && !trusted.has(shed) && owner?.(shed);
    if (!allowed) return void shed.destroy();
    aside.add(shed.pause());
    for (const first of aside) if (aside.size <= STRANGER_ROOM || !aside.delete(first.destroy())) break;
    void Promise.resolve(allowed).then((ok) => {
      if (ok && aside.delete(shed)) admit(own.add(shed) && shed.resume());
    });
  };
  server.on("connection", (socket: Socket) => {
    socket.once("close", () => {
      for (const set of [sockets, aside, busy]) set.delete(socket);
    });
    admit(socket);
  });
  const held = new Map<string, number>();
  let total = 0;
  return {
    trust: (socket: Socket) => trusted.add(socket),
    slot(res: ServerResponse, credential: string): Refusal | null {
      const mine = held.get(credential) ?? 0;
      if (mine >= limits.slotsPerCredential)
        return noSlot(
          `this credential already has ${limits.slotsPerCredential} requests in flight (the most one may have)`,
        );
      const all = Math.max(1, limits.maxConnections - limits.controlRoom);
      if (total >= all)
        return noSlot(`the bridge already has ${all} requests in flight (the most all clients may have)`);
      holdUntil(res, held, credential);
      total++;
      res.once("close", () => total--);
      return null;
    },
  };
}

/** One more of `key` in `counts` until `res` closes (a key at none is gone). */
function holdUntil<K>(res: ServerResponse, counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
  res.once("close", () => {
    const left = (counts.get(key) ?? 1) - 1;
    if (left > 0) counts.set(key, left);
    else counts.delete(key);
  });
}
