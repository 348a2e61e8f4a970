/**
 * Which client id mcp-twin logs in with, in the MCP spec's order: the manifest's, a Client ID
 * Metadata Document where the provider takes them, an earlier login's registration with the same
 * server and redirect, else Dynamic Client Registration (RFC 7591, the SDK's `registerClient`).
 */
import { type FetchLike, registerClient } from "@modelcontextprotocol/client";
import { VERSION } from "../../version.js";
import { OperationError } from "../errors.js";
import { reason, sameIssuer } from "./discovery.js";
import type { ServerMetadata, StoredClient, StoredLogin } from "./token-store.js";

/** The manifest's `oauth` settings of a server, its references resolved. */
export interface ConfiguredClient {
  clientId?: string;
  clientSecret?: string;
  clientMetadataUrl?: string;
  scope?: string;
}

export async function clientFor(options: {
  server: string;
  authorizationServer: string;
  metadata: ServerMetadata;
  configured: ConfiguredClient;
  previous: StoredLogin | undefined;
  redirectUri: string;
  scope: string | undefined;
  fetchFn: FetchLike;
}): Promise<StoredClient> {
  const { configured, metadata } = options;
  if (configured.clientId)
    return {
      client_id: configured.clientId,
      ...(configured.clientSecret ? { client_secret: configured.clientSecret } : {}),
      source: "manifest",
    };
  if (configured.clientMetadataUrl && metadata.client_id_metadata_document_supported === true)
    return { client_id: configured.clientMetadataUrl, source: "metadata-document" };
  const before = options.previous;
  if (
    before?.client.source === "registered" &&
    sameIssuer(before.authorizationServer, options.authorizationServer) &&
    before.client.redirect_uris?.includes(options.redirectUri)
  )
    return before.client;
  if (typeof metadata.registration_endpoint !== "string")
    throw new OperationError(
      "oauth-no-registration",
      `The authorization server of ${options.server} (${metadata.issuer}) lets no client register itself${configured.clientMetadataUrl ? " and takes no client metadata documents" : ""}.`,
      {
        hint: `Register an app with the provider (redirect URI http://127.0.0.1/callback, any port), then give its id in the manifest: "oauth": { "clientId": "…" } under servers.${options.server}.`,
      },
    );
  try {
    const registered = await registerClient(options.authorizationServer, {
      metadata: metadata,
      clientMetadata: {
        client_name: "mcp-twin",
        client_uri: "https://www.npmjs.com/package/mcp-twin",
        software_id: "mcp-twin",
        software_version: VERSION,
        redirect_uris: [options.redirectUri],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      },
      ...(options.scope ? { scope: options.scope } : {}),
      fetchFn: options.fetchFn,
    });
    return {
      client_id: registered.client_id,
      ...(registered.client_secret ? { client_secret: registered.client_secret } : {}),
      source: "registered",
      redirect_uris: registered.redirect_uris ?? [options.redirectUri],
    };
  } catch (error) {
    throw new OperationError(
      "oauth-registration",
      `${metadata.issuer} refused to register mcp-twin as a client of ${options.server}: ${reason(error)}.`,
      { cause: error },
    );
  }
}
