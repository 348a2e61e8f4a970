/**
 * Per-entry client tokens: derived from the bridge token for one shared server's endpoint, so the
 * bridge token itself never enters a config; verified by the bridge without any state.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = "mt2.";
/** What a token opens: a shared server's name (no dot: it ends at the first one), or `/tools`, which none can be. */
const SHARE = /^(?:[A-Za-z0-9][A-Za-z0-9_-]{0,63}|\/tools)$/;
/** What a label may hold: it travels in an HTTP header, and `.` is fine (the MAC has none). */
const LABEL = /^[A-Za-z0-9._~:@+-]{1,200}$/;

/** The version and both parts, each on its own line: no token of another kind or split verifies. */
const mac = (bridgeToken: string, share: string, label: string) =>
  createHmac("sha256", bridgeToken).update(`mt2\n${share}\n${label}`).digest("base64url");

/**
 * `mt2.<share>.<label>.<HMAC-SHA256(bridge token, "mt2\n<share>\n<label>"), base64url>`: it opens
 * `/share/<share>` (`/tools` for "/tools") and nothing else (the bridge's guard checks the scope).
 * The label says which config holds it (`<env>:<client>`). Rotating the bridge token invalidates
 * every client token (sync writes new ones). Throws on a share outside SHARE, or a label outside LABEL.
 */
export function clientToken(bridgeToken: string, share: string, label: string): string {
  if (!SHARE.test(share))
    throw new Error(`a client token's share is a server name or /tools, not ${JSON.stringify(share)}`);
  if (!LABEL.test(label))
    throw new Error(
      `a client token's label is 1 to 200 of A-Z a-z 0-9 . _ ~ : @ + -, not ${JSON.stringify(label)}`,
    );
  return `${PREFIX}${share}.${label}.${mac(bridgeToken, share, label)}`;
}

/** The share (and label) a presented client token was minted for, when it is valid under `bridgeToken`. */
export function verifyClientToken(
  bridgeToken: string,
  presented: string,
): { share: string; label: string } | undefined {
  const parts = partsOf(presented);
  if (!parts) return undefined;
  const { share, label } = parts;
  const expected = Buffer.from(mac(bridgeToken, share, label));
  const given = Buffer.from(parts.mac);
  return given.length === expected.length && timingSafeEqual(given, expected) ? { share, label } : undefined;
}

/** A client token's share, label and MAC, when it has a client token's shape. */
function partsOf(token: string): { share: string; label: string; mac: string } | undefined {
  if (!token.startsWith(PREFIX)) return undefined;
  const first = token.indexOf(".", PREFIX.length);
  const last = token.lastIndexOf(".");
  if (first === -1 || last <= first) return undefined;
  const share = token.slice(PREFIX.length, first);
  const label = token.slice(first + 1, last);
  return SHARE.test(share) && LABEL.test(label) ? { share, label, mac: token.slice(last + 1) } : undefined;
}

/**
 * The label a client token in an `Authorization` header names (undefined: no client token). Read
 * only, not verified: for a request the bridge's guard has already let through with it.
 */
export function presentedLabel(authorization: string | null | undefined): string | undefined {
  const token = bearerToken(authorization);
  return token ? partsOf(token)?.label : undefined;
}

/** The token of an `Authorization: Bearer <token>` header; undefined for none or another scheme. */
export const bearerToken = (raw: string | null | undefined): string | undefined =>
  raw ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(raw)?.[1] : undefined;
