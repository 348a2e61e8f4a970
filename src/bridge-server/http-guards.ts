/**
 * The checks the bridge's HTTP listener applies, each small and testable on its own: Host (DNS
 * rebinding), Origin, the bearer token, the body limit, and socket limits, so clients without the
 * token can never exhaust or starve the bridge.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { readSocketTable, type SocketTable, socketOwner } from "../core/bridge-control/socket-owner.js";
import { RPC } from "../core/jsonrpc/codes.js";
import { isLoopback } from "../core/system/loopback.js";

/** A check returns null (pass) or a Refusal: an HTTP status with a JSON-RPC error. */
export interface Refusal {
  status: number;
  code: number;
  message: string;
  headers?: Record<string, string>;
  /** Close the connection after the answer (the client is not trusted, or its body is unread). */
  close?: boolean;
}

/** On a loopback bridge, a Host that is not a loopback name is a rebound domain: 403. */
export function checkHost(host: string | undefined, loopbackOnly: boolean): Refusal | null {
  if (!loopbackOnly) return null;
  const hostname = (host ?? "")
    .replace(/:\d+$/, "")
    .replace(/^\[|\]$/g, "")
    .toLowerCase();
  return isLoopback(hostname)
    ? null
    : { status: 403, code: RPC.serverError, message: "Forbidden: invalid Host header", close: true };
}

/**
 * The origins a browser page may have: those the user allowed (`--allow-origin`, the manifest's
 * `bridge.allowOrigins`), nothing else — not even the bridge's own loopback origins: a page served
 * there by whatever held the port before is same-origin with the bridge once it is back.
 */
export function allowedOrigins(allowed: readonly string[] = []): Set<string> {
  return new Set(allowed.map((o) => o.replace(/\/+$/, "").toLowerCase()));
}

/** No Origin (not a browser) passes; a browser's Origin must be one the user allowed. */
export function checkOrigin(origin: string | undefined, allowed: ReadonlySet<string>): Refusal | null {
  if (origin === undefined || allowed.has(origin.toLowerCase())) return null;
  return { status: 403, code: RPC.serverError, message: "Forbidden: invalid Origin header", close: true };
}

/**
 * `Authorization: Bearer <token>`, compared in constant time by the guard; `share`: the request is
 * for `/share/<share>` (a client token for that share opens it; nothing else takes one).
 */
export function checkBearer(
  guard: { check(authorization: string | undefined, connection?: object, share?: string): boolean },
  authorization: string | undefined,
  connection?: object,
  share?: string,
): Refusal | null {
  return guard.check(authorization, connection, share) ? null : UNAUTHORIZED;
}

/** The one answer to a request the bridge does not take from that caller: no more said. */
export const UNAUTHORIZED: Refusal = {
  status: 401,
  code: RPC.unauthorized,
  message: "Unauthorized: a valid bearer token is required",
  headers: { "www-authenticate": 'Bearer realm="mcp-twin"' },
  close: true,
};

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

/**
 * Decides once per connection whether the account holding its other end may use the bridge: a
 * loopback connection whose other end a process of another user account holds (its uid in
 * /proc/net/tcp{,6}) is refused, whatever it presents, so a credential another account captured is
 * useless to it; so is one whose other end no process holds any more. Non-loopback connections
 * (`--allow-remote`) are not judged here. `accepted(socket)` on each new connection; `allowed` is
 * true at once for a connection decided before, else a promise. Reading the tables costs tens of
 * ms on a busy host (docs/dev/performance.md), so connections accepted before a read began share
 * it, and it is asked only of requests whose credential passed: a request without one costs no read.
 */
