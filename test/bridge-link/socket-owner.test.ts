/**
 * Reading who holds a loopback connection's other end from /proc/net/tcp{,6}
 * (core/bridge-link/socket-owner.ts), on rows captured from a real kernel (6.18, x86_64).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { peerCheck } from "../../src/bridge-server/peer-check.js";
import { addressKey as plainAddress } from "../../src/core/bridge-link/index.js";
import {
  ownerIn,
  parseProcAddress,
  readSocketTable,
  type SocketTable,
  socketOwner,
} from "../../src/core/bridge-link/socket-owner.js";

/** A folder standing for /proc, removed after the file's tests. */
const procs: string[] = [];
afterAll(() => {
  for (const dir of procs) rmSync(dir, { recursive: true, force: true });
});
function procDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-proc-"));
  procs.push(dir);
  return dir;
}

const HEAD4 =
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
const HEAD6 =
  "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
/** A root listener, user 65534's connection to a server on `::` (port 0x835F), a TIME_WAIT row. */
const TCP_TEXT = [
  HEAD4,
  "   0: 0100007F:A699 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 89794 1 000000000f8e1915 100 0 0 10 0",
  "   2: 0100007F:9652 0100007F:835F 01 00000000:00000000 00:00000000 00000000 65534        0 95861 2 0000000022aec06a 20 0 0 10 -1",
  "   3: 0100007F:8098 0100007F:90DF 06 00000000:00000000 03:00000BAE 00000000     0        0 0 3 000000003bbd72d3",
].join("\n");
/** User 65534: a listener on ::1 (0xABEF) and its client (0x83A0, here uid 1000); an IPv6 socket to ::ffff:127.0.0.1. */
const TCP6_TEXT = [
  HEAD6,
  "   0: 00000000000000000000000001000000:ABEF 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 65534        0 95857 1 00000000c4016b2a 100 0 0 10 0",
  "   2: 0000000000000000FFFF00000100007F:9650 0000000000000000FFFF00000100007F:835F 01 00000000:00000000 00:00000000 00000000 65534        0 95860 2 00000000bdfc81d7 20 0 0 10 -1",
  "   3: 00000000000000000000000001000000:83A0 00000000000000000000000001000000:ABEF 01 00000000:00000000 00:00000000 00000000 1000        0 95859 2 000000001e37973c 20 0 0 10 -1",
  "   4: 00000000000000000000000001000000:ABEF 00000000000000000000000001000000:83A0 01 00000000:00000000 00:00000000 00000000 65534        0 95862 1 00000000652ef57a 20 0 0 10 -1",
].join("\n");
/** Rows as readSocketTable keeps them: by their local end's port. */
function byPort(rows: string[]): SocketTable {
  const table = new Map<string, string[]>();
  for (const row of rows) {
    const port = / *\S+ +\S+(:[0-9A-F]{4}) /.exec(row)?.[1] ?? "";
    table.set(port, [...(table.get(port) ?? []), row]);
  }
  return table;
}
const TCP = byPort(TCP_TEXT.split("\n"));
const TCP6 = byPort(TCP6_TEXT.split("\n"));

