/**
 * A small `fetch` over node:http with a keep-alive agent, for the SDK's Streamable HTTP client in
 * the bridge's probes (the global fetch costs more per loopback call).
 */
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";

const agents = {
  "http:": new http.Agent({ keepAlive: true, keepAliveMsecs: 10_000 }),
  "https:": new https.Agent({ keepAlive: true, keepAliveMsecs: 10_000 }),
};

/** `agent`: another agent than the keep-alive one (this home's bridge: bridge-proof.ts). */
export async function nodeFetch(
  input: string | URL,
  init: RequestInit = {},
  options: { agent?: http.Agent } = {},
): Promise<Response> {
  const url = typeof input === "string" ? new URL(input) : input;
  if (url.protocol !== "http:" && url.protocol !== "https:") return fetch(input, init);
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => {
    headers[key] = value;
  });
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== "string") return fetch(input, init); // not what the SDK sends; let the real fetch deal with it
  if (typeof body === "string") headers["content-length"] = String(Buffer.byteLength(body));
  const lib = url.protocol === "https:" ? https : http;
  return new Promise<Response>((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: init.method ?? "GET",
        headers,
        agent: options.agent ?? agents[url.protocol as "http:" | "https:"],
        ...(init.signal ? { signal: init.signal } : {}),
      },
      (res) => {
        const responseHeaders = new Headers();
        for (const [key, value] of Object.entries(res.headers)) {
          if (Array.isArray(value)) for (const v of value) responseHeaders.append(key, v);
          else if (value !== undefined) responseHeaders.set(key, value);
        }
        const status = res.statusCode ?? 500;
        const meta = { status, statusText: res.statusMessage ?? "", headers: responseHeaders };
        const noBody = status === 204 || status === 304 || init.method === "HEAD";
        if ((res.headers["content-type"] ?? "").includes("text/event-stream")) {
          resolve(new Response(Readable.toWeb(res) as ReadableStream, meta));
          return;
        }
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(new Response(noBody ? null : Buffer.concat(chunks), meta)));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body ?? undefined);
  });
}
