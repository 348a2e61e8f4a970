/**
 * Is this home's own bridge answering at a URL? "Running" means: what holds the port is proven to
 * be it before the token is sent (bridge-proof.ts), then it names itself mcp-twin-bridge in its
 * control status, asked with the token.
 */
import http from "node:http";
import net from "node:net";
import { type Proof, ProvenAgent, proveBridge, provenUrl } from "./bridge-proof.js";
import { nodeFetch } from "./keep-alive-fetch.js";
import { BRIDGE_SERVER_NAME } from "./state-folder.js";

export type ProbeResult =
  | { state: "ours"; version: string }
  | { state: "free" }
  | { state: "other"; what: string };

/** Does anything accept TCP connections there? */
export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host.replace(/^\[|\]$/g, ""), port });
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
  const agent = new ProvenAgent(() => token);
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
    const req = http.request(
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
