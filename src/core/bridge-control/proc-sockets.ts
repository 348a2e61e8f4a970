/**
 * Which process holds a TCP socket, from /proc (Linux and WSL): the kernel's socket tables
 * (/proc/net/tcp, tcp6) give each socket's addresses, state and inode; /proc/<pid>/fd says which
 * inodes a process holds. Pure parsing apart from the reads. Only sync reads: these run before a
 * credential is sent, where each millisecond of a relay's start counts.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";

export interface SocketRow {
  /** Canonical address (see addressKey) and port of each end. */
  local: { address: string; port: number };
  remote: { address: string; port: number };
  listening: boolean;
  inode: string;
}

/** An address in one spelling: IPv4 (also IPv4-mapped IPv6) dotted, IPv6 as 8 groups of 4 hex. */
export function addressKey(ip: string): string {
  const text = ip.replace(/^\[|\]$/g, "").toLowerCase();
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return text;
  const mapped = /^(?:0{1,4}:){0,5}(?:0{0,4}:)?:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (mapped) return mapped[1]!;
  const [head = "", tail] = text.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array(Math.max(0, 8 - left.length - right.length)).fill("0");
  const groups = [...left, ...fill, ...right].map((g) => g.padStart(4, "0"));
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{4}$/.test(g))) return text;
  if (groups.slice(0, 5).every((g) => g === "0000") && groups[5] === "ffff") {
    const n = Number.parseInt(groups[6]! + groups[7]!, 16);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
  }
  return groups.join(":");
}

/** The kernel's hex spelling (`0100007F:1E50`, little-endian words) as an address key and port. */
export function procEndpoint(hex: string): { address: string; port: number } {
  const [addr = "", port = "0"] = hex.split(":");
  const bytes: number[] = [];
  for (let w = 0; w < addr.length; w += 8)
    for (let b = 6; b >= 0; b -= 2) bytes.push(Number.parseInt(addr.slice(w + b, w + b + 2), 16));
  const address =
    bytes.length === 4
      ? bytes.join(".")
      : addressKey(
          Array.from({ length: 8 }, (_, i) =>
            ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16).padStart(4, "0"),
          ).join(":"),
        );
  return { address, port: Number.parseInt(port, 16) };
}

/** The rows of /proc/net/tcp or tcp6. */
export function parseSocketTable(text: string): SocketRow[] {
  const rows: SocketRow[] = [];
  for (const line of text.split("\n").slice(1)) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    rows.push({
      local: procEndpoint(cols[1]!),
      remote: procEndpoint(cols[2]!),
      listening: cols[3] === "0A",
      inode: cols[9]!,
    });
  }
  return rows;
}

/** Every TCP socket of this network namespace; null when /proc has no tables (not Linux). */
export function socketTable(proc: string): SocketRow[] | null {
  let found = false;
  const rows: SocketRow[] = [];
  for (const table of ["tcp", "tcp6"]) {
    try {
      rows.push(...parseSocketTable(readFileSync(path.join(proc, "net", table), "utf8")));
      found = true;
    } catch {
      // no IPv6, or not Linux
    }
  }
  return found ? rows : null;
}

/** The socket inodes `pid` holds; null when its descriptors cannot be read (another user's). */
export function socketInodes(pid: number, proc: string): Set<string> | null {
  const dir = path.join(proc, String(pid), "fd");
  let fds: string[];
  try {
    fds = readdirSync(dir);
  } catch {
    return null;
  }
  const inodes = new Set<string>();
  for (const fd of fds) {
    try {
      const link = readlinkSync(path.join(dir, fd));
      if (link.startsWith("socket:[")) inodes.add(link.slice(8, -1));
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

const WILDCARDS = new Set(["0.0.0.0", addressKey("::")]);

/** Does a socket listening at `listener` take connections made to `address`? */
export function listenerCovers(listener: string, address: string): boolean {
  if (listener === address) return true;
  if (listener === "0.0.0.0") return address.includes(".");
  // An IPv6 wildcard also takes IPv4 unless the socket is IPv6-only, which Node does not ask for.
  return WILDCARDS.has(listener);
}

/** The listening sockets of `pid` on `port` (their addresses), from the tables. */
export function listenersOf(rows: SocketRow[], inodes: Set<string>, port: number): string[] {
  return rows
    .filter((r) => r.listening && r.local.port === port && inodes.has(r.inode))
    .map((r) => r.local.address);
}

export interface Connection {
  localAddress?: string | undefined;
  localPort?: number | undefined;
  remoteAddress?: string | undefined;
  remotePort?: number | undefined;
}

/**
 * Is the far end of this connection held by `pid`? The far end's socket once it is accepted;
 * before that (inode 0: still in the accept queue), the listening socket it queues on.
 */
export function peerHeldBy(rows: SocketRow[], inodes: Set<string>, socket: Connection): boolean {
  if (!socket.remoteAddress || !socket.localAddress) return false;
  const far = { address: addressKey(socket.remoteAddress), port: socket.remotePort };
  const near = { address: addressKey(socket.localAddress), port: socket.localPort };
  const same = (a: { address: string; port: number }, b: { address: string; port?: number | undefined }) =>
    a.address === b.address && a.port === b.port;
  const accepted = rows.find((r) => !r.listening && same(r.local, far) && same(r.remote, near));
  if (accepted && accepted.inode !== "0") return inodes.has(accepted.inode);
  return rows.some(
    (r) =>
      r.listening &&
      r.local.port === far.port &&
      listenerCovers(r.local.address, far.address) &&
      inodes.has(r.inode),
  );
}
