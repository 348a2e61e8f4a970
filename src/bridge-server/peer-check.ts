/**
 * Who may connect, by the user account of the connecting process (Linux and WSL): decided once per
 * connection from /proc/net/tcp{,6}, so a credential another account captured is useless to it.
 */
import type { Socket } from "node:net";
import { readSocketTable, type SocketTable, socketOwner } from "../core/bridge-link/index.js";
import { isLoopback } from "../core/system/loopback.js";

/** Who may connect, by the user account of the connecting process (Linux and WSL). */
export interface PeerRule {
  /** The /proc to read (`MCP_TWIN_SYSROOT`'s in tests). */
  proc: string;
  /** The accounts whose connections are taken: the bridge's own, and root. */
  uids: readonly number[];
  /**
   * A connection no /proc/net/tcp row names is taken (WSL: a Windows program's connection through
   * mirrored networking has no socket here); elsewhere it is refused (its peer reset it at once).
   */
  unnamed: boolean;
}

type Ends = Pick<Socket, "remoteAddress" | "remotePort" | "localAddress" | "localPort">;

/**
 * Decides once per connection whether the account holding its other end may use the bridge: a
 * loopback connection whose other end a process of another user account holds (its uid in
 * /proc/net/tcp{,6}) is refused, whatever it presents, so a credential another account captured is
 * useless to it; so is one whose other end no process holds any more. Non-loopback connections
 * (`--allow-remote`) are not judged here. `accepted(socket)` on each new connection; `allowed` is
 * true at once for a connection decided before, else a promise. A read costs tens of ms on a busy
 * host (performance.md): one at a time answers for all accepted before it began. Asked of requests
 * whose credential passed and of connections past the cap: a request without one costs no read.
 */
export function peerCheck(rule: PeerRule): {
  accepted(socket: Socket): void;
  allowed(socket: Socket): true | Promise<boolean>;
} {
  const decided = new WeakMap<Socket, boolean | Promise<boolean>>();
  /** Both ends, taken when it is accepted (one reset since has none to give), and the reads begun then. */
  const ends = new WeakMap<Socket, Ends>();
  const acceptedAt = new WeakMap<Socket, number>();
  let reads = 0;
  /** Per table and port: the read in flight, and the one to begin when it ends. */
  const inFlight = new Map<string, { number: number; text: Promise<SocketTable> }>();
  const queued = new Map<string, Promise<SocketTable>>();
  const begin = (table: "tcp" | "tcp6", port: number, key: string) => {
    queued.delete(key);
    const current = { number: ++reads, text: readSocketTable(table, port, rule.proc) };
    inFlight.set(key, current);
    void current.text.finally(() => inFlight.get(key) === current && inFlight.delete(key));
    return current.text;
  };
  /** `table`'s rows of connections to the bridge's `port`, from a read begun after `socket` was accepted. */
  const tableFor = (socket: Socket, port: number) => (table: "tcp" | "tcp6") => {
    const key = `${table} ${port}`;
    const read = inFlight.get(key);
    if (!read) return begin(table, port, key);
    if (read.number >= (acceptedAt.get(socket) ?? Number.POSITIVE_INFINITY)) return read.text;
    const next = queued.get(key) ?? read.text.then(() => begin(table, port, key));
    queued.set(key, next);
    return next;
  };
  const decide = async (socket: Socket): Promise<boolean> => {
    const { remoteAddress, remotePort, localAddress, localPort } = ends.get(socket) ?? socket;
    // Gone before its ends were known: nobody to answer, and nothing it asked is done.
    if (!remoteAddress || !localAddress || !remotePort || !localPort) return false;
    if (!isLoopback(remoteAddress)) return true;
    const owner = await socketOwner(
      tableFor(socket, localPort),
      { address: remoteAddress, port: remotePort },
      { address: localAddress, port: localPort },
    );
    return owner ? !owner.orphan && rule.uids.includes(owner.uid) : rule.unnamed;
  };
  return {
    accepted(socket) {
      acceptedAt.set(socket, reads + 1);
      const { remoteAddress, remotePort, localAddress, localPort } = socket;
      ends.set(socket, { remoteAddress, remotePort, localAddress, localPort });
    },
    allowed(socket) {
      let known = decided.get(socket);
      if (known === true) return true;
      if (known === undefined) {
        // An owner that cannot be told is not allowed (the connection is refused).
        known = decide(socket).catch(() => false);
        decided.set(socket, known);
        void known.then((ok) => decided.set(socket, ok));
      }
      return Promise.resolve(known);
    },
  };
}
