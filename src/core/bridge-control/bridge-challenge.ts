/**
 * A challenge that proves a listener holds this home's bridge token without revealing it: the
 * caller sends a fresh nonce with no credential; the bridge answers (on its 401) with an HMAC of
 * the nonce and the address and port the connection reached, keyed by the token.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** An address as both ends spell it: an IPv4-mapped IPv6 address as plain IPv4. */
const addressKey = (ip: string) => ip.toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");

/** The request header carrying the nonce, and the answer header carrying the proof. */
export const CHALLENGE_HEADER = "mcp-twin-challenge";
export const PROOF_HEADER = "mcp-twin-proof";

export const newNonce = (): string => randomBytes(24).toString("base64url");

/**
 * The proof for one nonce at one address and port. The address and port are where the connection
 * arrived, so a listener elsewhere that forwards the challenge to the bridge gets a proof for the
 * bridge's own address, not its own.
 */
export function challengeProof(token: string, nonce: string, address: string, port: number): string {
  return createHmac("sha256", token)
    .update(`mcp-twin bridge proof v1\n${nonce}\n${addressKey(address)}\n${port}`)
    .digest("base64url");
}

/** The bridge's side: the proof header for a request that carries a well-formed nonce. */
export function answerChallenge(
  nonce: string | string[] | undefined,
  socket: { localAddress?: string | undefined; localPort?: number | undefined },
  token: string,
): Record<string, string> | undefined {
  if (typeof nonce !== "string" || !/^[A-Za-z0-9_-]{16,128}$/.test(nonce)) return undefined;
  if (!socket.localAddress || !socket.localPort) return undefined;
  return { [PROOF_HEADER]: challengeProof(token, nonce, socket.localAddress, socket.localPort) };
}

/** The caller's side: does `proof` answer `nonce` at the address and port it connected to? */
export function proofHolds(
  proof: string | string[] | undefined,
  token: string,
  nonce: string,
  address: string,
  port: number,
): boolean {
  if (typeof proof !== "string") return false;
  const want = Buffer.from(challengeProof(token, nonce, address, port));
  const got = Buffer.from(proof);
  return got.length === want.length && timingSafeEqual(got, want);
}