export function peerCheck(rule: PeerRule): {
  accepted(socket: Socket): void;
  allowed(socket: Socket): true | Promise<boolean>;
} {
  const decided = new WeakMap<Socket, boolean | Promise<boolean>>();
  const acceptedAt = new WeakMap<Socket, number>();
  /** Both ends, taken when the connection is accepted: a socket reset since has none to give. */
  const ends = new WeakMap<
    Socket,
    Pick<Socket, "remoteAddress" | "remotePort" | "localAddress" | "localPort">
  >();
  let reads = 0;
  const inFlight = new Map<string, { number: number; text: Promise<SocketTable> }>();
  /** `table`'s rows of connections to the bridge's `port`, from a read begun after `socket` was accepted. */
  const tableFor = (socket: Socket, port: number) => (table: "tcp" | "tcp6") => {
    const since = acceptedAt.get(socket) ?? Number.POSITIVE_INFINITY;
    const key = `${table} ${port}`;
    let read = inFlight.get(key);
    // A read begun after this connection was accepted holds its row.
    if (!read || read.number < since) {
      const current = { number: ++reads, text: readSocketTable(table, port, rule.proc) };
      inFlight.set(key, current);
      current.text.finally(() => {
        if (inFlight.get(key) === current) inFlight.delete(key);
      });
      read = current;
    }
    return read.text;
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
    if (!owner) return rule.unnamed;
    return !owner.orphan && rule.uids.includes(owner.uid);
  };
  return {
    accepted(socket) {
      acceptedAt.set(socket, reads + 1);
      const { remoteAddress, remotePort, localAddress, localPort } = socket;
      ends.set(socket, { remoteAddress, remotePort, localAddress, localPort });
    },
    allowed(socket) {
      const known = decided.get(socket);
      if (known === true) return true;
      if (known !== undefined) return Promise.resolve(known);
      const pending = decide(socket)
        // An owner that cannot be told is not allowed (the connection is refused).
        .catch(() => false)
        .then((allowed) => {
          decided.set(socket, allowed);
          return allowed;
        });
      decided.set(socket, pending);
      return pending;
    },
  };
}

export const tooLarge = (limit: number): Refusal => ({
  status: 413,
  code: RPC.serverError,
  message: `Payload Too Large: the limit is ${limit} bytes`,
  close: true,
});

/** A body declared larger than the limit is refused before a byte of it is read. */
export function checkDeclaredLength(contentLength: string | undefined, limit: number): Refusal | null {
  const declared = Number(contentLength ?? Number.NaN);
  return declared > limit ? tooLarge(limit) : null;
}

/**
 * The body as text, or null when it grows past `limit` (then the caller answers 413 with
 * refuseBody, which reads the rest and throws it away).
 *
 * A small request mostly arrives in one read with its headers: by the next microtask the parser
 * has buffered all the bytes its Content-Length declares, and they are taken in one `read()`,
 * without switching the stream to flowing mode and gathering its chunks. Anything else (a body
 * still on its way, or chunked) is read as it flows.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    queueMicrotask(() => {
      const declared = Number(req.headers?.["content-length"] ?? Number.NaN);
      if (
        declared > 0 &&
        declared <= limit &&
        req.readableLength === declared &&
        req.readableFlowing === null &&
        !req.destroyed
      ) {
        const whole = req.read(declared) as Buffer | null;
        if (whole !== null) {
          req.resume(); // on to the stream's end, so the request is done with
          resolve(whole.toString("utf8"));
          return;
        }
      }
      readFlowing(req, limit, resolve, reject);
    });
  });
}

function readFlowing(
  req: IncomingMessage,
  limit: number,
  resolve: (body: string | null) => void,
  reject: (error: Error) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      req.off("data", onData);
      req.pause();
      resolve(null);
      return;
    }
    chunks.push(chunk);
  };
  req.on("data", onData);
  req.on("end", () => {
    if (size <= limit) resolve(Buffer.concat(chunks, size).toString("utf8"));
  });
  req.on("error", reject);
}

const mediaType = (header: string | undefined) => ((header ?? "").split(";")[0] ?? "").trim().toLowerCase();

/** A POST's media types: JSON in; JSON or an event stream out (whether SSE is accepted). */
export function checkMediaTypes(
  contentType: string | undefined,
  accept: string | undefined,
): Refusal | { acceptsSse: boolean } {
  if (mediaType(contentType) !== "application/json")
    return {
      status: 415,
      code: RPC.serverError,
      message: "Unsupported Media Type: Content-Type must be application/json",
    };
  const acceptsSse = (accept ?? "").includes("text/event-stream");
  if (accept && !acceptsSse && !/application\/json|application\/\*|\*\/\*/.test(accept))
    return {
      status: 406,
      code: RPC.serverError,
      message: "Not Acceptable: the answer is application/json or text/event-stream",
    };
  return { acceptsSse };
}

