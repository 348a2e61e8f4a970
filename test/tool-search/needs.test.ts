/**
 * The needs the ranking is measured on (needs.ts) stay as they were written: frozen by hash, every
 * wanted tool one of the captured lists really holds, split into a tune set and a report set; and
 * the fresh set, written later and blind to the ranking, frozen apart and distinct from them all; and
 * the second fresh set (fresh2), written blind once the first was spent, distinct from every other set.
 */
import { createHash } from "node:crypto";
import { expect, test } from "vitest";
import {
  devNeeds,
  devNeedsText,
  fresh2Needs,
  fresh2NeedsText,
  freshNeeds,
  freshNeedsText,
  type Need,
  type NeedClass,
  needs,
  needsText,
  servers,
} from "./needs.js";

/** needs.json as written before any ranking ran on it. Never changed to fit a ranking. */
const FROZEN = "5ba0fa9df01d46fbfaff396cafaa8c9c577720612579f8dc7d302e85b4c88470";

/** needs-fresh.json as written, blind to the ranking, before it was measured (once). Never changed. */
const FRESH_FROZEN = "1f2e12275e5348a38a6314a740c9a1540bfa4fd7630caf535cf1dd7f4642b3df";

/** needs-dev.json as written, before any ranking ran on it. Never changed to fit a ranking. */
const DEV_FROZEN = "b4c470ad8f19a5a41c827a23ccaa1d4ea893302922b87286bbfbc8b711d5ab3b";

/** needs-fresh2.json as written, blind to the ranking, before it was measured (once). Never changed. */
const FRESH2_FROZEN = "a322de5d58bff10140ccf2df383e08c710e4bb6fae711823d79d88dbe2f4e29f";

const CLASSES: NeedClass[] = ["named", "unnamed", "short", "long", "several servers", "typo"];

/** A need's words as a person would see them the same: case and spacing aside. */
const same = (need: string) => need.toLowerCase().replace(/\s+/g, " ").trim();

test("needs.json is the frozen set: at least 300 needs over at least 20 servers' real lists", () => {
  expect(createHash("sha256").update(needsText).digest("hex")).toBe(FROZEN);
  expect(needs.length).toBeGreaterThanOrEqual(300);
  const wanted = new Set(needs.flatMap((n) => n.want.map((w) => w.slice(0, w.indexOf("/")))));
  expect(wanted.size).toBeGreaterThanOrEqual(20);
  expect(new Set(needs.map((n) => n.need)).size).toBe(needs.length);
});

test("every wanted tool is one a captured server lists", () => {
  const listed = new Set(servers.flatMap((s) => s.tools.map((t) => `${s.name}/${t.name}`)));
  const unknown = [...needs, ...freshNeeds, ...devNeeds, ...fresh2Needs].flatMap((n) =>
    n.want.filter((w) => !listed.has(w)),
  );
  expect(unknown).toEqual([]);
  for (const s of servers)
    expect(s, s.name).toMatchObject({ package: expect.any(String), version: expect.any(String) });
});

test("the tune and report sets each hold about half, every class in each", () => {
  const tune = needs.filter((n) => n.set === "tune");
  const report = needs.filter((n) => n.set === "report");
  expect(tune.length + report.length).toBe(needs.length);
  expect(Math.min(tune.length, report.length)).toBeGreaterThan(needs.length * 0.4);
  for (const c of CLASSES) {
    expect(tune.filter((n) => n.classes.includes(c)).length, c).toBeGreaterThan(5);
    expect(report.filter((n) => n.classes.includes(c)).length, c).toBeGreaterThan(5);
  }
});

/**
 * A set frozen apart from needs.json: its text as written (by hash), at least `atLeast` needs over
 * at least `servers` servers, each once and none said in `said`, every class more than five times.
 */
function expectFrozenApart(
  set: Need[],
  text: string,
  frozen: string,
  o: { name: Need["set"]; atLeast: number; servers: number; said: Need[] },
) {
  expect(createHash("sha256").update(text).digest("hex")).toBe(frozen);
  expect(set.length).toBeGreaterThanOrEqual(o.atLeast);
  expect(set.every((n) => n.set === o.name)).toBe(true);
  const wanted = new Set(set.flatMap((n) => n.want.map((w) => w.slice(0, w.indexOf("/")))));
  expect(wanted.size).toBeGreaterThanOrEqual(o.servers);
  expect(new Set(set.map((n) => same(n.need))).size).toBe(set.length);
  const said = new Set(o.said.map((n) => same(n.need)));
  expect(set.filter((n) => said.has(same(n.need))).map((n) => n.need)).toEqual([]);
  for (const c of CLASSES) expect(set.filter((n) => n.classes.includes(c)).length, c).toBeGreaterThan(5);
}

test("needs-fresh.json is frozen apart: at least 200 needs over at least 22 servers, none said before", () => {
  expectFrozenApart(freshNeeds, freshNeedsText, FRESH_FROZEN, {
    name: "fresh",
    atLeast: 200,
    servers: 22,
    said: needs,
  });
});

test("needs-dev.json is frozen apart: at least 150 needs over at least 22 servers, mostly long, none said in needs.json", () => {
  expectFrozenApart(devNeeds, devNeedsText, DEV_FROZEN, {
    name: "dev",
    atLeast: 150,
    servers: 22,
    said: needs,
  });
  expect(devNeeds.filter((n) => n.classes.includes("long")).length).toBeGreaterThan(devNeeds.length / 2);
  expect(devNeeds.filter((n) => n.classes.includes("unnamed")).length).toBeGreaterThan(devNeeds.length / 2);
});

test("needs-fresh2.json is frozen apart: at least 300 needs over at least 24 servers, none said in any other set", () => {
  expectFrozenApart(fresh2Needs, fresh2NeedsText, FRESH2_FROZEN, {
    name: "fresh2",
    atLeast: 300,
    servers: 24,
    said: [...needs, ...freshNeeds, ...devNeeds],
  });
});
