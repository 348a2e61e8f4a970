/**
 * The pieces of the bridge's proof, pure: addresses in /proc's hex and in Node's spelling meet in
 * one form; the far end of a connection is found in the socket table (accepted, or still queued on
 * the listener); a challenge's proof holds only for the address and port it was made for.
 */
import { expect, test } from "vitest";
import { challengeProof, proofHolds } from "../../src/core/bridge-control/bridge-challenge.js";
import {
  addressKey,
  listenerCovers,
  parseSocketTable,
  peerHeldBy,
  procEndpoint,
} from "../../src/core/bridge-control/proc-sockets.js";

test("addresses: /proc's little-endian hex and Node's spellings give one key", () => {
  expect(procEndpoint("0100007F:1E50")).toEqual({ address: "127.0.0.1", port: 7760 });
  expect(procEndpoint("00000000000000000000000001000000:1E50").address).toBe(addressKey("::1"));
  expect(procEndpoint("0000000000000000FFFF00000100007F:0050").address).toBe("127.0.0.1");
  expect(addressKey("::ffff:127.0.0.1")).toBe("127.0.0.1");
  expect(addressKey("[::1]")).toBe("0000:0000:0000:0000:0000:0000:0000:0001");
  expect(listenerCovers("0.0.0.0", "127.0.0.1")).toBe(true);
  expect(listenerCovers("0.0.0.0", addressKey("::1"))).toBe(false);
  expect(listenerCovers(addressKey("::"), "127.0.0.1")).toBe(true);
  expect(listenerCovers("127.0.0.1", "127.0.0.2")).toBe(false);
});

const HEADER =
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
const row = (local: string, remote: string, st: string, inode: string) =>
  `   0: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0 20 4 30 10 -1\n`;

test("the far end of a connection: its accepted socket's owner, else the listener it waits on", () => {
  // The bridge (inodes 10, 11) listens on 127.0.0.1:7760 and accepted our connection from :40000.
  const table = parseSocketTable(
    HEADER +
      row("0100007F:1E50", "00000000:0000", "0A", "10") +
      row("0100007F:1E50", "0100007F:9C40", "01", "11") +
      row("0100007F:9C40", "0100007F:1E50", "01", "99"),
  );
  const ours = { localAddress: "127.0.0.1", localPort: 40000, remoteAddress: "127.0.0.1", remotePort: 7760 };
  expect(peerHeldBy(table, new Set(["10", "11"]), ours)).toBe(true);
  // Accepted by someone else (their inode): not the bridge's, whoever listens.
  expect(peerHeldBy(table, new Set(["10"]), ours)).toBe(false);
  // Not accepted yet (inode 0): the listener it queues on decides.
  const queued = parseSocketTable(
    HEADER +
      row("0100007F:1E50", "00000000:0000", "0A", "10") +
      row("0100007F:1E50", "0100007F:9C40", "01", "0"),
  );
  expect(peerHeldBy(queued, new Set(["10"]), ours)).toBe(true);
  expect(peerHeldBy(queued, new Set(["12"]), ours)).toBe(false);
});

test("a challenge's proof holds for the token, nonce, address and port it was made for, only", () => {
  const proof = challengeProof("tok", "nonce-0123456789abcdef", "127.0.0.1", 7760);
  expect(proofHolds(proof, "tok", "nonce-0123456789abcdef", "::ffff:127.0.0.1", 7760)).toBe(true);
  expect(proofHolds(proof, "tok", "nonce-0123456789abcdef", "127.0.0.1", 7761)).toBe(false);
  expect(proofHolds(proof, "tok", "nonce-0123456789abcdef", "::1", 7760)).toBe(false);
  expect(proofHolds(proof, "other", "nonce-0123456789abcdef", "127.0.0.1", 7760)).toBe(false);
  expect(proofHolds(proof, "tok", "nonce-fedcba9876543210", "127.0.0.1", 7760)).toBe(false);
  expect(proofHolds(undefined, "tok", "nonce-0123456789abcdef", "127.0.0.1", 7760)).toBe(false);
});