/** `Mcp-Protocol-Version`, when sent, must be one the SDK supports. */
export function checkProtocolVersion(version: unknown, supported: readonly string[]): Refusal | null {
  if (typeof version !== "string" || supported.includes(version)) return null;
  return {
    status: 400,
    code: RPC.serverError,
    message: `Bad Request: unsupported protocol version ${version} (supported: ${supported.join(", ")})`,
  };
}

export const MAX_BATCH = 100;

/**
 * A POST body as JSON-RPC messages: JSON (-32700), 1 to MAX_BATCH of them (-32600), each a
 * JSON-RPC 2.0 message by `isMessage` (the SDK's schema; -32600) — with `batchesOnly`, a single
 * message is left to the caller to check. The messages are passed on as sent: a schema's copy
 * would drop the own `__proto__` keys of values a client stores.
 */
export function parseMessages(
  body: string,
  isMessage: (item: unknown) => boolean,
  options: { batchesOnly?: boolean } = {},
): Refusal | { messages: unknown[]; batch: boolean } {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { status: 400, code: RPC.parseError, message: "Parse error: the body is not valid JSON" };
  }
  const batch = Array.isArray(raw);
  const messages = batch ? (raw as unknown[]) : [raw];
  if (messages.length === 0 || messages.length > MAX_BATCH)
    return {
      status: 400,
      code: RPC.invalidRequest,
      message: `Invalid Request: a batch holds 1 to ${MAX_BATCH} messages`,
    };
  if ((batch || !options.batchesOnly) && !messages.every(isMessage)) return NOT_A_MESSAGE;
  return { messages, batch };
}

/** The refusal of a body that is JSON but not a JSON-RPC 2.0 message. */
export const NOT_A_MESSAGE: Refusal = {
  status: 400,
  code: RPC.invalidRequest,
  message: "Invalid Request: not a JSON-RPC 2.0 message",
};

export const isRefusal = (r: object): r is Refusal => "status" in r;

/** Write a refusal's status, headers and whole JSON-RPC error body (the response not ended). */
function writeRefusal(res: ServerResponse, refusal: Refusal): void {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    error: { code: refusal.code, message: refusal.message },
    id: null,
  });
  res.writeHead(refusal.status, {
    ...refusal.headers,
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    ...(refusal.close ? { connection: "close" } : {}),
  });
  res.write(body);
}

/** Answer a refusal (JSON-RPC error body); `close` ends the connection once it is sent. */
export function sendRefusal(res: ServerResponse, refusal: Refusal): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  writeRefusal(res, refusal);
  res.end();
  if (refusal.close) closeAfter(res);
}

/** How much of a refused body is still read (and thrown away) before its connection is closed. */
const REFUSED_BODY_DRAIN = { bytes: 64 * 1024 * 1024, ms: 5000 };

/**
 * Answer a body over the limit (413, `Connection: close`) so that the client reads it even while it
 * is still sending: the answer goes out whole at once, the rest of the body is read and thrown away,
 * and the connection closes when the body has ended (or at REFUSED_BODY_DRAIN). Closing at once
 * would leave the body unread on the socket, and the reset that follows loses the answer.
 */
