/**
 * Hostile HTTP servers on loopback: an answer that never ends (chunked), and small gzip, deflate
 * or br answers that decode to gigabytes; each counts the bytes it put on the wire.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import zlib from "node:zlib";

export type Hostility = "endless" | "gzip" | "deflate" | "br";

export interface HostileServer {
  url: string;
  /** Bytes written to sockets so far (compressed bytes, for the bombs). */
  sent(): number;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

/** JSON that never closes: `{"servers":[` and then the same entry over and over. */
const OPENING = Buffer.from('{"servers":[');
const ENTRY = Buffer.from(
  `${JSON.stringify({ server: { name: "io.example/again", description: "x".repeat(4000), version: "1.0.0" } })},`,
);

/** Write `next()` while the socket takes it; stop when the peer goes or `next` says done. */
function pump(res: ServerResponse, next: () => Buffer | undefined, count: (n: number) => void): void {
  const fill = () => {
    for (;;) {
      if (res.destroyed) return;
      const chunk = next();
      if (!chunk) return void res.end();
      count(chunk.length);
      if (!res.write(chunk)) return void res.once("drain", fill);
    }
  };
  res.on("error", () => {});
  fill();
}

/**
 * `kind` "endless": a 200 with chunked JSON that never ends. The bombs: a 200 with
 * `Content-Encoding: <kind>` and a body of a few MB that decodes to `decodedGiB` (default 4).
 */
export async function startHostileServer(
  kind: Hostility,
  options: { decodedGiB?: number } = {},
): Promise<HostileServer> {
  let sent = 0;
  const sockets = new Set<Socket>();
  const decoded = (options.decodedGiB ?? 4) * 1024 * MiB;
  // gzip: one member (16 MiB of JSON whitespace, 16 KB on the wire) sent again and again — a
  // gzip stream may hold members one after another, so the body decodes to their sum.
  const member = kind === "gzip" ? zlib.gzipSync(Buffer.alloc(16 * MiB, 0x20), { level: 9 }) : undefined;
  const server = createServer((_req, res) => {
    if (kind === "endless") {
      res.writeHead(200, { "content-type": "application/json" });
      let first = true;
      pump(
        res,
        () => {
          if (first) {
            first = false;
            return OPENING;
          }
          return ENTRY;
        },
        (n) => {
          sent += n;
        },
      );
      return;
    }
    res.writeHead(200, { "content-type": "application/json", "content-encoding": kind });
    if (kind === "gzip") {
      let left = Math.ceil(decoded / (16 * MiB));
      pump(
        res,
        () => (left-- > 0 ? member : undefined),
        (n) => {
          sent += n;
        },
      );
      return;
    }
    // deflate and br: one stream, compressed as fast as the socket drains it.
    const compressor = kind === "br" ? zlib.createBrotliCompress() : zlib.createDeflate({ level: 9 });
    const block = Buffer.alloc(MiB, 0x20);
    let fed = 0;
    const feed = () => {
      while (fed < decoded) {
        fed += block.length;
        if (!compressor.write(block)) return void compressor.once("drain", feed);
      }
      compressor.end();
    };
    compressor.on("data", (d: Buffer) => {
      sent += d.length;
      if (!res.write(d)) {
        compressor.pause();
        res.once("drain", () => compressor.resume());
      }
    });
    compressor.on("end", () => res.end());
    res.on("close", () => compressor.destroy());
    res.on("error", () => {});
    feed();
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent: () => sent,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
