/**
 * Revoking a login at its provider (RFC 7009) where its authorization server advertises a
 * `revocation_endpoint`: the refresh token (which ends the whole grant), then the access token.
 */
import {
  type FetchLike,
  OAuthError,
  parseErrorResponse,
  selectClientAuthMethod,
} from "@modelcontextprotocol/client";
import { OperationError } from "../errors.js";
import { reason } from "./discovery.js";
import { checkEndpoint, guardedFetch } from "./endpoints.js";
import { oauthFetch } from "./oauth-fetch.js";
import type { StoredLogin } from "./token-store.js";

/** What the provider was told: revoked, not offered (no endpoint), or it could not be told (why). */
export type Revocation =
  | { outcome: "revoked"; endpoint: string }
  | { outcome: "not-offered" }
  | { outcome: "failed"; endpoint?: string; message: string };

/** The revocation endpoint the login's provider advertises, if any (not yet checked). */
export function revocationEndpoint(login: StoredLogin): string | undefined {
  const value = login.metadata.revocation_endpoint;
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * Ask the provider to revoke the login's tokens. Each request goes through the fetch every OAuth
 * request of mcp-twin takes (15 s, 1 MiB, Ctrl-C) and the endpoint rule (https, or http to this
 * machine); no token is ever part of what this returns. Never throws for the provider's sake:
 * a failure is an outcome, and the local copy is forgotten all the same by the caller.
 */
export async function revokeLogin(
  login: StoredLogin,
  options: { fetchFn?: FetchLike; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<Revocation> {
  const endpoint = revocationEndpoint(login);
  if (!endpoint) return { outcome: "not-offered" };
  try {
    const url = checkEndpoint(
      `The authorization server of ${login.server} names its revocation endpoint (revocation_endpoint)`,
      endpoint,
      "the tokens to revoke",
    );
    const fetchFn = guardedFetch(
      options.fetchFn ??
        oauthFetch({
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        }),
      login.server,
    );
    const tokens: Array<[string, string]> = [
      ...(login.tokens.refresh_token
        ? [[login.tokens.refresh_token, "refresh_token"] as [string, string]]
        : []),
      [login.tokens.access_token, "access_token"],
    ];
    for (const [token, hint] of tokens)
      await revokeOne(url, login, token, hint, fetchFn).catch((error: unknown) => {
        // A provider that revokes only refresh tokens (RFC 7009 §2.2.1) ended the grant with the
        // first request: its no to the access token is not a failure.
        const unsupported = error instanceof OAuthError && error.code === "unsupported_token_type";
        if (!(unsupported && hint === "access_token" && tokens.length > 1)) throw error;
      });
    return { outcome: "revoked", endpoint: url.href };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    // The endpoint rule's refusal is said whole (it says nothing was sent); others by their cause.
    const refused = error instanceof OperationError && error.code === "oauth-endpoint";
    return {
      outcome: "failed",
      endpoint,
      message: (refused ? error.message : reason(error)).replace(/\.$/, ""),
    };
  }
}

/** One token: a form POST with the client's authentication, as for the token endpoint. */
async function revokeOne(
  url: URL,
  login: StoredLogin,
  token: string,
  hint: string,
  fetchFn: FetchLike,
): Promise<void> {
  const params = new URLSearchParams({ token, token_type_hint: hint });
  const headers = new Headers({
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  });
  const supported = login.metadata.revocation_endpoint_auth_methods_supported;
  const method = selectClientAuthMethod(
    login.client,
    Array.isArray(supported) ? supported.filter((m): m is string => typeof m === "string") : [],
  );
  const { client_id: id, client_secret: secret } = login.client;
  if (method === "client_secret_basic" && secret !== undefined)
    headers.set(
      "authorization",
      `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`,
    );
  else {
    params.set("client_id", id);
    if (method === "client_secret_post" && secret !== undefined) params.set("client_secret", secret);
  }
  const response = await fetchFn(url, { method: "POST", headers, body: params });
  // RFC 7009 §2.2: 200 whether or not the token was still valid; anything else is an error.
  if (response.status === 200) {
    // The status is all that is read: a body already ended has nothing to cancel.
    await response.body?.cancel().catch(() => {});
    return;
  }
  if (response.status >= 400 && response.status < 500) throw await parseErrorResponse(response);
  // The status is all that is read: a body already ended has nothing to cancel.
  await response.body?.cancel().catch(() => {});
  throw new Error(`${url.origin}${url.pathname} answered HTTP ${response.status}`);
}
