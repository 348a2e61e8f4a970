/**
 * Is this home's own bridge answering at a URL, and how to talk to it: what holds the port is proven
 * to be it before the token is sent (proof.ts), then it names itself mcp-twin-bridge in its control
 * status, asked with the token; its control routes go over proven connections too.
 */
import type http from "node:http";
import { nodeFetch, send } from "../system/keep-alive-http.js";
import { type PortHolder, portHolder } from "./holder.js";
import { proven, provenAgent } from "./proof.js";
import { BRIDGE_SERVER_NAME, type BridgeFiles } from "./state-folder.js";
import { readToken } from "./token-file.js";

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

/** What the bridge says of itself at `GET /control/status` (bridge-server/status-report.ts). */
export interface ControlStatus {
  bridge?: Record<string, unknown>;
  shares?: unknown;
}

/**
 * What answers at a URL: this home's bridge (where the proof holds, with what its control status
 * says), nothing, or something else, named (another home's bridge, a program asking for
 * credentials, a web server…) and, with `proc` (Linux, WSL), its process. No MCP session is opened,
 * so asking is never counted as a connected client, nor loads anything into a bridge that idles.
 */
type Reached =
  | { state: "ours"; url: URL; version: string; status: ControlStatus }
  | { state: "free" }
  | { state: "other"; what: string; holder?: PortHolder };

export async function reach(
  files: Pick<BridgeFiles, "token">,
  url: string | URL,
  options: { timeoutMs?: number; proc?: string | undefined; describe?: boolean } = {},
): Promise<Reached> {
  const { timeoutMs = 3000, proc } = options;
  const u = new URL(url);
  const port = Number(u.port || 80);
  if (!(await portOpen(u.hostname, port, timeoutMs))) return { state: "free" };
  const at = await proven(files, u, { timeoutMs });
  const answer = at ? await control(at, { method: "GET", route: "status", timeoutMs }) : undefined;
  const status = (answer?.ok ? answer.body : undefined) as ControlStatus | undefined;
  const { name, version } = status?.bridge ?? {};
  if (at && status && name === BRIDGE_SERVER_NAME && typeof version === "string")
    return { state: "ours", url: at.url, version, status };
  // `describe: false`: the caller knows what should answer there, and needs no name for it.
  if (options.describe === false) return { state: "other", what: "no answer from this home's bridge" };
  const what =
    typeof name === "string" && typeof version === "string"
      ? `a server calling itself ${name} ${version}, not this mcp-twin bridge`
      : await describe(u, timeoutMs);
  // Who holds the port is extra detail: without it the words still say what answers.
  const holder = proc ? await portHolder(port, proc).catch(() => undefined) : undefined;
  return { state: "other", what, ...(holder ? { holder } : {}) };
}

export type ControlAnswer = { ok: true; body: unknown } | { ok: false; status?: number; error: string };

/**
 * One of the bridge's control routes (`/control/*`; `route`: after it, `reload`, `restart/x`),
 * asked with its token over a connection proven first to reach it, its JSON answer read. `to`: the
 * bridge's address (any path of it), with the state folder that has the token, or the token.
 */
export async function control(
  to: { url: string | URL } & ({ files: Pick<BridgeFiles, "token"> } | { token: string | null }),
  request: { method: "GET" | "POST"; route: string; timeoutMs: number; body?: unknown },
): Promise<ControlAnswer> {
  const { method, route, body } = request;
  const token = "token" in to ? to.token : await readToken(to.files.token);
  if (!token) return { ok: false, error: "the bridge's token cannot be read from here" };
  // The token goes only over a connection proven to reach this home's bridge.
  const agent = provenAgent(() => token);
  try {
    const res = await nodeFetch(
      new URL(`/control/${route}`, to.url),
      {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
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

/** What answers there, in words, from a plain HTTP request without credentials. */
async function describe(url: URL, timeoutMs: number): Promise<string> {
  const accept = "application/json, text/event-stream";
  const headers = { "content-type": "application/json", accept };
  try {
    const res = await send(url, { method: "POST", headers, body: "{}", timeoutMs });
    res.resume();
    return describeAnswer(res.statusCode ?? 0, res.headers);
  } catch (error) {
    const silent = (error as { code?: unknown }).code === "ETIMEDOUT";
    return `a program that accepts connections but does not ${silent ? "answer" : "speak"} HTTP`;
  }
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
