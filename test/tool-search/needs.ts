/**
 * The 26 servers' real tool lists (test/fixtures/tool-search/servers/) and the needs written
 * against them (needs.json), each with its classes and the set it belongs to: `tune` (what the
 * ranking may be tuned on) or `report` (only ever measured), by a hash of the need's own words.
 * needs-fresh.json holds needs written later, blind to the ranking, for one measurement: set
 * `fresh`, kept apart (`freshNeeds`) so nothing that reads `needs` runs a ranking on them.
 * needs-dev.json holds needs to develop the ranking against (set `dev`, `devNeeds`), mostly long
 * and colloquial: kept out of `needs` too, so the tune and report sets stay as they were.
 * needs-fresh2.json holds a second held-out set, written blind after the first was spent: set
 * `fresh2`, kept apart (`fresh2Needs`) like the fresh set, for one measurement.
 * unseen/ holds servers no examples file knows, split by server: needs-unseen-tune.json's (set
 * `unseen-tune`, what search may be tuned on for a server it never saw) and needs-unseen.json's
 * (set `unseen`: held out once, looked at and spent, a tune set now).
 * unseen2/ holds other servers no examples file knows and needs-unseen2.json their needs (set
 * `unseen2`: held out, then looked at and tuned on, a tune set now).
 * unseen3/ holds still other servers no examples file knows and needs-unseen3.json their needs (set
 * `unseen3`, the held-out set now, frozen by hash before any ranking ran on it).
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ToolDef } from "../../src/core/entries/tool-lists.js";

// MCP_TWIN_REPO: set by bench/run.js, which bundles this file elsewhere.
const DIR = process.env.MCP_TWIN_REPO
  ? path.join(process.env.MCP_TWIN_REPO, "test", "fixtures", "tool-search")
  : fileURLToPath(new URL("../fixtures/tool-search/", import.meta.url));

/** One server's list as captured: its package, version and date, its tools as listed. */
export interface Captured {
  name: string;
  package: string;
  version: string;
  captured: string;
  tools: ToolDef[];
}

/** A folder's captured lists, by file name. */
const listsIn = (folder: string): Captured[] =>
  readdirSync(path.join(DIR, folder))
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(DIR, folder, f), "utf8")));

export const servers: Captured[] = listsIn("servers");

/** A fixture's text, its line ends as written (a checkout that turns them into CRLF holds the same set). */
const fixtureText = (name: string) => readFileSync(path.join(DIR, name), "utf8").replaceAll("\r\n", "\n");

export const needsText = fixtureText("needs.json");
export const freshNeedsText = fixtureText("needs-fresh.json");
export const devNeedsText = fixtureText("needs-dev.json");
export const fresh2NeedsText = fixtureText("needs-fresh2.json");
export const unseenNeedsText = fixtureText("needs-unseen.json");
const unseenTuneNeedsText = fixtureText("needs-unseen-tune.json");
export const unseen2NeedsText = fixtureText("needs-unseen2.json");
export const unseen3NeedsText = fixtureText("needs-unseen3.json");

/** Servers no examples file knows (unseen/), captured the same way. */
export const unseenServers: Captured[] = listsIn("unseen");

/** The second held-out set's servers (unseen2/): in none of servers/, unseen/ nor the examples file. */
export const unseen2Servers: Captured[] = listsIn("unseen2");

/** The third held-out set's servers (unseen3/): in none of servers/, unseen/, unseen2/ nor the examples file. */
export const unseen3Servers: Captured[] = listsIn("unseen3");

/** A need's classes: product named or not, short (≤ 4 words) or long (≥ 10), several servers right, a typo. */
export type NeedClass = "named" | "unnamed" | "short" | "long" | "several servers" | "typo";

export interface Need {
  need: string;
  want: string[];
  set: "tune" | "report" | "fresh" | "dev" | "fresh2" | "unseen" | "unseen-tune" | "unseen2" | "unseen3";
  classes: NeedClass[];
}

/** The set a need belongs to: the first byte of its words' SHA-256, even or odd. */
const tuneOrReport = (need: string): Need["set"] =>
  (createHash("sha256").update(need).digest()[0] ?? 0) % 2 === 0 ? "tune" : "report";

/** A fixture's needs with their classes, each in the set `setOf` gives it. */
const parse = (text: string, setOf: (need: string) => Need["set"]): Need[] =>
  (JSON.parse(text).needs as Array<{ need: string; want: string[]; named?: boolean; typo?: boolean }>).map(
    ({ need, want, named, typo }) => {
      const words = need.split(/\s+/).length;
      const classes: NeedClass[] = [named ? "named" : "unnamed"];
      if (words <= 4) classes.push("short");
      if (words >= 10) classes.push("long");
      if (new Set(want.map((w) => w.slice(0, w.indexOf("/")))).size > 1) classes.push("several servers");
      if (typo) classes.push("typo");
      return { need, want, set: setOf(need), classes };
    },
  );

/** needs.json's needs: the tune and report sets. */
export const needs: Need[] = parse(needsText, tuneOrReport);

/** needs-fresh.json's needs, all set `fresh`: for one measurement (`BENCH_SETS=fresh`), never tuned on. */
export const freshNeeds: Need[] = parse(freshNeedsText, () => "fresh");

/** needs-dev.json's needs, all set `dev`: what the ranking is developed against (`BENCH_SETS=dev`). */
export const devNeeds: Need[] = parse(devNeedsText, () => "dev");

/** needs-fresh2.json's needs, all set `fresh2`: the second held-out set, for one measurement, never tuned on. */
export const fresh2Needs: Need[] = parse(fresh2NeedsText, () => "fresh2");

/** needs-unseen.json's needs, all set `unseen`: over servers no examples file knows, held out once, a tune set now (`BENCH_SETS=unseen`). */
export const unseenNeeds: Need[] = parse(unseenNeedsText, () => "unseen");

/** needs-unseen-tune.json's needs, all set `unseen-tune`: over other unseen servers, what may be tuned on. */
export const unseenTuneNeeds: Need[] = parse(unseenTuneNeedsText, () => "unseen-tune");

/** needs-unseen2.json's needs, all set `unseen2`: held out once, a tune set now, ranked among all of unseen2/ (`BENCH_SETS=unseen2`). */
export const unseen2Needs: Need[] = parse(unseen2NeedsText, () => "unseen2");

/** needs-unseen3.json's needs, all set `unseen3`: the held-out set, ranked among all of unseen3/ (`BENCH_SETS=unseen3`). */
export const unseen3Needs: Need[] = parse(unseen3NeedsText, () => "unseen3");

/** The unseen servers a set's needs want: the index it is measured on. */
export const serversOf = (set: readonly Need[]): Captured[] => {
  const wanted = new Set(set.flatMap((n) => n.want.map((w) => w.slice(0, w.indexOf("/")))));
  return unseenServers.filter((s) => wanted.has(s.name));
};
