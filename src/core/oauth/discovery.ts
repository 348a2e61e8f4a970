/**
 * Which authorization server guards a remote MCP server: RFC 9728 resource metadata, then RFC 8414
 * / OpenID metadata (the MCP SDK's discovery), plus what the SDK leaves to its caller: every address
 * checked (endpoints.ts), the issuer (RFC 8414 §3.3), PKCE S256 required, the RFC 8707 resource.
 */
import {
  checkResourceAllowed,
  discoverAuthorizationServerMetadata,
  discoverOAuthProtectedResourceMetadata,
  extractWWWAuthenticateParams,
  type FetchLike,
  OAuthError,
  type OAuthProtectedResourceMetadata,
  resourceUrlFromServerUrl,
} from "@modelcontextprotocol/client";
import { OperationError } from "../errors.js";
import { untrusted } from "../text/control-chars.js";
import { checkEndpoint, checkMetadata, guardedFetch } from "./endpoints.js";
import type { ServerMetadata } from "./token-store.js";

export interface Discovered {
  authorizationServer: string;
  metadata: ServerMetadata;
  /** RFC 8707: the resource indicator for this server (the metadata's, else its own URL). */
  resource: string;
  /** The scopes to ask for: the 401's `scope`, else the resource metadata's. */
  scope?: string;
}

/** The hints an unauthenticated request's 401 carries (`WWW-Authenticate: Bearer …`). */
async function challengeOf(
  url: string,
  fetchFn: FetchLike,
): Promise<{ resourceMetadataUrl?: URL; scope?: string }> {
  try {
    // No MCP message: the server's answer to a bare POST without credentials is its challenge.
    const res = await fetchFn(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: "{}",
    });
    // The status is all that is read: a body already ended has nothing to cancel.
    await res.body?.cancel().catch(() => {});
    if (res.status !== 401) return {};
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(res);
    return { ...(resourceMetadataUrl ? { resourceMetadataUrl } : {}), ...(scope ? { scope } : {}) };
  } catch {
    return {};
  }
}

/** Tolerates one trailing `/` and spelling differences of scheme, host and default port. */
export function sameIssuer(a: string, b: string): boolean {
  const norm = (s: string) => {
    try {
      return new URL(s).href.replace(/\/$/, "");
    } catch {
      return s.replace(/\/$/, "");
    }
  };
  return norm(a) === norm(b);
}

export async function discover(
  server: string,
  url: string,
  fetchFn: FetchLike,
  configuredScope?: string,
): Promise<Discovered> {
  const hint = await challengeOf(url, fetchFn);
  if (hint.resourceMetadataUrl)
    checkEndpoint(
      `${server} (${url}) names its resource metadata (in its 401)`,
      hint.resourceMetadataUrl.href,
    );
  let info: Awaited<ReturnType<typeof serverInfo>>;
  try {
    info = await serverInfo(server, url, hint.resourceMetadataUrl, guardedFetch(fetchFn, server));
  } catch (error) {
    if (error instanceof OperationError) throw error;
    throw new OperationError(
      "oauth-discovery",
      `Cannot find how to log in to ${server} (${url}): ${reason(error)}.`,
      { cause: error },
    );
  }
  const metadata = info.authorizationServerMetadata;
  if (!metadata)
    throw new OperationError(
      "oauth-discovery",
      `${server} (${url}) names no authorization server metadata: neither ${info.authorizationServerUrl} nor the server itself publishes RFC 8414 or OpenID metadata, so mcp-twin cannot log in to it.`,
    );
  if (!sameIssuer(metadata.issuer, info.authorizationServerUrl))
    throw new OperationError(
      "oauth-issuer",
      `The authorization server at ${info.authorizationServerUrl} calls itself ${metadata.issuer}: its metadata belongs to another server, so mcp-twin does not log in through it (RFC 8414 §3.3).`,
    );
  checkMetadata(server, metadata);
  const methods = metadata.code_challenge_methods_supported;
  if (!Array.isArray(methods) || !methods.includes("S256"))
    throw new OperationError(
      "oauth-no-pkce",
      `The authorization server of ${server} (${metadata.issuer}) does not advertise PKCE S256, which the MCP authorization spec requires; mcp-twin does not log in without it.`,
    );
  // The metadata's resource is held to the server's URL as the SDK's selectResourceURL holds it
  // (its own checks, with no client provider to ask); the indicator is sent as the metadata spells
  // it, else as the server's own URL without fragment.
  let resource: string;
  try {
    const expected = resourceUrlFromServerUrl(url);
    const named = info.resourceMetadata?.resource;
    if (
      named !== undefined &&
      !checkResourceAllowed({ requestedResource: expected, configuredResource: named })
    )
      throw new Error(`Protected resource ${named} does not match expected ${expected} (or origin)`);
    resource = named ?? canonical(url);
  } catch (error) {
    throw new OperationError("oauth-resource", `${server}: ${reason(error)}`, { cause: error });
  }
  const scope =
    configuredScope ?? hint.scope ?? info.resourceMetadata?.scopes_supported?.join(" ") ?? undefined;
  return {
    authorizationServer: info.authorizationServerUrl,
    metadata,
    resource,
    ...(scope ? { scope } : {}),
  };
}

/**
 * The SDK's discoverOAuthServerInfo, step by step, so that the authorization server the resource
 * metadata names is checked before its metadata is fetched: RFC 9728 metadata (none: the server's
 * origin is its authorization server, as the SDK does), then RFC 8414 / OpenID metadata.
 */
async function serverInfo(
  server: string,
  url: string,
  resourceMetadataUrl: URL | undefined,
  fetchFn: FetchLike,
) {
  let resourceMetadata: OAuthProtectedResourceMetadata | undefined;
  try {
    resourceMetadata = await discoverOAuthProtectedResourceMetadata(
      url,
      resourceMetadataUrl ? { resourceMetadataUrl } : {},
      fetchFn,
    );
  } catch (error) {
    if (error instanceof OperationError) throw error;
  }
  const named = resourceMetadata?.authorization_servers?.[0];
  if (named !== undefined)
    checkEndpoint(`${server} (${url}) names its authorization server (authorization_servers)`, named);
  const authorizationServerUrl = named ?? new URL("/", url).href;
  const authorizationServerMetadata = await discoverAuthorizationServerMetadata(authorizationServerUrl, {
    fetchFn,
  });
  return { authorizationServerUrl, authorizationServerMetadata, resourceMetadata };
}

/** The canonical URI of an MCP server (RFC 8707 as the MCP spec uses it): no fragment. */
function canonical(url: string): string {
  const u = new URL(url);
  u.hash = "";
  return u.href;
}

/**
 * An error of the network (a provider's words included) as a short, printable reason — never
 * empty: an OAuth error without a description is named by its code (`invalid_grant`).
 */
export function reason(error: unknown): string {
  const message = untrusted((error instanceof Error ? error.message : String(error)).trim()).slice(0, 300);
  const code = String(
    (error as { code?: unknown })?.code ?? (error as { cause?: { code?: unknown } })?.cause?.code ?? "",
  );
  if (/ECONNREFUSED/.test(`${code} ${message}`)) return "connection refused";
  if (/ENOTFOUND|EAI_AGAIN/.test(`${code} ${message}`)) return "the host name does not resolve";
  // The SDK's OAuthError: its message is the provider's description, or its code when it gave none.
  const named = error instanceof OAuthError ? untrusted(error.code.trim()).slice(0, 100) : "";
  const said = message.replace(/\.$/, "");
  if (said && said !== named) return said;
  return named ? `${named} (no description given)` : "no reason given";
}
