/**
 * Locks and unlocks a gnome-keyring collection without a prompt: a minimal D-Bus client (Lock; then a
 * plain Secret Service session and gnome-keyring's UnlockWithMasterPassword on the same connection).
 * (`gnome-keyring-daemon --unlock` against a running daemon leaves a locked collection locked, and
 * `gdbus call` opens a connection per call, so its session is gone before it could be used.)
 */
import net from "node:net";

/** The socket of a `unix:path=…` or `unix:abstract=…` bus address. */
function socketOf(address: string): string {
  for (const part of address.split(";")) {
    const [kind, rest = ""] = part.split(/:(.*)/s);
    const kv = Object.fromEntries(rest.split(",").map((p) => p.split("=")));
    if (kind === "unix" && kv.path) return decodeURIComponent(kv.path);
    if (kind === "unix" && kv.abstract) return `\0${decodeURIComponent(kv.abstract)}`;
  }
  throw new Error(`no unix socket in ${address}`);
}

/** Little-endian D-Bus marshalling of the few types these calls need. */
class Writer {
  readonly bytes: number[] = [];
  pad(n: number): void {
    while (this.bytes.length % n) this.bytes.push(0);
  }
  u8(v: number): void {
    this.bytes.push(v);
  }
  u32(v: number): void {
    this.pad(4);
    this.bytes.push(v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255);
  }
  str(s: string): void {
    const b = Buffer.from(s);
    this.u32(b.length);
    this.bytes.push(...b, 0);
  }
  sig(s: string): void {
    this.bytes.push(s.length, ...Buffer.from(s), 0);
  }
  array(b: Buffer): void {
    this.u32(b.length);
    this.bytes.push(...b);
  }
}

interface Call {
  path: string;
  iface: string;
  member: string;
  dest: string;
  signature?: string;
  body?: (w: Writer) => void;
}

function message(call: Call, serial: number): Buffer {
  const body = new Writer();
  call.body?.(body);
  const h = new Writer();
  for (const b of [108, 1, 0, 1]) h.u8(b); // little-endian, method call, no flags, version 1
  h.u32(body.bytes.length);
  h.u32(serial);
  const fields = new Writer();
  const list: Array<[number, string, string]> = [
    [1, "o", call.path],
    [2, "s", call.iface],
    [3, "s", call.member],
    [6, "s", call.dest],
    ...(call.signature ? [[8, "g", call.signature] as [number, string, string]] : []),
  ];
  // Header fields start at offset 16, 8-aligned there: laid out from 0 they align the same.
  for (const [code, type, value] of list) {
    fields.pad(8);
    fields.u8(code);
    fields.sig(type);
    if (type === "g") fields.sig(value);
    else fields.str(value);
  }
  h.u32(fields.bytes.length);
  h.bytes.push(...fields.bytes);
  h.pad(8);
  return Buffer.from([...h.bytes, ...body.bytes]);
}

/** The serial a reply answers (header field 5), walking the header fields. */
function replySerial(msg: Buffer, fieldsEnd: number): number {
  let p = 16;
  while (p < fieldsEnd) {
    p = (p + 7) & ~7;
    const code = msg[p] ?? 0;
    const sigLen = msg[p + 1] ?? 0;
    const type = msg.toString("latin1", p + 2, p + 2 + sigLen);
    p += 3 + sigLen;
    if (type === "u") {
      p = (p + 3) & ~3;
      if (code === 5) return msg.readUInt32LE(p);
      p += 4;
    } else if (type === "s" || type === "o") {
      p = (p + 3) & ~3;
      p += 5 + msg.readUInt32LE(p);
    } else p += 2 + (msg[p] ?? 0); // g
  }
  return 0;
}

/** A connection to the bus at `address` that makes method calls; the daemon's error is thrown. */
async function connect(address: string): Promise<{ call: (c: Call) => Promise<Buffer>; end: () => void }> {
  const socket = net.createConnection(socketOf(address));
  let buf = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  let failed: Error | undefined;
  socket.on("data", (d) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  });
  socket.on("error", (e) => {
    failed = e;
    wake?.();
  });
  const more = () =>
    new Promise<void>((resolve, reject) => {
      if (failed) reject(failed);
      wake = () => (failed ? reject(failed) : resolve());
    });
  socket.write(`\0AUTH EXTERNAL ${Buffer.from(String(process.getuid?.())).toString("hex")}\r\n`);
  while (!buf.includes("\r\n")) await more();
  if (!buf.toString().startsWith("OK")) throw new Error(`D-Bus refused: ${buf.toString().trim()}`);
  buf = Buffer.alloc(0);
  socket.write("BEGIN\r\n");
  let serial = 0;
  const call = async (c: Call): Promise<Buffer> => {
    const mine = ++serial;
    socket.write(message(c, mine));
    for (;;) {
      while (buf.length >= 16) {
        const fieldsEnd = 16 + buf.readUInt32LE(12);
        const total = ((fieldsEnd + 7) & ~7) + buf.readUInt32LE(4);
        if (buf.length < total) break;
        const msg = buf.subarray(0, total);
        buf = buf.subarray(total);
        if ((msg[1] === 2 || msg[1] === 3) && replySerial(msg, fieldsEnd) === mine) {
          const body = msg.subarray((fieldsEnd + 7) & ~7);
          if (msg[1] === 3)
            throw new Error(`${c.member}: ${body.toString("utf8", 4, 4 + body.readUInt32LE(0))}`);
          return body;
        }
      }
      await more();
    }
  };
  try {
    await call({
      path: "/org/freedesktop/DBus",
      iface: "org.freedesktop.DBus",
      member: "Hello",
      dest: "org.freedesktop.DBus",
    });
  } catch (error) {
    socket.end();
    throw error;
  }
  return { call, end: () => socket.end() };
}

const SERVICE = { path: "/org/freedesktop/secrets", dest: "org.freedesktop.secrets" };

/** Lock `collection` (the Secret Service's Lock: locking needs no prompt). */
export async function lockCollection(address: string, collection: string): Promise<void> {
  const bus = await connect(address);
  try {
    await bus.call({
      ...SERVICE,
      iface: "org.freedesktop.Secret.Service",
      member: "Lock",
      signature: "ao",
      body: (w) => {
        const one = new Writer();
        one.str(collection);
        w.u32(one.bytes.length);
        w.bytes.push(...one.bytes);
      },
    });
  } finally {
    bus.end();
  }
}

/** Unlock `collection` with its password, in a plain session of the same connection. */
export async function unlockCollection(address: string, collection: string, password: string): Promise<void> {
  const bus = await connect(address);
  try {
    const opened = await bus.call({
      ...SERVICE,
      iface: "org.freedesktop.Secret.Service",
      member: "OpenSession",
      signature: "sv",
      body: (w) => {
        w.str("plain");
        w.sig("s");
        w.str("");
      },
    });
    // The reply is (v output, o session): a variant holding "" ("s", then a 4-aligned empty string), then the path.
    let p = 1 + (opened[0] ?? 0) + 1;
    p = (p + 3) & ~3;
    p += 5 + opened.readUInt32LE(p);
    p = (p + 3) & ~3;
    const session = opened.toString("utf8", p + 4, p + 4 + opened.readUInt32LE(p));
    await bus.call({
      ...SERVICE,
      iface: "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
      member: "UnlockWithMasterPassword",
      signature: "o(oayays)",
      body: (w) => {
        w.str(collection);
        w.pad(8); // a struct starts 8-aligned
        w.str(session);
        w.array(Buffer.alloc(0));
        w.array(Buffer.from(password));
        w.str("text/plain");
      },
    });
  } finally {
    bus.end();
  }
}
