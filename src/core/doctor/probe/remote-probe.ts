/**
 * A remote server's live probe: its era settled as a negotiating client does (`server/discover`,
 * else `initialize`), then `tools/list`, with the SDK's Streamable HTTP client over the relay's
 * fetch and login (renewed as the relay renews it); a failure named by its cause.
 */
import {
  Client,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  type VersionNegotiationMode,
} from "@modelcontextprotocol/client";
import { VERSION } from "../../../version.js";
import { InterruptedError } from "../../errors.js";
import { MAX_MESSAGE_BYTES } from "../../jsonrpc/messages.js";
import { limitedResponse } from "../../system/bounded-body.js";
import { nodeFetch, TooLargeError } from "../../system/keep-alive-http.js";
import { untrusted } from "../../text/control-chars.js";
import { jsonRpcMessageIn } from "../../text/json-rpc-message.js";
import {
  listEveryTool,
  type ProbeResult,
  type ProtocolSeen,
  parseProbeUrl,
  type RemotePlan,
} from "./live-probe.js";

/** The HTTP status an SDK error of Streamable HTTP carries (401 for its UnauthorizedError), if any. */
function statusOf(error: unknown): number | undefined {
  if (error instanceof UnauthorizedError) return 401;
  if (error instanceof SdkHttpError) return error.status;
  return undefined;
}

/** Why a remote could not be reached or used, in a few words, and which kind of cause it is. */
export function remoteCause(
  url: URL,
  error: unknown,
  challenge: string | undefined,
): { cause: NonNullable<ProbeResult["cause"]>; text: string; status?: number } {
  const message = untrusted(error instanceof Error ? error.message : String(error)).slice(0, 300);
  const code = String(
    (error as { code?: unknown })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code ?? "",
  );
  const where = `${url.hostname}${url.port ? `:${url.port}` : ""}`;
  const status = statusOf(error);
  if (status !== undefined) {
    if (status === 401)
      return challenge && /^\s*bearer\b/i.test(challenge)
        ? { cause: "login", status, text: "the server asks for a login (HTTP 401, WWW-Authenticate: Bearer)" }
        : { cause: "http", status, text: "the server refused the request's credentials (HTTP 401)" };
    if (status === 403) return { cause: "http", status, text: "the server refused access (HTTP 403)" };
    if (status === 404)
      return { cause: "http", status, text: `nothing answers at ${url.pathname} (HTTP 404)` };
    if (status === 405)
      return { cause: "http", status, text: "the server does not take MCP requests there (HTTP 405)" };
    // A JSON-RPC error in the answer's body (the bridge's, for a shared server that did not start) says why.
    const body = String((error as { data?: { text?: unknown } })?.data?.text ?? "");
    const said = jsonRpcMessageIn(`${body} ${message}`);
    return {
      cause: "http",
      status,
      // Its own full stop dropped: the finding ends the sentence (never "…wsl:Ubuntu..").
      text: `the server answered HTTP ${status}${said ? `: ${untrusted(said).slice(0, 200).replace(/\.+$/, "")}` : ""}`,
    };
  }
  const walk = `${code} ${message} ${String((error as { cause?: { code?: unknown } })?.cause?.code ?? "")}`;
  if (/ENOTFOUND|EAI_AGAIN|EAI_NONAME/.test(walk))
    return { cause: "dns", text: `the host name ${url.hostname} does not resolve` };
  if (/ECONNREFUSED/.test(walk))
    return { cause: "refused", text: `connection refused: nothing listens at ${where}` };
  if (/CERT|SSL|TLS|EPROTO|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(walk))
    return { cause: "tls", text: `the TLS connection to ${where} failed (${code || message})` };
  if (/ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH/.test(walk))
    return { cause: "network", text: `the connection to ${where} failed (${code})` };
  return { cause: "other", text: `the handshake with ${url.origin}${url.pathname} failed: ${message}` };
}

/** A failure of the era question itself that a 2025 client would not meet: asked again without it. */
function negotiationOnly(error: unknown): boolean {
  return (
    error instanceof SdkError &&
    error.code === SdkErrorCode.EraNegotiationFailed &&
    (statusOf(error) ?? 500) >= 500
  );
}

/** The HTTP status and JSON-RPC error a request whose body names `server/discover` got. */
interface DiscoverAnswer {
  status: number;
  ms: number;
}

