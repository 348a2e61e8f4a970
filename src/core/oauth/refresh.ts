/**
 * Renewing a login, one process at a time across every relay on both sides: under a lock in the
 * home the login is read again (a relay that waited takes the tokens another just got), and only a
 * stale token is refreshed and stored before the lock goes — no refresh token is sent twice.
 */
import { type FetchLike, OAuthError, refreshAuthorization } from "@modelcontextprotocol/client";
import { makePrivateFolder, withLock } from "../system/files.js";
import { reason } from "./discovery.js";
import { checkMetadata, guardedFetch } from "./endpoints.js";
import { cannotRenew, LoginError, loginNeeded } from "./login-errors.js";
import { oauthFetch } from "./oauth-fetch.js";
import { dropRecord, outcomeOf, readRecord, tokenMark, writeRecord } from "./refresh-record.js";
import {
  type RenewalFailure,
  readLogin,
  refreshDue,
  refreshLockName,
  type StoredLogin,
  sameUrl,
  saveLogin,
} from "./token-store.js";

interface RefreshOptions {
  oauthDir: string;
  server: string;
  url: string;
  stale: string | undefined;
  fetchFn?: FetchLike;
  now?: () => number;
  /** How long to wait for another process's refresh (default 60 s: longer than one can take). */
  waitMs?: number;
  /** The refresh request's limit (oauthTimeoutMs; default 15 s). */
  timeoutMs?: number;
}

/**
 * Fresh tokens for `server`. `stale`: the access token that was refused (or found expired); when
 * the stored one differs, another process refreshed meanwhile and its tokens are returned as they
 * are.
 */
export async function refreshLogin(options: RefreshOptions): Promise<StoredLogin> {
  const now = options.now ?? Date.now;
  const since = now();
  await makePrivateFolder(options.oauthDir);
  return withLock(options.oauthDir, () => renew(options, now, since), {
    name: refreshLockName(options.server),
    waitMs: options.waitMs ?? 60_000,
  });
}

