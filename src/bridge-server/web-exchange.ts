/**
 * A node:http request as a web `Request` and a web `Response` written back to node:http: the SDK's
 * 2026-07-28 handler speaks fetch, the bridge's listener node:http (no framework in between).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "./clock.js";
import { SESSION_LIMITS } from "./session-transport.js";
import { Backlog, StallGuard } from "./stream-backlog.js";

/**
 * A POST as the SDK's handler reads it: its headers, the body already read (the listener checked
 * and parsed it), and a signal that aborts when the client goes away before the answer is
 * complete (closing a 2026-07-28 response stream is how a client cancels).
 */
export function toWebRequest(req: IncomingMessage, res: ServerResponse, body: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  return new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url ?? "/"}`, {
    method: "POST",
    headers,
    body,
    signal: abort.signal,
  });
}

/**
 * Write a web `Response` to node:http: a JSON body at once, an event stream as its events come;
 * when the client goes away the stream is cancelled (the SDK then ends what it was serving), and
 * so it is when more than SESSION_LIMITS.streamBuffer bytes of it wait unread: the socket is
 * closed, no backlog kept.
 */
export async function sendWebResponse(res: ServerResponse, response: Response, clock: Clock): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (!response.body) return void res.writeHead(response.status, headers).end();
  const streamed = (headers["content-type"] ?? "").includes("text/event-stream");
  if (!streamed) {
    const body = Buffer.from(await response.arrayBuffer());
    headers["content-length"] = String(body.length);
    res.writeHead(response.status, headers).end(body);
    new StallGuard(res, clock).wrote();
    return;
  }
  res.writeHead(response.status, headers);
  res.flushHeaders();
  const reader = response.body.getReader();
  const backlog = new Backlog(res, SESSION_LIMITS.streamBuffer);
  // The client closed: a body already ended has nothing to cancel.
  const cancel = () => void reader.cancel().catch(() => {});
  // Destroyed, the socket aborts the request (toWebRequest), which ends what it asked.
  const stall = new StallGuard(res, clock, cancel);
  res.once("close", cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
      stall.wrote();
      if (backlog.over(value.byteLength)) {
        // A client that does not read while the stream grows (progress, logs, updates it listens
        // for): closing the socket aborts the request (toWebRequest), which ends what it asked.
        res.destroy();
        cancel();
        break;
      }
    }
  } catch {
    // the client went away, or the handler ended the stream with an error: nothing left to send
  } finally {
    res.off("close", cancel);
    res.end();
  }
}
