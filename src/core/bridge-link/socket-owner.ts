/**
 * Which user account holds the other end of a loopback TCP connection, from /proc/net/tcp{,6}
 * (Linux and WSL): the row whose local end is the connection's peer carries its owner's uid.
 */
import { existsSync, readSync } from "node:fs";
import path from "node:path";
import { openForReading } from "../system/files.js";
import { addressKey } from "./proof.js";

/** One end of a TCP connection: an address as Node spells it (IPv4-mapped IPv6 as IPv4), a port. */
export interface Endpoint {
  address: string;
  port: number;
}

/**
 * A /proc/net/tcp{,6} address (`0100007F:1F90`, or 32 hex digits for IPv6) as an Endpoint. The
 * kernel prints each 32-bit word of the address in the host's byte order: on a little-endian host
 * (x86, arm64) its bytes are reversed. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes a.b.c.d.
 */
export function parseProcAddress(
  text: string,
  // node:os when used, not imported: every relay loads this module (bench/relay.ts).
  littleEndian = process.getBuiltinModule("node:os").endianness() === "LE",
): Endpoint | undefined {
  const colon = text.indexOf(":");
  const hex = text.slice(0, colon);
  const port = Number.parseInt(text.slice(colon + 1), 16);
  if (colon === -1 || !/^[0-9A-Fa-f]+$/.test(hex) || (hex.length !== 8 && hex.length !== 32))
    return undefined;
  if (!Number.isInteger(port)) return undefined;
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(w + i, w + i + 2), 16));
    bytes.push(...(littleEndian ? word.reverse() : word));
  }
  if (bytes.length === 4) return { address: bytes.join("."), port };
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return { address: bytes.slice(12).join("."), port };
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  // The URL parser writes it as Node does: the longest run of zero groups (two or more) as `::`.
  return { address: new URL(`http://[${groups.join(":")}]/`).hostname.slice(1, -1), port };
}

/** Who holds a socket: its uid, and whether it is orphaned (closed by its process: inode 0). */
export interface SocketOwner {
  uid: number;
  /** No process holds it any more (closed, in FIN_WAIT or TIME_WAIT): its uid says nothing. */
  orphan: boolean;
}

const NEWLINE = 0x0a;

/**
 * What is kept of a table: the rows that name the bridge's port, as text (a busy host's table whole
 * was most of the bridge's garbage: performance.md), by their local end's port (`:1F90`): a read
 * answers for hundreds of connections under a flood (500 in 4,000 rows: 676 ms scanned, 43 ms so).
 */
export type SocketTable = ReadonlyMap<string, readonly string[]>;

/** What a table is read through: one such piece a read, one read of each table at a time (peer-check.ts). */
const TABLE_PIECE = 64 * 1024;

/**
 * The owner of the socket whose local end is `peer` and remote end is `local`, in the rows of
 * /proc/net/tcp or tcp6 (a row a process holds before an orphan's); undefined when no row has them.
 */
export function ownerIn(table: SocketTable, peer: Endpoint, local: Endpoint): SocketOwner | undefined {
  const peerAddress = addressKey(peer.address);
  const localAddress = addressKey(local.address);
  const peerPort = `:${hexPort(peer.port)}`;
  const localPort = `:${hexPort(local.port)}`;
  let found: SocketOwner | undefined;
  for (const row of table.get(peerPort) ?? []) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    const cols = row.trim().split(/\s+/);
    const [, from = "", to = "", , , , , uid = "", , inode = ""] = cols;
    if (cols.length < 10 || !from.endsWith(peerPort) || !to.endsWith(localPort)) continue;
    if (parseProcAddress(from)?.address !== peerAddress || parseProcAddress(to)?.address !== localAddress)
      continue;
    const n = Number(uid);
    if (!Number.isInteger(n)) continue;
    if (inode !== "0") return { uid: n, orphan: false };
    found ??= { uid: n, orphan: true };
  }
  return found;
}