/** Under the lock: the login as it stands, renewed when it still needs to be. */
async function renew(options: RefreshOptions, now: () => number, since: number): Promise<StoredLogin> {
  const { oauthDir, server } = options;
  let login = current(options, readLogin(oauthDir, server));
  const sent = login.tokens.refresh_token;
  const record = readRecord(oauthDir, server);
  if (record && sent && record.token === tokenMark(sent)) {
    // A renewal of this very token was under way and did not finish (its process was killed).
    const outcome = await outcomeOf(oauthDir, server, sent, now, options.timeoutMs);
    if (outcome === "spent") {
      const failure: RenewalFailure = {
        at: now(),
        message:
          "a renewal was interrupted before its answer was stored; its refresh token may have been used, so it is not sent again",
        revoked: true,
        spent: true,
      };
      await keepFailure(options, sent, failure);
      throw cannotRenew(server, failure);
    }
    login = current(options, outcome);
  } else if (record) await dropRecord(oauthDir, server);
  if (login.tokens.access_token !== options.stale && !refreshDue(login, now())) return login;
  if (login.failure?.revoked) throw cannotRenew(server, login.failure);
  // It failed while this process waited for the lock: the same answer, not another try.
  if (login.failure && login.failure.at >= since) throw providerDown(server, login, login.failure.message);
  const refreshToken = login.tokens.refresh_token;
  if (!refreshToken)
    throw loginNeeded(server, `The login to ${server} expired and its provider gave no way to renew it`);
  // A login stored before the endpoint rule existed is held to it too: refused before anything is
  // recorded or sent, so its refresh token is not spent.
  checkMetadata(server, login.metadata);
  await writeRecord(oauthDir, server, refreshToken, now());
  let tokens: Awaited<ReturnType<typeof refreshAuthorization>>;
  try {
    tokens = await refreshAuthorization(login.authorizationServer, {
      metadata: login.metadata,
      clientInformation: login.client,
      refreshToken,
      ...(login.resource ? { resource: login.resource } : {}),
      fetchFn: guardedFetch(
        options.fetchFn ?? oauthFetch(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        server,
      ),
    });
  } catch (error) {
    throw await failed(options, login, refreshToken, error, now());
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
  const stored = await land(options, refreshToken, fresh);
  await dropRecord(oauthDir, server);
  return stored;
}

/** The login read under the lock, or why there is none to renew. */
function current(options: RefreshOptions, login: StoredLogin | undefined): StoredLogin {
  const { server } = options;
  if (!login) throw loginNeeded(server, `Not logged in to ${server}`);
  if (!sameUrl(login.url, options.url))
    throw loginNeeded(server, `The login to ${server} is for ${login.url}, not ${options.url}`);
  return login;
}

/**
 * Store the renewed login — only over the one whose refresh token was sent: a login or logout
 * that came between (the lock had gone stale) is the last word.
 */
async function land(options: RefreshOptions, sent: string, fresh: StoredLogin): Promise<StoredLogin> {
  const { oauthDir, server } = options;
  const now = readLogin(oauthDir, server);
  if (!now) {
    await dropRecord(oauthDir, server);
    throw loginNeeded(server, `The login to ${server} was removed while it was being renewed`);
  }
  if (now.tokens.refresh_token !== sent) return current(options, now);
  await saveLogin(oauthDir, fresh);
  return fresh;
}

/** Note a failed renewal in the login, if it is still the one whose refresh token was sent. */
async function keepFailure(options: RefreshOptions, sent: string, failure: RenewalFailure): Promise<void> {
  const now = readLogin(options.oauthDir, options.server);
  if (now && now.tokens.refresh_token === sent) await saveLogin(options.oauthDir, { ...now, failure });
  await dropRecord(options.oauthDir, options.server);
}

/**
 * A refresh that failed, noted in the login, as the error to throw. The provider's no (an OAuth
 * error) ends the login; so does any failure after the request may have reached the provider (no
 * answer in time, an answer too large or malformed, a connection cut): it may have used the
 * refresh token, and a rotating provider revokes a login whose token comes twice. Only a request
 * that never left (refused, unresolvable, TLS) keeps the token for the next try.
 */
async function failed(
  options: RefreshOptions,
  login: StoredLogin,
  sent: string,
  error: unknown,
  at: number,
): Promise<Error> {
  const { server } = options;
  const message = reason(error);
  if (neverSent(error)) {
    await keepFailure(options, sent, { at, message, revoked: false });
    return providerDown(server, login, message, error);
  }
  const refused = error instanceof OAuthError;
  const failure: RenewalFailure = refused
    ? { at, message, revoked: true }
    : {
        at,
        message: `${message}; its refresh token may have been used, so it is not sent again`,
        revoked: true,
        spent: true,
      };
  await keepFailure(options, sent, failure);
  return cannotRenew(server, failure);
}

function providerDown(server: string, login: StoredLogin, message: string, cause?: unknown): LoginError {
  return new LoginError(
    "login-provider-down",
    `Cannot renew the login to ${server}: its provider at ${login.authorizationServer} cannot be reached (${message}).`,
    { hint: `Try again later, or run \`mcp-twin login ${server}\` once it answers.`, cause },
  );
}

/** Network failures that happen before a request is written: nothing reached the provider. */
const NOT_SENT =
  /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|UND_ERR_CONNECT_TIMEOUT|ERR_TLS_CERT_ALTNAME_INVALID|CERT_HAS_EXPIRED|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/;

function neverSent(error: unknown): boolean {
  const codes: string[] = [];
  const walk = (e: unknown, depth: number) => {
    if (!e || typeof e !== "object" || depth > 5) return;
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    const inner = (e as { errors?: unknown }).errors;
    if (Array.isArray(inner)) for (const one of inner) walk(one, depth + 1);
    walk((e as { cause?: unknown }).cause, depth + 1);
  };
  walk(error, 0);
  return codes.length > 0 && codes.every((c) => NOT_SENT.test(c));
}
