/**
 * Why a message could not be delivered, in words a user can act on, from the error of either
 * side: a refused or broken connection, a status, an answer too large or not one, a holder that is
 * not this home's bridge.
 */
import { gatewayDownMessage } from "../bridge-control/gateway-down.js";
import { tokenScope } from "../bridge-link/index.js";
import { HttpStatusError, TooLargeError } from "../system/keep-alive-http.js";
import { jsonRpcMessageIn } from "../text/json-rpc-message.js";

/** A server that answered, but not with the answer asked for (none, garbage, another request's). */
export class NoAnswer extends Error {}

export interface Failure {
  status?: number;
  /** It answered, with nothing a client can take as the answer. */
  noAnswer?: boolean;
  /** The other end is gone, or not the one asked for: starting (or finding) it again may help. */
  refused: boolean;
  /** A 401 whose WWW-Authenticate points at an OAuth login (RFC 9728's resource_metadata). */
  login?: boolean;
  message: string;
}

export function describeFailure(error: unknown): Failure {
  const raw = error instanceof Error ? error.message : String(error);
  const e = error as { code?: unknown; cause?: { code?: unknown } } | undefined;
  const code = String(e?.code ?? e?.cause?.code ?? "");
  const text = `${code} ${raw}`;
  const refused = /ECONNREFUSED|ECONNRESET|EPIPE|EBRIDGEPROOF/.test(text);
  if (error instanceof HttpStatusError) {
    const status = error.status;
    const login = status === 401 && /resource_metadata\s*=/i.test(error.authenticate ?? "");
    let message = `HTTP ${status}: ${raw.replace(/^HTTP \d+:?\s*/, "")}`.replace(/:\s*$/, "");
    if (status === 401) message = "it refuses the credentials (HTTP 401)";
    else if (status === 403) message = "it refuses this client (HTTP 403)";
    else if (status === 404) message = "no MCP endpoint or session there (HTTP 404)";
    return { status, refused: false, ...(login ? { login } : {}), message: message.slice(0, 300) };
  }
  // An answer too large was an answer: the other end is there (not "down"), its answer not taken.
  if (error instanceof NoAnswer || error instanceof TooLargeError)
    return { refused: false, noAnswer: true, message: raw.slice(0, 300) };
  let message = raw;
  if (code === "EBRIDGEPROOF") message = "what answers there is not this home's bridge";
  else if (/ECONNREFUSED/.test(text)) message = "nothing answers there (connection refused)";
  else if (/ECONNRESET|EPIPE|socket hang up/.test(text))
    message = "the connection was closed before an answer came";
  else if (/ENOTFOUND|EAI_AGAIN/.test(text)) message = "its host name does not resolve";
  else if (/ETIMEDOUT|timed? ?out/i.test(text)) message = "it did not answer in time";
  return { refused, message: message.slice(0, 300) };
}

/**
 * What the client reads in the JSON-RPC error: a remote that wants credentials is said to want
 * them (it is reachable); anything else makes the other end unreachable, with why.
 */
export function failureText(name: string, bridge: boolean, f: Failure, url?: URL): string {
  // A shared server's (or /tools') gateway that does not answer (and could not be started): what to do.
  if (bridge && url && f.status === undefined && !f.noAnswer && tokenScope(url.pathname) !== undefined)
    return gatewayDownMessage(url, f.message);
  if (f.status === 401 && !bridge)
    return `mcp-twin: ${name} needs credentials (HTTP 401): ${
      f.login
        ? "it asks for a login (OAuth) that this entry does not have"
        : "set its Authorization header (the manifest's headers, or connect --header)"
    }`;
  if (f.noAnswer) return `mcp-twin: ${name} sent no valid answer: ${f.message}`;
  // It answered, with an error status: reachable, and its JSON-RPC error (when it sent one) says why.
  if (f.status !== undefined && f.status !== 401 && f.status !== 403)
    return `mcp-twin: ${name} answered HTTP ${f.status}: ${jsonRpcMessageIn(f.message) ?? f.message.replace(/^HTTP \d+:\s*/, "")}`;
  return `mcp-twin: ${name} is unreachable: ${f.message}`;
}
