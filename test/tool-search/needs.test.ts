/**
 * The needs the ranking is measured on (needs.ts) stay as they were written: frozen by hash, every
 * wanted tool one of the captured lists really holds, split into a tune set and a report set.
 */
import { createHash } from "node:crypto";
import { expect, test } from "vitest";
import { needs, needsText, servers } from "./needs.js";

/** needs.json as written before any ranking ran on it. Never changed to fit a ranking. */
const FROZEN = "5ba0fa9df01d46fbfaff396cafaa8c9c577720612579f8dc7d302e85b4c88470";

test("needs.json is the frozen set: at least 300 needs over at least 20 servers' real lists", () => {
  expect(createHash("sha256").update(needsText).digest("hex")).toBe(FROZEN);
  expect(needs.length).toBeGreaterThanOrEqual(300);
  const wanted = new Set(needs.flatMap((n) => n.want.map((w) => w.slice(0, w.indexOf("/")))));
  expect(wanted.size).toBeGreaterThanOrEqual(20);
  expect(new Set(needs.map((n) => n.need)).size).toBe(needs.length);
});

test("every wanted tool is one a captured server lists", () => {
  const listed = new Set(servers.flatMap((s) => s.tools.map((t) => `${s.name}/${t.name}`)));
  const unknown = needs.flatMap((n) => n.want.filter((w) => !listed.has(w)));
  expect(unknown).toEqual([]);
  for (const s of servers)
    expect(s, s.name).toMatchObject({ package: expect.any(String), version: expect.any(String) });
});

test("the tune and report sets each hold about half, every class in each", () => {
  const tune = needs.filter((n) => n.set === "tune");
  const report = needs.filter((n) => n.set === "report");
  expect(tune.length + report.length).toBe(needs.length);
  expect(Math.min(tune.length, report.length)).toBeGreaterThan(needs.length * 0.4);
  for (const c of ["named", "unnamed", "short", "long", "several servers", "typo"] as const) {
    expect(tune.filter((n) => n.classes.includes(c)).length, c).toBeGreaterThan(5);
    expect(report.filter((n) => n.classes.includes(c)).length, c).toBeGreaterThan(5);
  }
});
