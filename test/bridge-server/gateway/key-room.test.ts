/**
 * Room for a new key on a shared server (key-room.ts, pure): a credential holds at most half, so
 * one client's junk keys never fill a server for the others; a key with nothing in flight goes.
 */
import { expect, test } from "vitest";
import { type HeldKey, MAX_KEYS, roomFor } from "../../../src/bridge-server/gateway/key-room.js";

const keys = (holder: string, n: number, inUse = false): HeldKey[] =>
  Array.from({ length: n }, (_, i) => ({ key: `${holder}-${i}`, holder, idleMs: i, inUse }));
const UNTIL = "each of them in use: try again once one is not (no call in flight, no session on it)";

test("room left: nothing goes", () => {
  expect(roomFor(keys("a", 10), "b", "sessions")).toEqual({ forget: undefined });
  expect(roomFor(keys("a", MAX_KEYS / 2 - 1), "a", "sessions")).toEqual({ forget: undefined });
});

test("a credential at half makes room from its own idlest key not in use, whatever the others hold", () => {
  const own = keys("junk", MAX_KEYS / 2);
  own[3]!.idleMs = 10_000;
  own[4]!.inUse = true;
  own[4]!.idleMs = 20_000;
  expect(roomFor([...keys("zed", 5), ...own], "junk", "sessions")).toEqual({ forget: "junk-3" });
  // Its half all in use: it is refused, saying whose limit, and another client still has room.
  const busy = keys("junk", MAX_KEYS / 2, true);
  expect(roomFor(busy, "junk", "project folders")).toEqual({
    full: `Service Unavailable: this client already holds 128 project folders of this server (at most half of its 256), ${UNTIL}`,
  });
  expect(roomFor(busy, "zed", "sessions")).toEqual({ forget: undefined });
});

test("full: the idlest key not in use goes, whoever made it; every one in use: refused", () => {
  const all = [...keys("a", MAX_KEYS / 2, true), ...keys("b", MAX_KEYS / 2 - 1, true), ...keys("c", 1)];
  expect(roomFor(all, "d", "sessions")).toEqual({ forget: "c-0" });
  expect(roomFor([...all.slice(0, -1), ...keys("c", 1, true)], "d", "sessions")).toEqual({
    full: `Service Unavailable: this server already holds 256 sessions, ${UNTIL}`,
  });
});
