/**
 * Per-target client tokens: derived from the bridge token for one client config (a target), so the
 * bridge token itself never enters a config; verified by the bridge without any state.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = "mt1.";
/** What a target id may hold: it travels in an HTTP header, and `.` is fine (the MAC has none). */
const TARGET_ID = /^[A-Za-z0-9._~:@+-]{1,200}$/;

const mac = (bridgeToken: string, targetId: string) =>
  createHmac("sha256", bridgeToken).update(targetId).digest("base64url");

/**
 * `mt1.<target-id>.<HMAC-SHA256(bridge token, target-id), base64url>`. Rotating the bridge token
 * invalidates every client token (sync writes new ones). Throws on a target id outside
 * `[A-Za-z0-9._~:@+-]{1,200}`.
 */
export function clientToken(bridgeToken: string, targetId: string): string {
  if (!TARGET_ID.test(targetId))
    throw new Error(
      `a client token's target id is 1 to 200 of A-Z a-z 0-9 . _ ~ : @ + -, not ${JSON.stringify(targetId)}`,
    );
  return `${PREFIX}${targetId}.${mac(bridgeToken, targetId)}`;
}

/** The target id a presented client token was minted for, when it is valid under `bridgeToken`. */
export function verifyClientToken(bridgeToken: string, presented: string): string | undefined {
  if (!presented.startsWith(PREFIX)) return undefined;
  const dot = presented.lastIndexOf(".");
  const targetId = presented.slice(PREFIX.length, dot);
  if (dot <= PREFIX.length || !TARGET_ID.test(targetId)) return undefined;
  const expected = Buffer.from(mac(bridgeToken, targetId));
  const given = Buffer.from(presented.slice(dot + 1));
  return given.length === expected.length && timingSafeEqual(given, expected) ? targetId : undefined;
}
