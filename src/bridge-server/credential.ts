/**
 * Which credential a request presents, as a label that never reveals it (an HMAC of its bearer
 * token under a key of this process): what a session is bound to, so no other credential reaches it.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { bearerToken } from "../core/bridge-link/index.js";
import { headerOf } from "./http-guards.js";

/** Made at start, never kept: a label means nothing outside this process, nor after a restart. */
const KEY = randomBytes(32);

/** A label of these strings (in order) under this process's key: short, and not reversible. */
export function labelOf(...parts: string[]): string {
  const mac = createHmac("sha256", KEY);
  for (const part of parts) mac.update(part).update("\0");
  return mac.digest("base64url").slice(0, 22);
}

/** A request's credential (none: the label of nothing) under `key`: the seal's holds across restarts. */
export function credentialOf(headers: IncomingHttpHeaders | Headers, key: Buffer = KEY): string {
  return createHmac("sha256", key)
    .update(`credential\0${bearerToken(headerOf(headers, "authorization")) ?? ""}`)
    .digest("base64url")
    .slice(0, 22);
}
