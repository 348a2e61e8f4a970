/**
 * The one keep-alive HTTP client, over node:http(s) (the global fetch costs more per loopback call
 * and loads undici): the relay's requests and the link to the bridge's, answers read within bounds.
 */
import type { Agent, ClientRequest, IncomingMessage } from "node:http";
import type https from "node:https";

// node:http loads at the first request: sync's bundle holds this module, and most syncs send none.
const http = () => process.getBuiltinModule("node:http");
let plainAgent: Agent | undefined;
const plain = () => (plainAgent ??= new (http().Agent)({ keepAlive: true, keepAliveMsecs: 10_000 }));
/** node:https (and TLS) load only for an https URL: the bridge and loopback servers need neither. */
let tls: { https: typeof https; agent: https.Agent } | undefined;
const loadTls = () => {
  if (tls) return tls;
  const module = process.getBuiltinModule("node:https");
  tls = { https: module, agent: new module.Agent({ keepAlive: true, keepAliveMsecs: 10_000 }) };
  return tls;
};

/** The keep-alive connections of these agents, closed when a relay ends. */
export function closeAgents(): void {
  plainAgent?.destroy();
  tls?.agent.destroy();
}

/** An answer (or one event of its stream) past the limit: the server answered, with more than is taken. */
export class TooLargeError extends Error {
  constructor(limit: number, what = "its answer") {
    super(`${what} is larger than the ${limit / (1024 * 1024)} MiB limit`);
  }
}

/** An answer that is not 2xx: its status, a start of its body, and its WWW-Authenticate. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    body: string,
    readonly authenticate?: string,
  ) {
    super(`HTTP ${status}${body ? `: ${body}` : ""}`);
  }
}

export interface RequestOptions {
  method: string;
  headers: Record<string, string>;
  body?: string;
  agent?: Agent | undefined;
  timeoutMs?: number;
  /** Closes the request from outside (protocol 2026-07-28's cancel of a request over HTTP). */
  closable?: Closable | undefined;
  /** A fetch's signal (nodeFetch); the relay's requests use `closable`, which costs less. */
  signal?: AbortSignal | undefined;
}

/**
 * A request that can be closed from outside, whichever of its attempts is on its way: a plain
 * holder rather than an AbortSignal, which costs an event target and a listener per request.
 */
export class Closable {
  closed = false;
  req: ClientRequest | undefined;

  close(): void {
    this.closed = true;
    this.req?.destroy(Object.assign(new Error("the client cancelled it"), { code: "ECANCELLED" }));
  }
}

/** The answer's head (its body still to read). */
export function send(url: URL, o: RequestOptions): Promise<IncomingMessage> {
  const secure = url.protocol === "https:" ? loadTls() : undefined;
  return new Promise((resolve, reject) => {
    // `headers` as they are, and the length set on the request: a spread copy per request costs a
    // new hidden class each time, which piles up in the old space (the relay's memory grows).
    const req = (secure ? secure.https : http()).request(url, {
      method: o.method,
      headers: o.headers,
      agent: o.agent ?? secure?.agent ?? plain(),
      ...(o.timeoutMs ? { timeout: o.timeoutMs } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (o.closable) {
      o.closable.req = req;
      if (o.closable.closed) o.closable.close();
    }
    if (o.body !== undefined) req.setHeader("content-length", Buffer.byteLength(o.body));
    req.once("response", resolve);
    req.once("error", reject);
    req.once("timeout", () =>
      req.destroy(Object.assign(new Error("it did not answer in time"), { code: "ETIMEDOUT" })),
    );
    req.end(o.body);
  });
}

/**
 * Backpressure from whoever takes what is read, called after each chunk: it pauses `res` while it
 * cannot take more, and resumes it once it can (client-side.ts: the client's stdout drained).
 */
export type Stall = (res: IncomingMessage) => void;

/** The whole body, at most `limit` bytes (past it the answer is dropped: TooLargeError). */
export function readBody(res: IncomingMessage, limit: number, stall?: Stall): Promise<Buffer> {
  const declared = Number(res.headers["content-length"] ?? Number.NaN);
  if (declared > limit) {
    res.destroy();
    return Promise.reject(new TooLargeError(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        res.destroy();
        reject(new TooLargeError(limit));
      } else {
        chunks.push(chunk);
        stall?.(res);
      }
    });
    res.once("end", () => {
      const [only] = chunks;
      resolve(only && chunks.length === 1 ? only : Buffer.concat(chunks, size));
    });
    res.once("error", reject);
    res.once("close", () => {
      if (!res.complete) reject(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    });
  });
}

/** A head's value (the first, if repeated). */
export function header(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export const ok = (res: IncomingMessage): boolean =>
  (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300;

/** A refusal as an error: its status, the start of its body (at most 2 KiB read), WWW-Authenticate. */
export async function statusError(res: IncomingMessage): Promise<HttpStatusError> {
  const body = await readBody(res, 2048).then(String, () => ""); // the status says enough alone
  return new HttpStatusError(res.statusCode ?? 0, oneLineStart(body), header(res, "www-authenticate"));
}

/** The start of a body on one line, for a message. */
export const oneLineStart = (text: string): string => text.trim().replace(/\s+/g, " ").slice(0, 300);

/**
 * A small `fetch` on `send` (the SDK's transports and the bridge's control routes take a fetch).
 * `agent`: another agent than the keep-alive one (this home's bridge: bridge-link/proof.ts).
 */
export async function nodeFetch(
  input: string | URL,
  init: RequestInit = {},
  options: { agent?: Agent; maxBytes?: number } = {},
): Promise<Response> {
  const url = typeof input === "string" ? new URL(input) : input;
  const body = init.body ?? undefined;
  // Another scheme, or a body the SDK never sends: the real fetch deals with it.
  if (
    (url.protocol !== "http:" && url.protocol !== "https:") ||
    (body !== undefined && typeof body !== "string")
  )
    return fetch(input, init);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => {
    headers[key] = value;
  });
  const method = init.method ?? "GET";
  const res = await send(url, {
    method,
    headers,
    body,
    agent: options.agent,
    signal: init.signal ?? undefined,
  });
  const responseHeaders = new Headers();
  for (const [key, value] of Object.entries(res.headers)) {
    if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
    else if (value !== undefined) responseHeaders.set(key, value);
  }
  const status = res.statusCode ?? 500;
  const meta = { status, statusText: res.statusMessage ?? "", headers: responseHeaders };
  if ((header(res, "content-type") ?? "").includes("text/event-stream"))
    return new Response(process.getBuiltinModule("node:stream").Readable.toWeb(res) as ReadableStream, meta);
  const whole = await readBody(res, options.maxBytes ?? Number.POSITIVE_INFINITY);
  return new Response(status === 204 || status === 304 || method === "HEAD" ? null : whole, meta);
}