export async function probeHttpRemote(
  plan: RemotePlan,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const url = parseProbeUrl(plan, signal);
  if (!(url instanceof URL)) return url;
  const result: ProbeResult = { ok: false, stderr: [], noise: [] };
  let login: import("../../oauth/relay-auth.js").LoginHeaders | undefined;
  let headers = { ...plan.headers };
  if (plan.login) {
    const { loginHeaders } = await import("../../oauth/relay-auth.js");
    login = loginHeaders({ ...plan.login, url: plan.url, addSecret: () => {} });
    try {
      headers = { ...headers, ...(await login.headers()) };
    } catch (error) {
      return { ...result, cause: "no-login", error: (error as Error).message.replace(/\.$/, "") };
    }
  }
  let challenge: string | undefined;
  let discover: DiscoverAnswer | undefined;
  const started = performance.now();
  // The relay's fetch, noting the 401's challenge (the SDK's error keeps no header) and what the
  // era question got.
  const fetchFn = async (input: string | URL | Request, init?: RequestInit) => {
    const res = await nodeFetch(input as string | URL, init, { maxBytes: MAX_MESSAGE_BYTES });
    if (res.status === 401) challenge = res.headers.get("www-authenticate") ?? "";
    if (typeof init?.body === "string" && init.body.includes('"server/discover"'))
      discover ??= { status: res.status, ms: Math.round(performance.now() - started) };
    // An answer (or a stream of them) past the relay's message limit is no answer: a flooding
    // server never fills memory.
    return limitedResponse(res, MAX_MESSAGE_BYTES, () => new TooLargeError(MAX_MESSAGE_BYTES));
  };
  const attempt = async (mode: VersionNegotiationMode): Promise<void> => {
    const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers }, fetch: fetchFn });
    const client = new Client(
      { name: "mcp-twin-doctor", version: VERSION },
      { versionNegotiation: { mode } },
    );
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const options = { signal: abort.signal, timeout: timeoutMs };
      await client.connect(transport, options);
      result.startupMs = Math.round(performance.now() - started);
      result.serverName = client.getServerVersion()?.name;
      result.protocol = protocolOf(client, mode, discover);
      result.toolDefs = await listEveryTool(client, options);
      result.tools = result.toolDefs.length;
      result.ok = true;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      // The probe's result is decided; ending the session and the client is best effort.
      await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
    }
  };
  try {
    try {
      await attempt("auto");
    } catch (error) {
      // The era question answered HTTP 5xx: not a 2025 server's no, but a 2025 client never asks
      // it; the handshake is tried without it, and protocol.discover says what it got.
      if (negotiationOnly(error))
        await attempt("legacy"); // the SDK's name (VersionNegotiationMode)
      // A login's token refused: renewed as the relay does, and tried once more.
      else if (login && statusOf(error) === 401) {
        try {
          headers = { ...plan.headers, ...(await login.refused()) };
        } catch (failed) {
          result.cause = "no-login";
          result.error = (failed as Error).message.replace(/\.$/, "");
          return result;
        }
        challenge = undefined;
        discover = undefined;
        await attempt("auto");
      } else throw error;
    }
  } catch (error) {
    if (signal?.aborted) throw new InterruptedError();
    const timedOut = performance.now() - started >= timeoutMs - 50;
    if (timedOut) {
      result.timedOut = true;
      result.cause = "timeout";
      result.error = `no answer to initialize/tools/list from ${url.origin}${url.pathname} within ${Math.round(timeoutMs / 1000)} s`;
    } else {
      const named = remoteCause(url, error, challenge);
      result.cause = named.cause;
      result.error = named.text;
      if (named.status) result.status = named.status;
    }
  }
  return result;
}

/** The era settled on, and what the era question got (its HTTP status when it was no). */
function protocolOf(
  client: Client,
  mode: VersionNegotiationMode,
  discover: DiscoverAnswer | undefined,
): ProtocolSeen {
  const version = client.getNegotiatedProtocolVersion() ?? "unknown";
  if (client.getProtocolEra() === "modern") return { version, discover: { answeredMs: discover?.ms ?? 0 } };
  if (!discover) return { version, discover: mode === "legacy" /* SDK's name */ ? {} : { notAsked: true } };
  return { version, discover: { answeredMs: discover.ms, error: { status: discover.status } } };
}
