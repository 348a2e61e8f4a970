/**
 * One login: discovery, the client id, the authorization code flow with PKCE S256 and a loopback
 * redirect, `state` and (RFC 9207, which the MCP SDK leaves out) `iss` checked, the code exchanged
 * with the RFC 8707 resource — each step the SDK's own — and the login stored in the home.
 */
import { randomBytes } from "node:crypto";
import { exchangeAuthorization, type FetchLike, startAuthorization } from "@modelcontextprotocol/client";
import { InterruptedError, OperationError } from "../errors.js";
import { untrusted } from "../text/control-chars.js";
import { type CallbackListener, listenForCallback, portOf } from "./callback.js";
import { discover, reason, sameIssuer } from "./discovery.js";
import { guardedFetch } from "./endpoints.js";
import { oauthFetch } from "./oauth-fetch.js";
import { dropRecord } from "./refresh-record.js";
import { type ConfiguredClient, clientFor } from "./registration.js";
import { LOGIN_VERSION, readLogin, type StoredLogin, saveLogin, underRenewalLock } from "./token-store.js";

export interface LoginOptions {
  server: string;
  url: string;
  oauthDir: string;
  configured: ConfiguredClient;
  /** Show the login page: open a browser, or print the address (and maybe read one pasted back). */
  present(authorizationUrl: URL, listener: CallbackListener): Promise<URLSearchParams>;
  /** Progress lines (stderr). */
  log(line: string): void;
  fetchFn?: FetchLike;
  now?: () => number;
  /** Ctrl-C: ends the request under way. */
  signal?: AbortSignal;
  /** Each request's limit (oauthTimeoutMs; default 15 s). */
  timeoutMs?: number;
  /** Told when a renewal of the earlier login holds its lock (the new login is stored after it). */
  onWait?: () => void;
}

export async function logIn(options: LoginOptions): Promise<StoredLogin> {
  // Each step's requests bounded (oauth-fetch.ts): a provider that stalls or floods ends the login.
  const fetchFn =
    options.fetchFn ??
    oauthFetch({
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    });
  const now = options.now ?? Date.now;
  const found = await discover(options.server, options.url, fetchFn, options.configured.scope);
  // Registration and the exchange go only where the checked metadata says (no redirect elsewhere).
  const guarded = guardedFetch(fetchFn, options.server);
  const previous = readLogin(options.oauthDir, options.server);
  const state = randomBytes(24).toString("base64url");
  const listener = await listenForCallback({
    state,
    port: portOf(previous?.client.redirect_uris),
    ignored: (why) =>
      options.log(`A request to the login's callback was ignored (${why}); still waiting for the browser.`),
  });
  try {
    const client = await clientFor({
      server: options.server,
      authorizationServer: found.authorizationServer,
      metadata: found.metadata,
      configured: options.configured,
      previous,
      redirectUri: listener.redirectUri,
      scope: found.scope,
      fetchFn: guarded,
    });
    const { authorizationUrl, codeVerifier } = await startAuthorization(found.authorizationServer, {
      metadata: found.metadata,
      clientInformation: client,
      redirectUrl: listener.redirectUri,
      state,
      resource: found.resource,
      ...(found.scope ? { scope: found.scope } : {}),
    });
    const response = await options.present(authorizationUrl, listener);
    const code = checkResponse(response, {
      state,
      issuer: found.metadata.issuer,
      issAdvertised: found.metadata.authorization_response_iss_parameter_supported === true,
      server: options.server,
    });
    let tokens: Awaited<ReturnType<typeof exchangeAuthorization>>;
    try {
      tokens = await exchangeAuthorization(found.authorizationServer, {
        metadata: found.metadata,
        clientInformation: client,
        authorizationCode: code,
        // checkResponse held the answer's iss to RFC 9207 (tolerating a trailing slash, as
        // sameIssuer does); the SDK's own exact comparison is given the issuer it accepted.
        iss: found.metadata.issuer,
        codeVerifier,
        redirectUri: listener.redirectUri,
        resource: found.resource,
        fetchFn: guarded,
      });
    } catch (error) {
      throw new OperationError(
        "oauth-exchange",
        `${found.metadata.issuer} did not give tokens for the login to ${options.server}: ${reason(error)}.`,
        { cause: error },
      );
    }
    const issuedAt = now();
    const login: StoredLogin = {
      version: LOGIN_VERSION,
      server: options.server,
      url: options.url,
      resource: found.resource,
      authorizationServer: found.authorizationServer,
      metadata: found.metadata,
      client,
      tokens: {
        access_token: tokens.access_token,
        token_type: tokens.token_type,
        ...(tokens.refresh_token ? { refresh_token: tokens.refresh_token } : {}),
        ...(tokens.scope ? { scope: tokens.scope } : found.scope ? { scope: found.scope } : {}),
      },
      issuedAt,
      ...(typeof tokens.expires_in === "number" ? { expiresAt: issuedAt + tokens.expires_in * 1000 } : {}),
    };
    // Under the renewals' lock: a renewal of the earlier login under way ends first, and its
    // tokens never replace these (refresh.ts stores only over the login whose token it sent).
    await underRenewalLock(
      options.oauthDir,
      options.server,
      async () => {
        await saveLogin(options.oauthDir, login);
        await dropRecord(options.oauthDir, options.server);
      },
      options.onWait,
    );
    return login;
  } finally {
    await listener.close();
  }
}

/** The authorization response checked (pure): its code, or an error that says what was wrong. */
export function checkResponse(
  params: URLSearchParams,
  expect: { state: string; issuer: string; issAdvertised: boolean; server: string },
): string {
  // RFC 9207: an `iss` that is there must be the issuer's; one the server promised must be there.
  const given = params.get("iss");
  const iss = given !== null ? untrusted(given).slice(0, 200) : null;
  if (iss !== null ? !sameIssuer(iss, expect.issuer) : expect.issAdvertised)
    throw new OperationError(
      "oauth-iss",
      `The answer to the login for ${expect.server} ${iss === null ? "does not say which server sent it (no iss)" : `comes from ${iss}, not from ${expect.issuer}`}: it was not used (RFC 9207).`,
      { hint: "Try again; if it happens again, something between you and the provider rewrites the login." },
    );
  if (params.get("state") !== expect.state)
    throw new OperationError(
      "oauth-state",
      `The answer to the login for ${expect.server} does not carry the state mcp-twin sent: it was not used (it may belong to another login).`,
      { hint: "Start the login again and finish it in the browser window it opens." },
    );
  if (params.has("error")) {
    // A provider's words, or none: the reason said is never empty.
    const error = untrusted((params.get("error") ?? "").trim()).slice(0, 100) || "an error without a name";
    const description = untrusted((params.get("error_description") ?? "").trim()).slice(0, 300);
    throw new OperationError(
      "oauth-denied",
      `The provider did not grant the login for ${expect.server}: ${error}${description ? ` (${description})` : ""}.`,
    );
  }
  const code = params.get("code");
  if (!code)
    throw new OperationError("oauth-no-code", `The answer to the login for ${expect.server} holds no code.`);
  return code;
}

/** Wait for the response, at most `ms`; Ctrl-C ends the wait. */
export function within<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new OperationError(
            "oauth-timeout",
            `No answer from the browser within ${Math.round(ms / 60_000)} minutes; nothing was stored.`,
            { hint: "Run the login again (with --no-browser to paste the address yourself)." },
          ),
        ),
      ms,
    );
    const onAbort = () => reject(new InterruptedError());
    signal?.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
