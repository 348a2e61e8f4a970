/**
 * One `connect` session: where the relay goes and with which credentials (bridge-target.ts: the
 * bridge's token only to a holder proven to be it; a remote's headers, token file or login), then
 * the relay itself until the client goes (http-relay.ts, or sse-relay.ts loaded for SSE).
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { LifecycleHost } from "../../core/bridge-control/lifecycle.js";
import { tokenScope } from "../../core/bridge-link/index.js";
import { ExitCode, OperationError } from "../../core/errors.js";
import type { LoginHeaders } from "../../core/oauth/relay-auth.js";
import { bridgeShaped, bridgeTarget, type RelayTarget } from "../../core/relay/bridge-target.js";
import { StreamableHttpRelay } from "../../core/relay/http-relay.js";
import { closeAgents } from "../../core/system/keep-alive-http.js";
import type { RelayLog } from "../../ui/relay-log.js";
import type { PreparedConnect } from "./prepare.js";

interface ConnectIo {
  host: LifecycleHost & { cwd: string };
  /**
   * `info`: news (starting the bridge, a new session); `error`: a failure (a message not delivered,
   * the server unreachable); `addSecrets`: values to mask in everything printed.
   */
  out: Pick<RelayLog, "info" | "error" | "addSecrets">;
  signal: AbortSignal;
}

export async function runConnect(p: PreparedConnect, io: ConnectIo): Promise<number> {
  io.out.addSecrets(p.secrets);
  if (p.transport === "sse") {
    // An SSE remote: never the local bridge (it speaks Streamable HTTP), so no bridge token.
    const { SseRelay } = await import("../../core/relay/sse-relay.js");
    const how = await new SseRelay({
      url: p.url,
      headers: explicitHeaders(p, io),
      log: io.out.error,
      ...streams(io),
    }).run();
    closeAgents();
    return how === "lost" ? ExitCode.failed : ExitCode.ok;
  }
  const target = await targetOf(withShareHeaders(p, io.host.cwd), io);
  const auth = p.auth ? await openAuth(p.auth, p, io) : undefined;
  const code = await new StreamableHttpRelay({
    ...target,
    auth,
    log: io.out.error,
    note: io.out.info,
    ...streams(io),
  }).run();
  // The relay's connections end with it (a bridge in this process keeps its own: core/remote-upstream).
  target.agent?.destroy();
  closeAgents();
  return code;
}

/** Whether it relays to a shared server or `/tools` of the bridge (it names a session there, and ends it). */
export function relaysShare(p: PreparedConnect): boolean {
  return tokenScope(p.url.pathname) !== undefined && bridgeShaped(p.url);
}

/**
 * A shared server's relay names its project (its working folder) and its session (one per relay
 * process), as a url entry's client does with its own variables: the gateway picks the server's
 * process by them. A folder that is not plain ASCII cannot go in a header: the gateway then says
 * the folder is missing. Headers given on the command line win.
 */
function withShareHeaders(p: PreparedConnect, cwd: string): PreparedConnect {
  if (!relaysShare(p)) return p;
  const given = new Set(Object.keys(p.headers).map((k) => k.toLowerCase()));
  const headers = { ...p.headers };
  if (!given.has("mcp-twin-project") && /^[\x20-\x7e]+$/.test(cwd)) headers["Mcp-Twin-Project"] = cwd;
  if (!given.has("mcp-twin-session")) headers["Mcp-Twin-Session"] = randomUUID();
  return { ...p, headers };
}

const streams = (io: ConnectIo) => ({ stdin: process.stdin, stdout: process.stdout, signal: io.signal });

/** The headers given, with the token file's token (read at each call: a rotated token). */
function explicitHeaders(p: PreparedConnect, io: ConnectIo): Record<string, string> {
  if (p.hasAuth || !p.tokenFile) return p.headers;
  const token = readFileSync(p.tokenFile, "utf8").trim();
  if (!token) return p.headers;
  io.out.addSecrets([token]);
  return { ...p.headers, Authorization: `Bearer ${token}` };
}

async function targetOf(p: PreparedConnect, io: ConnectIo): Promise<RelayTarget> {
  // Credentials given go where they are told; a login's are the login's (never the bridge's).
  if (p.hasAuth || p.tokenFile || p.auth || !bridgeShaped(p.url))
    return {
      bridge: !p.auth && bridgeShaped(p.url),
      url: p.url,
      headers: async () => explicitHeaders(p, io),
    };
  try {
    return await bridgeTarget({
      url: p.url,
      start: p.start,
      host: io.host,
      log: io.out.info,
      configured: async () => {
        const { loadBridgeSettings } = await import("../../core/bridge-control/settings.js");
        return loadBridgeSettings(io.host as Parameters<typeof loadBridgeSettings>[0]);
      },
      headers: p.headers,
      ...(p.client ? { client: p.client } : {}),
      secret: (value) => io.out.addSecrets([value]),
    });
  } catch (error) {
    // The bridge cannot be had (its port held by another program, or it did not start): the
    // client's requests are answered with why (an MCP error it shows), never relayed elsewhere.
    if (!(error instanceof OperationError)) throw error;
    const why = `mcp-twin: ${error.message}${error.hint ? ` ${error.hint}` : ""}`;
    return { bridge: true, url: p.url, headers: () => Promise.reject(new Error(why)) };
  }
}

/**
 * `--auth`: mcp-twin's login to that manifest server, from the home (its code loaded only then);
 * one that cannot be had answers every request with why.
 */
async function openAuth(server: string, p: PreparedConnect, io: ConnectIo): Promise<LoginHeaders> {
  try {
    const { homeLoginHeaders } = await import("../../core/oauth/relay-auth.js");
    const addSecret = (value: string) => io.out.addSecrets([value]);
    return await homeLoginHeaders(io.host.env, { server, url: p.url.href, addSecret });
  } catch (error) {
    const refuse = () => Promise.reject(error);
    return { headers: refuse, refused: refuse };
  }
}
