/**
 * Which credential a request presents, as a label that never reveals it (an HMAC of its bearer
 * token under a key of this process): what a session is bound to, so no other credential reaches it.
 */
import { createHmac, randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

/** Made at start, never kept: a label means nothing outside this process, nor after a restart. */
const KEY = randomBytes(32);

/** A label of these strings (in order) under this process's key: short, and not reversible. */
export function labelOf(...parts: string[]): string {
  const mac = createHmac("sha256", KEY);
  for (const part of parts) mac.update(part).update("\0");
  return mac.digest("base64url").slice(0, 22);
}

/** The credential of a request's `Authorization` header (none: the label of nothing). */
export function credentialOf(headers: IncomingHttpHeaders | Headers): string {
  const raw = headers instanceof Headers ? headers.get("authorization") : headers.authorization;
  const token = raw ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(raw)?.[1] : undefined;
  return labelOf("credential", token ?? "");
}
