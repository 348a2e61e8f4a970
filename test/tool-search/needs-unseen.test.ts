/**
 * The needs for servers no examples file knows stay as written: frozen by hash before any ranking
 * ran on it, over at least 20 servers, none of them known to the examples file or in the tune part
 * (itself at least 110 needs); every wanted tool one its captured list holds. Held out once, then
 * looked at and spent: a tune set now; the held-out set is needs-unseen3.json (needs-unseen3.test.ts).
 */
import { createHash } from "node:crypto";
import { expect, test } from "vitest";
import { examplesKey, loadExamples } from "../../src/core/text-search/examples.js";
import { servers, serversOf, unseenNeeds, unseenNeedsText, unseenServers, unseenTuneNeeds } from "./needs.js";

/** needs-unseen.json as written, before any ranking ran on it. Never changed to fit a ranking (a tune set now). */
const UNSEEN_FROZEN = "71ce75117907f6b5ce4c5377065b888b2192e0039679bf877c33b4ad8857a5c3";

test("needs-unseen.json is frozen: at least 300 needs over at least 20 servers no examples file knows", () => {
  expect(createHash("sha256").update(unseenNeedsText).digest("hex")).toBe(UNSEEN_FROZEN);
  expect(unseenNeeds.length).toBeGreaterThanOrEqual(300);
  expect(new Set(unseenNeeds.map((n) => n.need)).size).toBe(unseenNeeds.length);
  const held = serversOf(unseenNeeds).map((s) => s.name);
  expect(held.length).toBeGreaterThanOrEqual(20);
  // Split by server: no server of the held-out part is one the tune part's needs want.
  const tune = new Set(serversOf(unseenTuneNeeds).map((s) => s.name));
  expect(held.filter((s) => tune.has(s))).toEqual([]);
  // The tune part large enough to tell variants apart (at 50 needs one need was 2 points), each need once.
  expect(unseenTuneNeeds.length).toBeGreaterThanOrEqual(110);
  expect(new Set(unseenTuneNeeds.map((n) => n.need)).size).toBe(unseenTuneNeeds.length);
});

test("the unseen servers are unknown to the examples file and to servers/, and every wanted tool is listed", () => {
  const known = new Set(servers.map((s) => s.name));
  expect(unseenServers.filter((s) => known.has(s.name)).map((s) => s.name)).toEqual([]);
  const examples = loadExamples([new URL("../../src/core/tool-search/tool-examples.json", import.meta.url)]);
  const pinned = unseenServers.flatMap((s) =>
    s.tools
      .filter((t) => examples?.has(examplesKey(t.name, t.description)))
      .map((t) => `${s.name}/${t.name}`),
  );
  expect(pinned).toEqual([]);
  const listed = new Set(unseenServers.flatMap((s) => s.tools.map((t) => `${s.name}/${t.name}`)));
  expect([...unseenNeeds, ...unseenTuneNeeds].flatMap((n) => n.want.filter((w) => !listed.has(w)))).toEqual(
    [],
  );
});
