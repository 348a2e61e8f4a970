/**
 * Another account's flood costs the user's clients nothing: while a process of
 * uid 65534 floods the real bridge's port, every request of the user's own client is answered.
 * Needs root and /proc/net/tcp (skipped, with the reason printed, otherwise); its p95 is bench/flood.ts's.
 */
import { existsSync } from "node:fs";
import { afterEach, describe, expect, test } from "vitest";
import { nodeOutOfReach } from "../helpers/as-account.js";
import { strangerFlood, userAsks } from "../helpers/stranger-flood.js";
import { cleanup, startBridge } from "./helpers.js";

const skip =
  typeof process.getuid !== "function" || process.getuid() !== 0
    ? "not running as root: cannot start a process as another user"
    : !existsSync("/proc/net/tcp")
      ? "no /proc/net/tcp here: the bridge cannot tell accounts apart"
      : nodeOutOfReach();
// Shown in every run's output, so a skip is never silent.
if (skip) console.warn(`another account's flood skipped: ${skip}`);

afterEach(cleanup);

describe.skipIf(skip !== undefined)(`another account's flood${skip ? ` (skipped: ${skip})` : ""}`, () => {
  // Before: 12 of 40 answered, then 0 of 40, the rest reset — the user's new connections were the
  // oldest without the token once the flood's churned past the cap — and those answered waited
  // 1.2 s (p95) for their SYN to be sent again, the kernel's accept queue full of the flood's.
  test("1,000 held connections, 32 requests with no credential at a time and 3,000 connections swelling the socket table: the user's 25 requests, each on a new connection, are all answered", async () => {
    const b = await startBridge();
    const flood = await strangerFlood(b.port, 65534);
    try {
      const asked = await userAsks(b.port, b.token, 25);
      // Each one not answered, as its status or error (ECONNRESET: shed for the flood).
      expect(asked.filter((a) => a.status !== 200).map((a) => a.error ?? a.status)).toEqual([]);
    } finally {
      await flood.stop();
    }
  }, 120_000);
});
