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

/** A label of `text` under `key`: short, and not reversible. */
const label = (key: Buffer, text: string) =>
  createHmac("sha256", key).update(text).digest("base64url").slice(0, 22);

/** A label of these strings (in order, each ended by a NUL) under this process's key. */
export const labelOf = (...parts: string[]): string => label(KEY, parts.map((part) => `${part}\0`).join(""));

/** A request's credential (none: the label of nothing) under `key`: the seal's holds across restarts. */
export const credentialOf = (headers: IncomingHttpHeaders | Headers, key: Buffer = KEY): string =>
  label(key, `credential\0${bearerToken(headerOf(headers, "authorization")) ?? ""}`);
