/**
 * The logins mcp-twin holds: one file per server in the home's `oauth` folder (mode 0600, written
 * through system/files.ts), read by every relay on both sides with no OAuth code loaded.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { AuthorizationServerMetadata } from "@modelcontextprotocol/client";
import { makePrivateFolder, removePath, withLock, writePrivateFile } from "../system/files.js";

export const LOGIN_VERSION = 1;

/**
 * What the authorization server told us about itself (RFC 8414 / OpenID metadata, as the SDK parses
 * it), with the members the SDK does not name kept as they came.
 */
export type ServerMetadata = AuthorizationServerMetadata & Record<string, unknown>;

export interface StoredClient {
  client_id: string;
  client_secret?: string;
  /** Where the client id came from. */
  source: "manifest" | "metadata-document" | "registered";
  /** The redirect URIs it was registered with (dynamic registration). */
  redirect_uris?: string[];
}

interface StoredTokens {
  access_token: string;
  token_type: string;
  refresh_token?: string;
  scope?: string;
}

export interface StoredLogin {
  version: number;
  /** The manifest server it belongs to. */
  server: string;
  /** The MCP server's URL it was made for: a login is never sent anywhere else. */
  url: string;
  /** The RFC 8707 resource indicator sent with every request for it. */
  resource?: string;
  /** The authorization server (as discovered): refresh tokens go only there. */
  authorizationServer: string;
  metadata: ServerMetadata;
  client: StoredClient;
  tokens: StoredTokens;
  /** When the access token was issued and when it expires (ms since the epoch; no expiry: unknown). */
  issuedAt: number;
  expiresAt?: number;
  /** The last refresh that failed, and why (cleared by the next one that works). */
  failure?: RenewalFailure;
}

/**
 * A renewal that failed. `revoked`: its refresh token is not sent again (a login is needed) —
 * the provider refused it, or (`spent`) it may have been used without its answer being stored.
 */
export interface RenewalFailure {
  at: number;
  message: string;
  revoked: boolean;
  spent?: boolean;
}

export function loginFile(oauthDir: string, server: string): string {
  return path.join(oauthDir, `${server}.json`);
}

/** The lock a server's refresh takes, in the same folder (see refresh.ts). */
export function refreshLockName(server: string): string {
  return `${server}.lock`;
}

/** The record of a renewal under way (refresh-record.ts), beside the login. */
export function renewalFile(oauthDir: string, server: string): string {
  return path.join(oauthDir, `${server}.renewing`);
}

/**
 * Run `change` (a login, a logout) under the lock a server's renewals take: a renewal under way
 * finishes first, and the change is the last word — no renewal writes over it. `onWait`: told
 * when a renewal holds the lock.
 */
export async function underRenewalLock<T>(
  oauthDir: string,
  server: string,
  change: () => Promise<T>,
  onWait?: () => void,
): Promise<T> {
  await makePrivateFolder(oauthDir);
  return withLock(oauthDir, change, { name: refreshLockName(server), ...(onWait ? { onWait } : {}) });
}

/** The stored login, or undefined when there is none (or it cannot be read as one). */
export function readLogin(oauthDir: string, server: string): StoredLogin | undefined {
  let text: string;
  try {
    text = readFileSync(loginFile(oauthDir, server), "utf8");
  } catch {
    return undefined;
  }
  try {
    const login = JSON.parse(text) as StoredLogin;
    if (login?.version !== LOGIN_VERSION || typeof login.tokens?.access_token !== "string") return undefined;
    return login;
  } catch {
    return undefined;
  }
}

export async function saveLogin(oauthDir: string, login: StoredLogin): Promise<void> {
  await makePrivateFolder(oauthDir);
  await writePrivateFile(loginFile(oauthDir, login.server), `${JSON.stringify(login, null, 2)}\n`);
}

/**
 * Forget a login (and the record of a renewal of it), under the renewal lock: a renewal under way
 * ends first and cannot bring it back. `before`: given the login first, under the same lock (logout
 * revokes it at the provider there). True when there was one.
 */
export async function forgetLogin(
  oauthDir: string,
  server: string,
  onWait?: () => void,
  before?: (login: StoredLogin) => Promise<void>,
): Promise<boolean> {
  const [file, record] = [loginFile(oauthDir, server), renewalFile(oauthDir, server)];
  if (!existsSync(file) && !existsSync(record)) return false;
  return underRenewalLock(
    oauthDir,
    server,
    async () => {
      const login = readLogin(oauthDir, server);
      if (login && before) await before(login);
      await removePath(file);
      await removePath(record);
      return login !== undefined;
    },
    onWait,
  );
}

/**
 * Forget every login (uninstall): the servers whose login there was. `dryRun`: only which there
 * are. Each goes under its renewal lock (as `forgetLogin`), then the folder with its locks.
 */
export async function forgetLogins(
  oauthDir: string,
  dryRun: boolean,
  onWait?: (server: string) => void,
): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(oauthDir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -".json".length))
      .filter((n) => readLogin(oauthDir, n) !== undefined)
      .sort();
  } catch {
    return [];
  }
  if (dryRun) return names;
  for (const name of names) await forgetLogin(oauthDir, name, onWait && (() => onWait(name)));
  await removePath(oauthDir, { recursive: true });
  return names;
}

/** Every value of a login that must never be shown (for the mask). */
export function loginSecrets(login: StoredLogin | undefined): string[] {
  if (!login) return [];
  return [login.tokens.access_token, login.tokens.refresh_token, login.client.client_secret].filter(
    (v): v is string => typeof v === "string" && v.length > 0,
  );
}

/**
 * Is the access token due for a refresh? A little before it expires — a quarter of its lifetime,
 * at most a minute — so a request sent now does not arrive with an expired token.
 */
export function refreshDue(login: StoredLogin, now: number): boolean {
  if (login.expiresAt === undefined) return false;
  const margin = Math.min(60_000, Math.max(0, login.expiresAt - login.issuedAt) / 4);
  return now >= login.expiresAt - margin;
}

export type LoginState =
  | { state: "none" }
  /** A login for another URL (the manifest's url changed since). */
  | { state: "other-url"; url: string }
  /** `expired`: the access token's time is past; a refreshable one is renewed on its next use. */
  | { state: "ok"; expiresAt?: number; scopes: string[]; refreshable: boolean; expired?: boolean }
  /** The access token expired and there is nothing to refresh it with. */
  | { state: "expired"; expiresAt: number }
  | { state: "failing"; message: string; revoked: boolean; spent?: boolean; at: number };

/** The same server URL, however it is spelled (a trailing `/` on a bare host, the default port). */
export function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

/** A login as status, sync and doctor report it (pure). */
export function loginState(login: StoredLogin | undefined, url: string, now: number): LoginState {
  if (!login) return { state: "none" };
  if (!sameUrl(login.url, url)) return { state: "other-url", url: login.url };
  if (login.failure) return { state: "failing", ...login.failure };
  const refreshable = login.tokens.refresh_token !== undefined;
  if (login.expiresAt !== undefined && login.expiresAt <= now && !refreshable)
    return { state: "expired", expiresAt: login.expiresAt };
  return {
    state: "ok",
    ...(login.expiresAt !== undefined ? { expiresAt: login.expiresAt } : {}),
    scopes: (login.tokens.scope ?? "").split(" ").filter(Boolean),
    refreshable,
    ...(login.expiresAt !== undefined && login.expiresAt <= now ? { expired: true } : {}),
  };
}
