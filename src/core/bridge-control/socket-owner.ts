/**
 * Which user account holds the other end of a loopback TCP connection, from /proc/net/tcp{,6}
 * (Linux and WSL): the row whose local end is the connection's peer carries its owner's uid.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Environment } from "../environments/types.js";

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
  littleEndian = os.endianness() === "LE",
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
  return { address: compressIpv6(groups), port };
}

/** `0:0:0:0:0:0:0:1` → `::1`: the longest run of zero groups (two or more) as `::`. */
function compressIpv6(groups: string[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length; ) {
    let j = i;
    while (j < groups.length && groups[j] === "0") j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  if (best === -1) return groups.join(":");
  return `${groups.slice(0, best).join(":")}::${groups.slice(best + bestLen).join(":")}`;
}

/** Node's spelling of an address, as parseProcAddress gives it (`::ffff:127.0.0.1` → `127.0.0.1`). */
export function plainAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith("::ffff:") && lower.includes(".") ? lower.slice(7) : lower;
}

/** Who holds a socket: its uid, and whether it is orphaned (closed by its process: inode 0). */
export interface SocketOwner {
  uid: number;
  /** No process holds it any more (closed, in FIN_WAIT or TIME_WAIT): its uid says nothing. */
  orphan: boolean;
}

/**
 * The owner of the socket whose local end is `peer` and remote end is `local`, in the text of
 * /proc/net/tcp or tcp6 (a row a process holds before an orphan's); undefined when no row has them.
 */
export function ownerIn(table: string, peer: Endpoint, local: Endpoint): SocketOwner | undefined {
  const peerAddress = plainAddress(peer.address);
  const localAddress = plainAddress(local.address);
  // The ports first, as text: most rows are ruled out without parsing an address.
  const peerPort = `:${peer.port.toString(16).toUpperCase().padStart(4, "0")}`;
  const localPort = `:${local.port.toString(16).toUpperCase().padStart(4, "0")}`;
  let found: SocketOwner | undefined;
  for (const line of table.split("\n")) {
    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
    const cols = line.trim().split(/\s+/);
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

/** /proc/net/tcp and tcp6 are there to read (Linux, WSL): the check can be made. */
export function canTellOwners(proc = "/proc"): boolean {
  return existsSync(path.join(proc, "net", "tcp"));
}

/**
 * Does a bridge in `env` tell the user account of each loopback connection (what `serve` decides
 * by canTellOwners at its start): Linux or WSL with /proc/net/tcp — here, under `proc` (the host's
 * sysroot's); across the line, as the environment's files are reached (`\\wsl.localhost\…`).
 */
export function ownersToldIn(env: Pick<Environment, "kind" | "local" | "access">, proc: string): boolean {
  if (env.kind !== "linux" && env.kind !== "wsl") return false;
  if (env.local) return canTellOwners(proc);
  const file = env.access("/proc/net/tcp");
  return file !== undefined && existsSync(file);
}

/**
 * /proc/net/tcp or tcp6 as text ("" when it cannot be read). Read off the event loop: the kernel
 * walks its whole connection table to write either (tens of ms on a busy host).
 */
export function readSocketTable(table: "tcp" | "tcp6", proc = "/proc"): Promise<string> {
  return readFile(path.join(proc, "net", table), "utf8").catch(() => "");
}

/**
 * The owner of the socket at the peer end of a loopback connection (`peer`: its remote address and
 * port as the bridge's socket sees them, `local`: the bridge's end): looked up in tcp, then (for an
 * IPv6 peer, or an IPv4 one that tcp does not name) in tcp6, each table from `read`; undefined when
 * neither has it (the peer is outside this network namespace's view — a Windows program through
 * WSL's mirrored networking — or was reset).
 */
export async function socketOwner(
  read: (table: "tcp" | "tcp6") => Promise<string>,
  peer: Endpoint,
  local: Endpoint,
): Promise<SocketOwner | undefined> {
  const v4 = !plainAddress(peer.address).includes(":");
  // An IPv4 peer's socket is in tcp, or (an IPv6 socket speaking to a mapped address) in tcp6.
  const inTcp = v4 ? ownerIn(await read("tcp"), peer, local) : undefined;
  if (inTcp && !inTcp.orphan) return inTcp;
  return ownerIn(await read("tcp6"), peer, local) ?? inTcp;
}