describe("a /proc/net/tcp address", () => {
  test("IPv4, IPv6, IPv4-mapped and the any-address, each word in a little-endian host's order", () => {
    expect(parseProcAddress("0100007F:9652", true)).toEqual({ address: "127.0.0.1", port: 0x9652 });
    expect(parseProcAddress("00000000000000000000000001000000:ABEF", true)).toEqual({
      address: "::1",
      port: 0xabef,
    });
    expect(parseProcAddress("0000000000000000FFFF00000100007F:9650", true)).toEqual({
      address: "127.0.0.1",
      port: 0x9650,
    });
    expect(parseProcAddress("00000000000000000000000000000000:0000", true)).toEqual({
      address: "::",
      port: 0,
    });
    // fe80::1:2 as a little-endian kernel prints it.
    expect(parseProcAddress("000080FE000000000000000002000100:0001", true)?.address).toBe("fe80::1:2");
    // A big-endian kernel prints the bytes in order.
    expect(parseProcAddress("7F000001:0050", false)).toEqual({ address: "127.0.0.1", port: 80 });
    for (const bad of ["", "0100007F", "XYZ:0050", "0100:0050"])
      expect(parseProcAddress(bad, true), bad).toBeUndefined();
  });

  test("Node's spellings compare equal to /proc's", () => {
    expect(plainAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(plainAddress("::1")).toBe("::1");
    expect(plainAddress("127.0.0.1")).toBe("127.0.0.1");
  });
});

describe("the owner of a connection's other end", () => {
  test("the row whose local end is the peer and remote end the bridge: its uid", () => {
    // As the bridge on `::` sees the IPv4 client: both ends IPv4-mapped.
    const bridge = { address: "::ffff:127.0.0.1", port: 0x835f };
    expect(ownerIn(TCP, { address: "::ffff:127.0.0.1", port: 0x9652 }, bridge)).toEqual({
      uid: 65534,
      orphan: false,
    });
    expect(ownerIn(TCP6, { address: "::ffff:127.0.0.1", port: 0x9650 }, bridge)).toEqual({
      uid: 65534,
      orphan: false,
    });
    // IPv6: the client's row (uid 1000), never the server's own accepted socket (same ports, reversed).
    expect(ownerIn(TCP6, { address: "::1", port: 0x83a0 }, { address: "::1", port: 0xabef })).toEqual({
      uid: 1000,
      orphan: false,
    });
  });

  test("no row, another port or address: none; a row no process holds (TIME_WAIT, inode 0): an orphan", () => {
    const bridge = { address: "127.0.0.1", port: 0x835f };
    expect(ownerIn(TCP, { address: "127.0.0.1", port: 0x9653 }, bridge)).toBeUndefined();
    expect(ownerIn(TCP, { address: "127.0.0.2", port: 0x9652 }, bridge)).toBeUndefined();
    expect(ownerIn(TCP, { address: "127.0.0.1", port: 0x9652 }, { ...bridge, port: 0x835e })).toBeUndefined();
    expect(
      ownerIn(TCP, { address: "127.0.0.1", port: 0x8098 }, { address: "127.0.0.1", port: 0x90df }),
    ).toEqual({
      uid: 0,
      orphan: true,
    });
    expect(ownerIn(new Map(), { address: "127.0.0.1", port: 1 }, bridge)).toBeUndefined();
  });

  test("a busy host's table: read through in pieces, only the rows naming the bridge's port kept; the held row found past rows naming the peer's port elsewhere and an earlier orphan", async () => {
    const row = (sl: number, from: string, to: string, st: string, uid: number, inode: number) =>
      `${String(sl).padStart(5)}: ${from} ${to} ${st} 00000000:00000000 00:00000000 00000000 ${String(uid).padStart(5)}        0 ${inode} 1 0000000000000000 20 0 0 10 -1`;
    const rows = [HEAD4];
    // 5,000 connections to the bridge (port 0x835F) and 5,000 other rows between them.
    for (let i = 0; i < 5000; i++)
      rows.push(
        row(2 * i, `0100007F:${(0x1000 + i).toString(16).toUpperCase()}`, "0100007F:835F", "01", 1000, 1 + i),
        row(2 * i + 1, `0100007F:${(0x1000 + i).toString(16).toUpperCase()}`, "0100007F:1F90", "06", 0, 0),
      );
    // The peer's port (0x9652) elsewhere: as the remote end of the bridge's own socket, at another
    // address, as a local port to another bridge, and closed (TIME_WAIT) before the held row.
    rows.push(row(5000, "0100007F:835F", "0100007F:9652", "01", 65534, 9001));
    rows.push(row(5001, "0200007F:9652", "0100007F:835F", "01", 1000, 9002));
    rows.push(row(5002, "0100007F:9652", "0100007F:835E", "01", 1000, 9003));
    rows.push(row(5003, "0100007F:9652", "0100007F:835F", "06", 0, 0));
    rows.push(row(5004, "0100007F:9652", "0100007F:835F", "01", 4242, 9004));
    const proc = procDir();
    mkdirSync(path.join(proc, "net"));
    const text = rows.join("\n");
    writeFileSync(path.join(proc, "net", "tcp"), text);
    // Read without the global `performance` (its first read loads perf_hooks in a bridge's first request).
    const real = Object.getOwnPropertyDescriptor(globalThis, "performance")!;
    Object.defineProperty(globalThis, "performance", {
      configurable: true,
      get: () => {
        throw new Error("the global performance was read");
      },
    });
    const table = await readSocketTable("tcp", 0x835f, proc).finally(() =>
      Object.defineProperty(globalThis, "performance", real),
    );
    // Of 1.5 MB read through 64 KiB at a time, rows cut between reads included: each row that
    // names the port, whole, and no other.
    const named = rows.filter((r) => r.includes(":835F "));
    expect([...table.values()].flat().sort()).toEqual([...named].sort());
    expect(named.length).toBe(5004);
    const peer = { address: "127.0.0.1", port: 0x9652 };
    const bridge = { address: "127.0.0.1", port: 0x835f };
    expect(ownerIn(table, peer, bridge)).toEqual({ uid: 4242, orphan: false });
    // Every row is found, in whichever read it fell.
    for (const i of [0, 218, 219, 220, 2500, 4999])
      expect(ownerIn(table, { address: "127.0.0.1", port: 0x1000 + i }, bridge), String(i)).toEqual({
        uid: 1000,
        orphan: false,
      });
    // The held row gone: the orphan's uid, flagged; a table ending with a newline reads the same.
    writeFileSync(path.join(proc, "net", "tcp"), rows.slice(0, -1).join("\n"));
    expect(ownerIn(await readSocketTable("tcp", 0x835f, proc), peer, bridge)).toEqual({
      uid: 0,
      orphan: true,
    });
    writeFileSync(path.join(proc, "net", "tcp"), `${text}\n`);
    expect(ownerIn(await readSocketTable("tcp", 0x835f, proc), peer, bridge)).toEqual({
      uid: 4242,
      orphan: false,
    });
    // Another bridge's port: none of these rows.
    expect((await readSocketTable("tcp", 0x835d, proc)).size).toBe(0);
  });

  test("socketOwner looks in tcp, then tcp6, of the tables read under the /proc it is given", async () => {
    const proc = procDir();
    mkdirSync(path.join(proc, "net"));
    writeFileSync(path.join(proc, "net", "tcp"), TCP_TEXT);
    writeFileSync(path.join(proc, "net", "tcp6"), TCP6_TEXT);
    const read = (t: "tcp" | "tcp6") => readSocketTable(t, 0x835f, proc);
    const bridge = { address: "::ffff:127.0.0.1", port: 0x835f };
    expect((await socketOwner(read, { address: "::ffff:127.0.0.1", port: 0x9652 }, bridge))?.uid).toBe(65534);
    expect((await socketOwner(read, { address: "::ffff:127.0.0.1", port: 0x9650 }, bridge))?.uid).toBe(65534);
    const read6 = (t: "tcp" | "tcp6") => readSocketTable(t, 0xabef, proc);
    expect(
      (await socketOwner(read6, { address: "::1", port: 0x83a0 }, { address: "::1", port: 0xabef }))?.uid,
    ).toBe(1000);
    // An IPv4 peer tcp names: tcp6 is not read (the kernel walks its whole table for each).
    const asked: string[] = [];
    const noted = (t: "tcp" | "tcp6") => {
      asked.push(t);
      return read(t);
    };
    await socketOwner(noted, { address: "127.0.0.1", port: 0x9652 }, bridge);
    expect(asked).toEqual(["tcp"]);
    expect((await readSocketTable("tcp", 0x835f, path.join(proc, "none"))).size).toBe(0);
    expect(
      await socketOwner(() => Promise.resolve(new Map()), { address: "127.0.0.1", port: 1 }, bridge),
    ).toBeUndefined();
  });
});

describe("the bridge's rule (peer-check.ts)", () => {
  const proc = procDir();
  mkdirSync(path.join(proc, "net"));
  writeFileSync(path.join(proc, "net", "tcp"), TCP_TEXT);
  writeFileSync(path.join(proc, "net", "tcp6"), TCP6_TEXT);
  /** A connection to the bridge on `::` port 0x835F from this peer port (IPv4-mapped, as Node gives it). */
  const socket = (port: number, remoteAddress = "::ffff:127.0.0.1", localPort = 0x835f) =>
    ({ remoteAddress, remotePort: port, localAddress: "::ffff:127.0.0.1", localPort }) as Socket;

  test("the bridge's own uid and root pass; another account, and a socket no process holds, do not", async () => {
    const own = peerCheck({ proc, uids: [65534, 0], unnamed: false });
    expect(await own.allowed(socket(0x9652))).toBe(true);
    const other = peerCheck({ proc, uids: [1000, 0], unnamed: false });
    expect(await other.allowed(socket(0x9652))).toBe(false);
    // The TIME_WAIT row says uid 0, but no process holds it: refused.
    const orphan = socket(0x8098, "127.0.0.1", 0x90df);
    expect(await other.allowed(orphan)).toBe(false);
  });

  test("root (WSL's forwarding of Windows programs) is taken, with its credential; so is a connection from another host (not judged)", async () => {
    writeFileSync(path.join(proc, "net", "tcp"), TCP_TEXT.replace(" 65534 ", "     0 "));
    const rule = peerCheck({ proc, uids: [1000, 0], unnamed: false });
    expect(await rule.allowed(socket(0x9652))).toBe(true);
    writeFileSync(path.join(proc, "net", "tcp"), TCP_TEXT);
    expect(await rule.allowed(socket(0x9652, "192.168.1.5"))).toBe(true);
  });

  test("decided once per connection; a connection no row names: taken on WSL only; not loopback: not judged", async () => {
    const linux = peerCheck({ proc, uids: [1000, 0], unnamed: false });
    const s = socket(0x9652);
    expect(await linux.allowed(s)).toBe(false);
    writeFileSync(path.join(proc, "net", "tcp"), TCP_TEXT.replace(" 65534 ", " 1000 "));
    expect(await linux.allowed(s)).toBe(false);
    expect(await linux.allowed(socket(0x1234))).toBe(false);
    const wsl = peerCheck({ proc, uids: [1000, 0], unnamed: true });
    expect(await wsl.allowed(socket(0x1234))).toBe(true);
    expect(await linux.allowed(socket(0x1234, "192.168.1.5"))).toBe(true);
    writeFileSync(path.join(proc, "net", "tcp"), TCP_TEXT);
  });
});
