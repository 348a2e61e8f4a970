/**
 * The third held-out set (needs-unseen3.json over unseen3/) stays as written: frozen by hash before
 * any ranking ran on it, at least 300 needs over at least 20 servers, none of them known to servers/,
 * unseen/, unseen2/, pins/real-lists/ or the examples file; every wanted tool one its captured list holds.
 * Nothing here ranks.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { examplesKey, loadExamples } from "../../src/core/text-search/examples.js";
import {
  servers,
  unseen2Servers,
  unseen3Needs,
  unseen3NeedsText,
  unseen3Servers,
  unseenServers,
} from "./needs.js";

/** The pins scan's real lists (test/fixtures/pins/real-lists/), captured in the same record shape. */
const REAL_LISTS = new URL("../fixtures/pins/real-lists/", import.meta.url);
const realLists = readdirSync(REAL_LISTS)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(readFileSync(new URL(f, REAL_LISTS), "utf8")) as { name: string; package: string });

/** needs-unseen3.json as committed (039a2bfd), before anything ranked or read it. Never changed to fit a ranking. */
const UNSEEN3_FROZEN = "6be4982c6d63c9aa9fb22e28986fa3f2677799a448dd9bdf1ed27cbf314c5a91";

test("needs-unseen3.json is frozen: at least 300 needs, each once, over at least 20 servers", () => {
  expect(createHash("sha256").update(unseen3NeedsText).digest("hex")).toBe(UNSEEN3_FROZEN);
  expect(unseen3Needs.length).toBeGreaterThanOrEqual(300);
  expect(new Set(unseen3Needs.map((n) => n.need)).size).toBe(unseen3Needs.length);
  expect(unseen3Needs.every((n) => n.set === "unseen3" && n.want.length > 0)).toBe(true);
  // Every server of the pool is one some need wants: the set is over all of them.
  const wanted = new Set(unseen3Needs.flatMap((n) => n.want.map((w) => w.slice(0, w.indexOf("/")))));
  expect(unseen3Servers.length).toBeGreaterThanOrEqual(20);
  expect(unseen3Servers.map((s) => s.name).filter((s) => !wanted.has(s))).toEqual([]);
});

test("unseen3's servers are in none of servers/, unseen/, unseen2/ or pins/real-lists/, unknown to the examples file, and every want is listed", () => {
  const known = new Set(
    [...servers, ...unseenServers, ...unseen2Servers, ...realLists].flatMap((s) => [s.name, s.package]),
  );
  expect(unseen3Servers.filter((s) => known.has(s.name) || known.has(s.package)).map((s) => s.name)).toEqual(
    [],
  );
  const examples = loadExamples([new URL("../../src/core/tool-search/tool-examples.json", import.meta.url)]);
  const pinned = unseen3Servers.flatMap((s) =>
    s.tools
      .filter((t) => examples?.has(examplesKey(t.name, t.description)))
      .map((t) => `${s.name}/${t.name}`),
  );
  expect(pinned).toEqual([]);
  const listed = new Set(unseen3Servers.flatMap((s) => s.tools.map((t) => `${s.name}/${t.name}`)));
  expect(unseen3Needs.flatMap((n) => n.want.filter((w) => !listed.has(w)))).toEqual([]);
});
