/**
 * Renewing a login, one process at a time across every relay on both sides: under a lock in the
 * home the login is read again (a relay that waited takes the tokens another just got), and only a
 * stale token is refreshed and stored before the lock goes — no refresh token is sent twice.
 */
import { refreshAuthorization } from "@modelcontextprotocol/sdk/client/auth.js";
import { OAuthError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import { makePrivateFolder, withLock } from "../system/files.js";
import { reason } from "./discovery.js";
import { LoginError, loginNeeded } from "./login-errors.js";
import {
  readLogin,
  refreshDue,
  refreshLockName,
  type StoredLogin,
  sameUrl,
  saveLogin,
} from "./token-store.js";

/**
 * Fresh tokens for `server`. `stale`: the access token that was refused (or found expired); when
 * the stored one differs, another process refreshed meanwhile and its tokens are returned as they
 * are.
 */
export async function refreshLogin(options: {
  oauthDir: string;
  server: string;
  url: string;
  stale: string | undefined;
  fetchFn?: FetchLike;
  now?: () => number;
  /** How long to wait for another process's refresh (default 60 s). */
  waitMs?: number;
}): Promise<StoredLogin> {
  const now = options.now ?? Date.now;
  const { oauthDir, server } = options;
  await makePrivateFolder(oauthDir);
  return withLock(
    oauthDir,
    async () => {
      const login = readLogin(oauthDir, server);
      if (!login) throw loginNeeded(server, `Not logged in to ${server}`);
      if (!sameUrl(login.url, options.url))
        throw loginNeeded(server, `The login to ${server} is for ${login.url}, not ${options.url}`);
      if (login.tokens.access_token !== options.stale && !refreshDue(login, now())) return login;
      if (login.failure?.revoked)
        throw loginNeeded(
          server,
          `The login to ${server} was refused by its provider (${login.failure.message})`,
        );
      const refreshToken = login.tokens.refresh_token;
      if (!refreshToken)
        throw loginNeeded(server, `The login to ${server} expired and its provider gave no way to renew it`);
      let tokens: Awaited<ReturnType<typeof refreshAuthorization>>;
      try {
        tokens = await refreshAuthorization(login.authorizationServer, {
          metadata: login.metadata as never,
          clientInformation: login.client,
          refreshToken,
          ...(login.resource ? { resource: login.resource } : {}),
          fetchFn: options.fetchFn ?? fetch,
        });
      } catch (error) {
        // An OAuth error (invalid_grant, …) is the provider's no: this refresh token is done for.
        const revoked = error instanceof OAuthError;
        const message = reason(error);
        await saveLogin(oauthDir, { ...login, failure: { at: now(), message, revoked } });
        if (revoked)
          throw loginNeeded(server, `The provider of ${server} refused to renew the login (${message})`);
        throw new LoginError(
          "login-provider-down",
          `Cannot renew the login to ${server}: its provider at ${login.authorizationServer} cannot be reached (${message}).`,
          { hint: `Try again later, or run \`mcp-twin login ${server}\` once it answers.`, cause: error },
        );
      }
      const issuedAt = now();
      const fresh: StoredLogin = {
        ...login,
        tokens: {
          access_token: tokens.access_token,
          token_type: tokens.token_type,
          ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
          ...((tokens.scope ?? login.tokens.scope) ? { scope: tokens.scope ?? login.tokens.scope } : {}),
        },
        issuedAt,
        ...(typeof tokens.expires_in === "number" ? { expiresAt: issuedAt + tokens.expires_in * 1000 } : {}),
      };
      if (typeof tokens.expires_in !== "number") delete fresh.expiresAt;
      delete fresh.failure;
      await saveLogin(oauthDir, fresh);
      return fresh;
    },
    { name: refreshLockName(server), waitMs: options.waitMs ?? 60_000 },
  );
}
