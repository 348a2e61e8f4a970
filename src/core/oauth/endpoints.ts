/**
 * Which addresses a login may use: every endpoint a provider names (metadata, resource metadata, a
 * 401's hint) is https, or plain http to this machine — checked before anything is sent there.
 */
import type { FetchLike } from "@modelcontextprotocol/client";
import { OperationError } from "../errors.js";
import { untrusted } from "../text/control-chars.js";
import type { ServerMetadata } from "./token-store.js";

/** What "this machine" means for plain http, as the docs state it. */
const LOOPBACK_WORDS = "127.0.0.0/8, ::1, localhost";

/** A host name as DNS spells one (after IDNA), an IPv4 address, or an IPv6 address in brackets. */
const HOST = /^(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|\[[0-9a-f:.]+\])$/;

/** 127.0.0.0/8, ::1 (and 127/8 written as IPv4-mapped IPv6), or the name `localhost` itself. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === "localhost" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  // The URL parser writes ::ffff:127.0.0.1 as [::ffff:7f00:1].
  return host === "[::1]" || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host);
}

/**
 * Why an address may not be used for a login (undefined when it may). `carries`: what would cross
 * the network in clear over plain http, for the reason's words.
 */
export function endpointProblem(value: unknown, carries?: string): string | undefined {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    return "that is not a URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return `its scheme is ${untrusted(url.protocol).slice(0, 40)}, not https:`;
  if (!HOST.test(url.hostname)) return "its host name holds characters no host name has";
  if (url.username || url.password) return "it carries a user name or password";
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname))
    return `it is plain http to ${url.host}, which is not this machine${carries ? `: ${carries} would cross the network unencrypted` : ""}`;
  return undefined;
}

/** A value from elsewhere, shown in a message: escaped and cut short. */
function shown(value: unknown): string {
  const text = untrusted(String(value));
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * `value` as a URL, or an error: "`where` <value>: <why>". `where` says who names it and as what
 * ("The authorization server of docs names its token endpoint").
 */
export function checkEndpoint(where: string, value: unknown, carries?: string): URL {
  const why = endpointProblem(value, carries);
  if (why === undefined) return new URL(String(value));
  throw new OperationError(
    "oauth-endpoint",
    `${where} ${shown(value)}: ${why}. mcp-twin logs in only over https, or over plain http to this machine (${LOOPBACK_WORDS}); nothing was sent there.`,
    { hint: "The address comes from the provider: ask its operator for an https one." },
  );
}

/** Each endpoint of the metadata, whether it must be there, and what a plain-http one would leak. */
const ENDPOINTS: ReadonlyArray<[field: string, label: string, required: boolean, carries?: string]> = [
  ["issuer", "its issuer", true],
  [
    "authorization_endpoint",
    "its authorization endpoint",
    true,
    "the login page, what you type there and the code",
  ],
  ["token_endpoint", "its token endpoint", true, "the code, the PKCE verifier, the client id and the tokens"],
  ["registration_endpoint", "its registration endpoint", false, "the client registration"],
  ["revocation_endpoint", "its revocation endpoint", false, "the tokens to revoke"],
];

/** Every endpoint the metadata names (the optional ones when present), checked before any is used. */
export function checkMetadata(server: string, metadata: ServerMetadata): void {
  const subject = `The authorization server of ${server} (${shown(metadata.issuer)}) names`;
  for (const [field, label, required, carries] of ENDPOINTS) {
    const value = metadata[field];
    if (value === undefined && !required) continue;
    checkEndpoint(`${subject} ${label} (${field})`, value, carries);
  }
}

/**
 * A fetch that refuses every address the rule refuses (a redirect the SDK follows included: it
 * follows only within an origin, each hop through this fetch) and follows no redirect itself.
 */
export function guardedFetch(fetchFn: FetchLike, server: string): FetchLike {
  return async (input, init) => {
    checkEndpoint(`The login to ${server} was to reach`, input instanceof URL ? input.href : input);
    return fetchFn(input, { ...init, redirect: init?.redirect ?? "manual" });
  };
}