export function refuseBody(req: IncomingMessage, res: ServerResponse, refusal: Refusal): void {
  writeRefusal(res, { ...refusal, close: true });
  let drained = 0;
  const finish = () => {
    clearTimeout(timer);
    req.off("data", count);
    if (!res.writableEnded) res.end(); // Node then closes the connection (Connection: close)
  };
  const count = (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > REFUSED_BODY_DRAIN.bytes) finish();
  };
  const timer = setTimeout(finish, REFUSED_BODY_DRAIN.ms);
  timer.unref();
  req.on("data", count);
  req.once("end", finish);
  res.once("close", () => clearTimeout(timer));
  req.resume();
}

/** Lingering close: FIN once the answer is out, so the client reads it; destroyed soon after. */
function closeAfter(res: ServerResponse, lingerMs = 1000): void {
  const socket = res.socket;
  if (!socket) return;
  res.once("finish", () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), lingerMs);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  });
}

/**
 * The socket-level limits: timeouts for headers and bodies, closing after an early refusal, and a
 * connection cap that sheds unauthenticated sockets first, so slow clients without the token can
 * never exhaust the bridge's file descriptors or starve the clients that have it.
 */
export interface ConnectionLimits {
  /** Time for a request's headers to arrive (slow-header clients). */
  headersTimeoutMs: number;
  /** Time for a whole request (headers and body) to arrive (slow-body clients). */
  requestTimeoutMs: number;
  /** Idle time of a kept-alive connection between requests. */
  keepAliveTimeoutMs: number;
  /**
   * Open connections at most; past it, the oldest one that never presented the token goes, else
   * the oldest with no request in flight.
   */
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
  headers: { "retry-after": "1" },
  close: true,
});

/** How often Node checks the header and request timeouts (its default, 30 s, is too lax). */
export const CHECK_INTERVAL_MS = 1000;

/**
 * Apply the limits to a server; returns `trust(socket)`, called when a request on a socket
 * presented the token, and `slot(res, credential)`, asked by each request to an MCP endpoint: a
 * refusal when its credential holds `slotsPerCredential` requests in flight, or all of them
 * together all but `controlRoom` connections; else the slot is held until the answer ends. Over
 * the cap, the oldest untrusted connection is dropped for the new one, else the oldest with no
 * request in flight; when every connection is trusted and busy, the new one is refused.
 */
export function limitConnections(
  server: Server,
  limits: ConnectionLimits,
): {
  trust(socket: Socket): void;
  open(): number;
  slot(res: ServerResponse, credential: string): Refusal | null;
} {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  const sockets = new Set<Socket>();
  const trusted = new WeakSet<Socket>();
  /** Requests in flight on each connection (any route). */
  const busy = new Map<Socket, number>();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    res.once("close", () => {
      const left = (busy.get(socket) ?? 1) - 1;
      if (left > 0) busy.set(socket, left);
      else busy.delete(socket);
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => {
      sockets.delete(socket);
      busy.delete(socket);
    });
    if (sockets.size <= limits.maxConnections) return;
    const victim =
      [...sockets].find((old) => old !== socket && !trusted.has(old)) ??
      [...sockets].find((old) => old !== socket && !busy.has(old));
    const shed = victim ?? socket;
    shed.destroy();
    sockets.delete(shed);
  });
  const held = new Map<string, number>();
  let total = 0;
  return {
    trust: (socket) => trusted.add(socket),
    open: () => sockets.size,
    slot(res, credential) {
      const mine = held.get(credential) ?? 0;
      if (mine >= limits.slotsPerCredential)
        return noSlot(
          `this credential already has ${limits.slotsPerCredential} requests in flight (the most one may have)`,
        );
      const all = Math.max(1, limits.maxConnections - limits.controlRoom);
      if (total >= all)
        return noSlot(`the bridge already has ${all} requests in flight (the most all clients may have)`);
      held.set(credential, mine + 1);
      total++;
      res.once("close", () => {
        total--;
        const left = (held.get(credential) ?? 1) - 1;
        if (left > 0) held.set(credential, left);
        else held.delete(credential);
      });
      return null;
    },
  };
}
