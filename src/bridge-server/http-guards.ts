/**
 * The checks the bridge's HTTP listener applies to a request, each small and testable on its own:
 * Host (DNS rebinding), Origin, the bearer token, the body limit, media types and JSON-RPC shape.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
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

/** A cap met (a session evicted while set up, a shared server full): 503 and Retry-After, in either era. */
export class Unavailable extends Error {}
/** What a cap's 503 carries: the client may try again in a second. */
export const TRY_AGAIN = { "retry-after": "1" };

export const refusal = (
  status: number,
  code: number,
  message: string,
  headers?: Record<string, string>,
): Refusal => ({ status, code, message, ...(headers ? { headers } : {}) });

/**
 * A request header, from Node's or a web request's (by `get`: reading `Headers` loads undici, ~125 ms):
 * Node gives a repeated header as one value, trimmed (joined, or the first kept; set-cookie: its first).
 */
export function headerOf(h: IncomingHttpHeaders | Headers | undefined, name: string): string | undefined {
  const value = typeof h?.get === "function" ? (h as Headers).get(name) : (h as IncomingHttpHeaders)?.[name];
  return Array.isArray(value) ? value[0] : (value ?? undefined);
}

/**
 * On a loopback bridge, a Host that is not a loopback name is a rebound domain: 403. Not the SDK's
 * `validateHostHeader`: importing its chunk costs +12.6 MB, and an idle bridge loads no SDK.
 */
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
 * Only the origins the user allowed, not even the bridge's own: a page served there by whatever held
 * the port before is same-origin with the bridge once it is back.
 */
export function allowedOrigins(allowed: readonly string[] = []): Set<string> {
  return new Set(allowed.map((o) => o.replace(/\/+$/, "").toLowerCase()));
}

/**
 * No Origin (not a browser) passes; a browser's Origin must be one the user allowed. Not the SDK's
 * `validateOriginHeader`: it compares the hostname only, so a page on any localhost port passes.
 */
export function checkOrigin(origin: string | undefined, allowed: ReadonlySet<string>): Refusal | null {
  if (origin === undefined || allowed.has(origin.toLowerCase())) return null;
  return { status: 403, code: RPC.serverError, message: "Forbidden: invalid Origin header", close: true };
}

/** The one answer to a request the bridge does not take from that caller: no more said. */
export const UNAUTHORIZED: Refusal = {
  status: 401,
  code: RPC.unauthorized,
  message: "Unauthorized: a valid bearer token is required",
  headers: { "www-authenticate": 'Bearer realm="mcp-twin"' },
  close: true,
};

export const tooLarge = (limit: number): Refusal => ({
  ...refusal(413, RPC.serverError, `Payload Too Large: the limit is ${limit} bytes`),
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
 * still on its way, or chunked) is read as it flows. Not the SDK's `readRequestBody`: it reads a
 * web `Request`, which node:http does not give, and this saves 2 µs a request (performance.md).
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
    });
  });
}

/** A POST's media types: JSON in; JSON or an event stream out (whether SSE is accepted). */
export function checkMediaTypes(
  contentType: string | undefined,
  accept: string | undefined,
): Refusal | { acceptsSse: boolean } {
  if ((contentType ?? "").split(";")[0]?.trim().toLowerCase() !== "application/json")
    return refusal(415, RPC.serverError, "Unsupported Media Type: Content-Type must be application/json");
  const acceptsSse = (accept ?? "").includes("text/event-stream");
  if (accept && !acceptsSse && !/application\/json|application\/\*|\*\/\*/.test(accept))
    return refusal(
      406,
      RPC.serverError,
      "Not Acceptable: the answer is application/json or text/event-stream",
    );
  return { acceptsSse };
}

/** `Mcp-Protocol-Version`, when sent, must be one the SDK supports. */
export function checkProtocolVersion(version: unknown, supported: readonly string[]): Refusal | null {
  if (typeof version !== "string" || supported.includes(version)) return null;
  const message = `Bad Request: unsupported protocol version ${version} (supported: ${supported.join(", ")})`;
  return refusal(400, RPC.serverError, message);
}

export const MAX_BATCH = 100;

/**
 * A POST body as JSON-RPC messages: JSON (-32700), 1 to MAX_BATCH of them (-32600), a batch's each
 * a JSON-RPC 2.0 message by `isMessage` (the SDK's schema; -32600) — a single message is left to
 * the caller to check (http.ts: the era's classification asks it first). The messages are passed on as sent: a schema's copy
 * would drop the own `__proto__` keys of values a client stores.
 */
export function parseMessages(
  body: string,
  isMessage: (item: unknown) => boolean,
): Refusal | { messages: unknown[]; batch: boolean } {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return refusal(400, RPC.parseError, "Parse error: the body is not valid JSON");
  }
  const batch = Array.isArray(raw);
  const messages = batch ? (raw as unknown[]) : [raw];
  if (messages.length === 0 || messages.length > MAX_BATCH)
    return refusal(400, RPC.invalidRequest, `Invalid Request: a batch holds 1 to ${MAX_BATCH} messages`);
  return batch && !messages.every(isMessage) ? NOT_A_MESSAGE : { messages, batch };
}

/** The refusal of a body that is JSON but not a JSON-RPC 2.0 message. */
export const NOT_A_MESSAGE = refusal(400, RPC.invalidRequest, "Invalid Request: not a JSON-RPC 2.0 message");

export const isRefusal = (r: object): r is Refusal => "status" in r;

/**
 * The id an error answers under (JSON-RPC 2.0): a single request's own string or number id; null
 * for a batch, a notification, a response, or a body not read or not a request at all.
 */
export function requestIdOf(body: unknown): string | number | null {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return null;
  const { id, method } = body as { id?: unknown; method?: unknown };
  return typeof method === "string" && (typeof id === "string" || typeof id === "number") ? id : null;
}

/** A whole JSON answer, as bytes: one its client does not take waits as them once (a string: about 4 times). */
export function sendJson(res: ServerResponse, status: number, headers: object, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": body.length });
  res.end(body);
}

/** Write a refusal's status, headers and whole JSON-RPC error body (the response not ended). */
function writeRefusal(res: ServerResponse, refusal: Refusal, id: string | number | null): void {
  const { code, message } = refusal;
  const body = JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id });
  res.writeHead(refusal.status, {
    ...refusal.headers,
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    ...(refusal.close ? { connection: "close" } : {}),
  });
  res.write(body);
}

/**
 * Answer a refusal (JSON-RPC error body, under `id`: requestIdOf the body once it was read);
 * `close` ends the connection once it is sent.
 */
export function sendRefusal(res: ServerResponse, refusal: Refusal, id: string | number | null = null): void {
  if (res.headersSent) return void res.end();
  writeRefusal(res, refusal, id);
  res.end();
  const socket = res.socket;
  if (!refusal.close || !socket) return;
  // Lingering close: FIN once the answer is out, so the client reads it; destroyed soon after.
  res.once("finish", () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), 1000);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  });
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
  writeRefusal(res, { ...refusal, close: true }, null);
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