/** A port as the tables print it: four upper-case hex digits. */
export const hexPort = (port: number) => port.toString(16).toUpperCase().padStart(4, "0");

/** /proc/net/tcp and tcp6 are there to read (Linux, WSL): the check can be made. */
export function canTellOwners(proc = "/proc"): boolean {
  return existsSync(path.join(proc, "net", "tcp"));
}

/**
 * The rows of /proc/net/tcp or tcp6 naming `port` as an end (none when it cannot be read). At 4 KiB a
 * read, a swollen table's 600 reads, each through the thread pool, took up to 0.9 s on 2 loaded cores:
 * here in slices of SLICE_MS (Date.now: reading `performance` loads perf_hooks), the loop running between.
 */
export async function readSocketTable(
  table: "tcp" | "tcp6",
  port: number,
  proc = "/proc",
): Promise<SocketTable> {
  const mark = Buffer.from(`:${hexPort(port)} `, "latin1");
  const rows = new Map<string, string[]>();
  try {
    const file = await openForReading(path.join(proc, "net", table));
    const piece = Buffer.allocUnsafeSlow(TABLE_PIECE);
    try {
      // The start of a row the last read cut off, moved to the front of the piece.
      let carried = 0;
      for (let slice = Date.now(); ; ) {
        if (Date.now() - slice > SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          slice = Date.now();
        }
        const bytesRead = readSync(file.fd, piece, carried, TABLE_PIECE - carried, null);
        const filled = carried + bytesRead;
        // A row longer than the piece (none is: about 150 bytes in tcp, 180 in tcp6) is cut.
        const rowsEnd = bytesRead === 0 ? filled : piece.lastIndexOf(NEWLINE, filled - 1) + 1 || filled;
        keepRows(piece.subarray(0, rowsEnd), mark, rows);
        if (bytesRead === 0) return rows;
        piece.copyWithin(0, rowsEnd, filled);
        carried = filled - rowsEnd;
      }
    } finally {
      await file.close();
    }
  } catch {
    // Part of a table could lack the row: none is read.
    return new Map();
  }
}
const SLICE_MS = 4;

/** Each row of `bytes` holding `mark`, as text (the piece they are in is read into again). */
function keepRows(bytes: Buffer, mark: Buffer, into: Map<string, string[]>): void {
  for (let at = bytes.indexOf(mark); at !== -1; ) {
    const start = bytes.lastIndexOf(NEWLINE, at) + 1;
    const newline = bytes.indexOf(NEWLINE, at);
    const end = newline === -1 ? bytes.length : newline;
    const row = bytes.toString("latin1", start, end);
    const port = / *\S+ +\S+(:[0-9A-F]{4}) /.exec(row)?.[1] ?? "";
    const rows = into.get(port);
    if (rows) rows.push(row);
    else into.set(port, [row]);
    at = newline === -1 ? -1 : bytes.indexOf(mark, end);
  }
}

/**
 * The owner of the socket at the peer end of a loopback connection (`peer`: its remote address and
 * port as the bridge's socket sees them, `local`: the bridge's end): looked up in tcp, then (for an
 * IPv6 peer, or an IPv4 one that tcp does not name) in tcp6, each table from `read`; undefined when
 * neither has it (the peer is outside this network namespace's view — a Windows program through
 * WSL's mirrored networking — or was reset).
 */
export async function socketOwner(
  read: (table: "tcp" | "tcp6") => Promise<SocketTable>,
  peer: Endpoint,
  local: Endpoint,
): Promise<SocketOwner | undefined> {
  const v4 = !addressKey(peer.address).includes(":");
  // An IPv4 peer's socket is in tcp, or (an IPv6 socket speaking to a mapped address) in tcp6.
  const inTcp = v4 ? ownerIn(await read("tcp"), peer, local) : undefined;
  return inTcp && !inTcp.orphan ? inTcp : (ownerIn(await read("tcp6"), peer, local) ?? inTcp);
}
