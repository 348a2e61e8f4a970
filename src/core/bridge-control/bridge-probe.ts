/**
 * Is this home's own bridge answering at a URL? "Running" means: what holds the port is proven to
 * be it before the token is sent (bridge-proof.ts), then it names itself mcp-twin-bridge with the
 * token: in its control status, or (a bridge of an older mcp-twin) in an MCP `initialize`.
 */
import http from "node:http";
import net from "node:net";
import { VERSION } from "../../version.js";
import { type Proof, ProvenAgent, proveBridge, provenUrl } from "./bridge-proof.js";
import { nodeFetch } from "./keep-alive-fetch.js";
import { BRIDGE_SERVER_NAME, PROBE_CLIENT } from "./state-folder.js";

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
 * bridge, a program asking for credentials, a web server…). A probe ends its session at once
 * (DELETE), and calls itself `mcp-twin-probe`, which the bridge does not count as a connected client.
 */
export async function probeBridge(url: string, token: string | null, timeoutMs = 3000): Promise<ProbeResult> {
  const u = new URL(url);
  const port = Number(u.port || 80);
  if (!(await portOpen(u.hostname, port, timeoutMs))) return { state: "free" };
  const proof = token ? await proveBridge(u, token, timeoutMs) : null;
  if (token && proof) {
    const answer =
      (await statusOf(u, token, timeoutMs, proof)) ?? (await initialize(u, token, timeoutMs, proof));
    if (answer.ok && answer.name === BRIDGE_SERVER_NAME) return { state: "ours", version: answer.version };
    if (answer.ok)
      return {
        state: "other",
        what: `another MCP server (${answer.name} ${answer.version}), not this mcp-twin bridge`,
      };
  }
  return { state: "other", what: await describe(u, timeoutMs) };
}

/** The SDK's Streamable HTTP client for a proven bridge: at the proven address, each connection proven. */
async function provenClient(url: URL, token: string, proof: Proof) {
  // 2025-11-25 (the client's default): every bridge answers initialize, an older one too.
  const { Client, StreamableHTTPClientTransport } = await import("@modelcontextprotocol/client");
  const agent = new ProvenAgent(() => token);
  const transport = new StreamableHTTPClientTransport(provenUrl(url, proof), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
    fetch: (input, init) => nodeFetch(input, init, { agent }),
  });
  const client = new Client({ name: PROBE_CLIENT, version: VERSION });
  return { client, transport, agent };
}

/**
 * The bridge's name and version from its `GET /control/status` (at the proven address): no MCP
 * session, so a bridge just started stays as light as it idles. Undefined where it does not say
 * them (a bridge of an older mcp-twin): the caller asks `initialize`.
 */
async function statusOf(
  url: URL,
  token: string,
  timeoutMs: number,
  proof: Proof,
): Promise<{ ok: true; name: string; version: string } | undefined> {
  const bridge = (await controlStatus(url, token, timeoutMs, proof))?.bridge;
  return typeof bridge?.name === "string" && typeof bridge.version === "string"
    ? { ok: true, name: bridge.name, version: bridge.version }
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
    return undefined;
  } finally {
    agent.destroy();
  }
}

async function initialize(
  url: URL,
  token: string,
  timeoutMs: number,
  proof: Proof,
): Promise<{ ok: true; name: string; version: string } | { ok: false }> {
  const { client, transport, agent } = await provenClient(url, token, proof);
  try {
    await client.connect(transport, { timeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
    const info = client.getServerVersion();
    await transport.terminateSession().catch(() => {});
    return { ok: true, name: info?.name ?? "unnamed", version: info?.version ?? "?" };
  } catch {
    return { ok: false };
  } finally {
    await client.close().catch(() => {});
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

/**
 * What the bridge says about itself (status-report.ts), asked as a probe; null if it cannot. Its
 * control status has it; a bridge of an older mcp-twin is asked its `bridge_status` tool.
 */
export async function bridgeDetails(
  url: string,
  token: string,
  timeoutMs = 5000,
): Promise<Record<string, unknown> | null> {
  const u = new URL(url);
  const proof = await proveBridge(u, token, timeoutMs);
  if (!proof) return null;
  const status = await controlStatus(u, token, timeoutMs, proof);
  if (typeof status?.bridge?.pid === "number") return { ...status.bridge, shares: status.shares };
  const { client, transport, agent } = await provenClient(u, token, proof);
  try {
    await client.connect(transport, { timeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
    const result = await client.callTool(
      { name: "bridge_status", arguments: {} },
      {
        timeout: timeoutMs,
      },
    );
    await transport.terminateSession().catch(() => {});
    const data = result.structuredContent;
    return data && typeof data === "object" ? (data as Record<string, unknown>) : null;
  } catch {
    return null;
  } finally {
    await client.close().catch(() => {});
    agent.destroy();
  }
}
