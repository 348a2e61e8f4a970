/**
 * A remote server's live probe: `initialize` + `tools/list` with the SDK's Streamable HTTP client
 * over the relay's fetch, with the relay's login when it has one (renewed as the relay renews it),
 * and a failure named by its cause (DNS, refused, TLS, a login needed, an HTTP status).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { VERSION } from "../../../version.js";
import { nodeFetch } from "../../bridge-control/keep-alive-fetch.js";
import { InterruptedError } from "../../errors.js";
import { untrusted } from "../../text/control-chars.js";
import type { ProbeResult, RemotePlan } from "./live-probe.js";

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
  if (error instanceof StreamableHTTPError && typeof error.code === "number" && error.code > 0) {
    const status = error.code;
    if (status === 401)
      return challenge && /^\s*bearer\b/i.test(challenge)
        ? { cause: "login", status, text: "the server asks for a login (HTTP 401, WWW-Authenticate: Bearer)" }
        : { cause: "http", status, text: "the server refused the request's credentials (HTTP 401)" };
    if (status === 403) return { cause: "http", status, text: "the server refused access (HTTP 403)" };
    if (status === 404)
      return { cause: "http", status, text: `nothing answers at ${url.pathname} (HTTP 404)` };
    if (status === 405)
      return { cause: "http", status, text: "the server does not take MCP requests there (HTTP 405)" };
    return { cause: "http", status, text: `the server answered HTTP ${status}` };
  }
  if (/ENOTFOUND|EAI_AGAIN|EAI_NONAME/.test(code))
    return { cause: "dns", text: `the host name ${url.hostname} does not resolve` };
  if (/ECONNREFUSED/.test(code))
    return { cause: "refused", text: `connection refused: nothing listens at ${where}` };
  if (/CERT|SSL|TLS|EPROTO|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(`${code} ${message}`))
    return { cause: "tls", text: `the TLS connection to ${where} failed (${code || message})` };
  if (/ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH/.test(code))
    return { cause: "network", text: `the connection to ${where} failed (${code})` };
  return { cause: "other", text: `the handshake with ${url.origin}${url.pathname} failed: ${message}` };
}

export async function probeHttpRemote(
  plan: RemotePlan,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  if (signal?.aborted) throw new InterruptedError();
  const result: ProbeResult = { ok: false, stderr: [], noise: [] };
  let url: URL;
  try {
    url = new URL(plan.url);
  } catch {
    return { ...result, cause: "other", error: `"${plan.url}" is not a URL` };
  }
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
  // The relay's fetch, noting the 401's challenge (the SDK's error keeps only the status).
  const fetchFn = async (input: string | URL, init?: RequestInit) => {
    const res = await nodeFetch(input, init);
    if (res.status === 401) challenge = res.headers.get("www-authenticate") ?? "";
    return res;
  };
  const started = performance.now();
  const attempt = async (): Promise<void> => {
    const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers }, fetch: fetchFn });
    const client = new Client({ name: "mcp-twin-doctor", version: VERSION });
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    try {
      const options = { signal: abort.signal, timeout: timeoutMs };
      await client.connect(transport, options);
      result.startupMs = Math.round(performance.now() - started);
      result.serverName = client.getServerVersion()?.name;
      result.tools = (await client.listTools(undefined, options)).tools.length;
      result.ok = true;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      await transport.terminateSession().catch(() => {});
      await client.close().catch(() => {});
    }
  };
  try {
    try {
      await attempt();
    } catch (error) {
      // A login's token refused: renewed as the relay does, and tried once more.
      if (!login || !(error instanceof StreamableHTTPError) || error.code !== 401) throw error;
      try {
        headers = { ...plan.headers, ...(await login.refused()) };
      } catch (failed) {
        result.cause = "no-login";
        result.error = (failed as Error).message.replace(/\.$/, "");
        return result;
      }
      challenge = undefined;
      await attempt();
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
