/**
 * Is this home's own bridge answering at a URL, and how to talk to it: what holds the port is proven
 * to be it before the token is sent (proof.ts), then it names itself mcp-twin-bridge in its control
 * status, asked with the token; its control routes go over proven connections too.
 */
import type http from "node:http";
import { type Proof, proveBridge, provenAgent, provenUrl } from "./proof.js";
import { BRIDGE_SERVER_NAME } from "./where.js";

export type ProbeResult =
  | { state: "ours"; version: string }
  | { state: "free" }
  | { state: "other"; what: string };

/** Does anything accept TCP connections there? */
export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = process.getBuiltinModule("node:net").connect({ host: host.replace(/^\[|\]$/g, ""), port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/**
 * Anything else holding the port is described, so the user is told what it is (another home's
 * bridge, a program asking for credentials, a web server…). A probe opens no MCP session, so it is
 * never counted as a connected client.
 */
export async function probeBridge(url: string, token: string | null, timeoutMs = 3000): Promise<ProbeResult> {
  const u = new URL(url);
  const port = Number(u.port || 80);
  if (!(await portOpen(u.hostname, port, timeoutMs))) return { state: "free" };
  const proof = token ? await proveBridge(u, token, timeoutMs) : null;
  const answer = token && proof ? await statusOf(u, token, timeoutMs, proof) : undefined;
  if (answer?.name === BRIDGE_SERVER_NAME) return { state: "ours", version: answer.version };
  if (answer)
    return {
      state: "other",
      what: `a server calling itself ${answer.name} ${answer.version}, not this mcp-twin bridge`,
    };
  return { state: "other", what: await describe(u, timeoutMs) };
}

/**
 * The bridge's name and version from its `GET /control/status` (at the proven address): no MCP
 * session, so a bridge just started stays as light as it idles. Undefined where it does not say
 * them: what answers is not an mcp-twin bridge.
 */
async function statusOf(
  url: URL,
  token: string,
  timeoutMs: number,
  proof: Proof,
): Promise<{ name: string; version: string } | undefined> {
  const bridge = (await controlStatus(url, token, timeoutMs, proof))?.bridge;
  return typeof bridge?.name === "string" && typeof bridge.version === "string"
    ? { name: bridge.name, version: bridge.version }
    : undefined;
}

interface ControlStatus {
  bridge?: Record<string, unknown>;
  shares?: unknown;
}

/** The proven bridge's `GET /control/status`, or undefined where it does not answer one. */
async function controlStatus(
  url: URL,
  token: string,
  timeoutMs: number,
  proof: Proof,
): Promise<ControlStatus | undefined> {
  const agent = provenAgent(() => token);
  try {
    const res = await nodeFetch(
      new URL("/control/status", provenUrl(url, proof)),
      { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(timeoutMs) },
      { agent },
    );
    if (!res.ok) return undefined;
    const body: unknown = await res.json();
    return body && typeof body === "object" ? (body as ControlStatus) : undefined;
  } catch {
    // Refused, timed out or not JSON: it has no control status to give.
    return undefined;
  } finally {
    agent.destroy();
  }
}

/** What answers there, in words, from a plain HTTP request without credentials. */
function describe(url: URL, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    const req = process.getBuiltinModule("node:http").request(
      url,
      {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        resolve(describeAnswer(res.statusCode ?? 0, res.headers));
      },
    );
    req.on("timeout", () => {
      req.destroy();
      resolve("a program that accepts connections but does not answer HTTP");
    });
    req.on("error", () => resolve("a program that accepts connections but does not speak HTTP"));
    req.end("{}");
  });
}

/** Pure: an HTTP answer to a request without credentials, in words. */
export function describeAnswer(status: number, headers: http.IncomingHttpHeaders): string {
  const auth = String(headers["www-authenticate"] ?? "");
  const server = headers.server ? ` (${String(headers.server).slice(0, 60)})` : "";
  if (status === 401 && /realm="mcp-twin"/.test(auth))
    return "another mcp-twin bridge, which does not accept this home's token (a bridge of another home, or of another WSL distro: distros share one network)";
  if (status === 401 || status === 403)
    return `a program that asks for credentials this bridge does not have (HTTP ${status}${server})`;
  return `a web server that is not this bridge (HTTP ${status}${server})`;
}

/** What the bridge says about itself (status-report.ts), from its control status; null if it cannot. */
export async function bridgeDetails(
  url: string,
  token: string,
  timeoutMs = 5000,
): Promise<Record<string, unknown> | null> {
  const u = new URL(url);
  const proof = await proveBridge(u, token, timeoutMs);
  const status = proof ? await controlStatus(u, token, timeoutMs, proof) : undefined;
  return typeof status?.bridge?.pid === "number" ? { ...status.bridge, shares: status.shares } : null;
}

export type ControlAnswer = { ok: true; body: unknown } | { ok: false; status?: number; error: string };

/** `url`: the bridge's address (any path of it); `route`: after `/control/` (`reload`, `restart/x`). */
export async function controlRoute(
  url: string,
  token: string,
  request: { method: "GET" | "POST"; route: string; timeoutMs: number; body?: unknown },
): Promise<ControlAnswer> {
  const { method, route } = request;
  // The token goes only over a connection proven to reach this home's bridge.
  const agent = provenAgent(() => token);
  try {
    const res = await nodeFetch(
      new URL(`/control/${route}`, url),
      {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(request.body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        signal: AbortSignal.timeout(request.timeoutMs),
      },
      { agent },
    );
    const text = await res.text();
    if (!res.ok)
      return {
        ok: false,
        status: res.status,
        error: `${method} /control/${route} answered HTTP ${res.status}`,
      };
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch (error) {
    return {
      ok: false,
      error: `${method} /control/${route}: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    agent.destroy();
  }
}

/** The keep-alive agents of nodeFetch, made on first use (node:http and node:https load then). */
const agents: { "http:"?: http.Agent; "https:"?: http.Agent } = {};

/**
 * A small `fetch` over node:http with a keep-alive agent (the global fetch costs more per loopback
 * call). `agent`: another agent than the keep-alive one (this home's bridge: proof.ts).
 */
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
  const lib = process.getBuiltinModule(url.protocol === "https:" ? "node:https" : "node:http");
  if (!options.agent) agents[url.protocol] ??= new lib.Agent({ keepAlive: true, keepAliveMsecs: 10_000 });
  const agent = options.agent ?? agents[url.protocol];
  return new Promise<Response>((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: init.method ?? "GET",
        headers,
        agent,
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
          resolve(
            new Response(process.getBuiltinModule("node:stream").Readable.toWeb(res) as ReadableStream, meta),
          );
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
