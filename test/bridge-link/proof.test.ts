/** The bridge's challenge, pure: a proof holds only for the token, nonce, address and port it was made for. */
import { expect, test } from "vitest";
import { challengeProof, proofHolds } from "../../src/core/bridge-link/proof.js";

test("a challenge's proof holds for the token, nonce, address and port it was made for, only", () => {
  const proof = challengeProof("tok", "nonce-0123456789abcdef", "127.0.0.1", 7760);
  expect(proofHolds(proof, "tok", "nonce-0123456789abcdef", "::ffff:127.0.0.1", 7760)).toBe(true);
  expect(proofHolds(proof, "tok", "nonce-0123456789abcdef", "127.0.0.1", 7761)).toBe(false);
  expect(proofHolds(proof, "tok", "nonce-0123456789abcdef", "::1", 7760)).toBe(false);
  expect(proofHolds(proof, "other", "nonce-0123456789abcdef", "127.0.0.1", 7760)).toBe(false);
  expect(proofHolds(proof, "tok", "nonce-fedcba9876543210", "127.0.0.1", 7760)).toBe(false);
  expect(proofHolds(undefined, "tok", "nonce-0123456789abcdef", "127.0.0.1", 7760)).toBe(false);
});
