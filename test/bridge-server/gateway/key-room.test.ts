/**
 * Room for a new key on a shared server (key-room.ts, pure): a credential holds at most half, so
 * one client's junk keys never fill a server for the others; a key with nothing in flight goes.
 */
import { expect, test } from "vitest";
import { fullWhy, type HeldKey, MAX_KEYS, roomFor } from "../../../src/bridge-server/gateway/key-room.js";

const keys = (holder: string, n: number, inUse = false, from = 0): HeldKey[] =>
  Array.from({ length: n }, (_, i) => ({ key: `${holder}-${from + i}`, holder, idleMs: i, inUse }));

test("room left: nothing goes", () => {
  expect(roomFor(keys("a", 10), "b")).toEqual({});
  expect(roomFor(keys("a", MAX_KEYS / 2 - 1), "a")).toEqual({});
});

test("a credential at half makes room from its own idlest key not in use, whatever the others hold", () => {
  const own = keys("junk", MAX_KEYS / 2);
  own[3]!.idleMs = 10_000;
  own[4]!.inUse = true;
  own[4]!.idleMs = 20_000;
  expect(roomFor([...keys("zed", 5), ...own], "junk")).toEqual({ forget: "junk-3" });
  // Its half all in use: it is refused, and another client still has room.
  const busy = keys("junk", MAX_KEYS / 2, true);
  expect(roomFor(busy, "junk")).toEqual({ full: "own" });
  expect(roomFor(busy, "zed")).toEqual({});
});

test("full: the idlest key not in use goes, whoever made it; every one in use: refused", () => {
  const all = [...keys("a", MAX_KEYS / 2, true), ...keys("b", MAX_KEYS / 2 - 1, true), ...keys("c", 1)];
  expect(roomFor(all, "d")).toEqual({ forget: "c-0" });
  expect(roomFor(all.slice(0, -1).concat(keys("c", 1, true)), "d")).toEqual({ full: "all" });
});

test("the refusals say whose limit and what to wait for", () => {
  expect(fullWhy("session", "all")).toBe(
    "Service Unavailable: this server already holds 256 sessions, each of them in use: try again once one ends",
  );
  expect(fullWhy("project", "own")).toBe(
    "Service Unavailable: this client already holds 128 project folders of this server (a client holds at most half of its 256), each of them in use: try again once one is not (no call in flight, no session on it)",
  );
});
