/**
 * Who owns an entry (core/entries/ownership.ts): every combination of what the file holds, what state
 * says mcp-twin wrote and what sync would write now, one row each. sync's plan, status and
 * doctor all read their answer here, so a row is one promise to all three.
 */
import { describe, expect, test } from "vitest";
import { classifyEntry, classifyTarget, type EntryState } from "../../src/core/entries/ownership.js";
import type { BuiltEntry } from "../../src/core/entries/target-entry.js";
import { entryHash } from "../../src/core/ledger/state.js";

const written = { command: "node", args: ["/p/server.js"] }; // what mcp-twin wrote last
const now = { command: "node", args: ["/p/server.js", "--new"] }; // what it would write now
const edited = { command: "node", args: ["/p/server.js", "--mine"] }; // a hand edit
const built = (value: unknown): BuiltEntry => ({
  ok: true,
  value: value as Record<string, unknown>,
  secretValues: [],
  references: [],
  runsIn: "linux",
});
const blocked: BuiltEntry = { ok: false, code: "not-installed", reason: "x is not installed in linux" };
const ours = { hash: entryHash(written) };
const interrupted = { hash: entryHash(edited), pending: [entryHash(written)] };

type Row = [string, { file?: unknown; record?: typeof ours; desired?: BuiltEntry }, EntryState | undefined];

const rows: Row[] = [
  // Meant for this target, not in the file.
  ["not in the file", { desired: built(now) }, "missing"],
  ["not in the file, and sync cannot build it", { desired: blocked }, "missing"],
  ["not in the file though state has it (deleted by hand)", { record: ours, desired: built(now) }, "missing"],
  // In the file, what sync would write.
  ["ours, unchanged, up to date", { file: written, record: ours, desired: built(written) }, "synced"],
  ["written by hand exactly as sync would", { file: now, desired: built(now) }, "synced"],
  [
    "ours, edited by hand into what the manifest now asks for",
    { file: now, record: ours, desired: built(now) },
    "synced",
  ],
  [
    "ours, unchanged, and sync cannot build it now",
    { file: written, record: ours, desired: blocked },
    "synced",
  ],
  // Ours, unchanged, but not what sync would write.
  ["ours, unchanged, out of date", { file: written, record: ours, desired: built(now) }, "stale"],
  [
    "ours by a pending hash (a run killed mid-write), out of date",
    { file: written, record: interrupted, desired: built(now) },
    "stale",
  ],
  ["ours, unchanged, no longer wanted", { file: written, record: ours }, "stale"],
  // Ours once, edited since.
  ["ours, edited", { file: edited, record: ours, desired: built(now) }, "drifted"],
  ["ours, edited, and sync cannot build it now", { file: edited, record: ours, desired: blocked }, "drifted"],
  ["ours, edited, no longer wanted", { file: edited, record: ours }, "drifted"],
  // Never ours.
  ["someone else's entry of that name", { file: edited, desired: built(now) }, "foreign"],
  ["someone else's entry, and sync cannot build one", { file: edited, desired: blocked }, "foreign"],
  // Nothing to say.
  ["not wanted, not in the file", { record: ours }, undefined],
];

describe("classifyEntry", () => {
  test.each(rows)("%s", (_, given, expected) => {
    const c = classifyEntry({
      present: "file" in given,
      value: given.file,
      record: given.record,
      desired: given.desired,
    });
    expect(c?.state).toBe(expected);
  });

  test("reports the hashes sync records (the file's, and what it would write)", () => {
    const c = classifyEntry({ present: true, value: edited, record: undefined, desired: built(now) });
    expect(c).toEqual({ state: "foreign", currentHash: entryHash(edited), desiredHash: entryHash(now) });
  });

  test("a reformatted entry (other key order) is no edit: values are compared, not text", () => {
    const reordered = { args: ["/p/server.js"], command: "node" };
    expect(classifyEntry({ present: true, value: reordered, record: ours, desired: built(now) })?.state).toBe(
      "stale",
    );
  });
});

describe("classifyTarget", () => {
  test("servers meant for the target in order, then ours no longer wanted; other names never", () => {
    const current = { b: written, gone: written, edited, user: { command: "mine" } };
    const owned = { b: ours, gone: ours, edited: ours, deleted: ours };
    const desired = new Map<string, BuiltEntry>([
      ["b", built(written)],
      ["a", built(now)],
    ]);
    expect(classifyTarget(current, owned, desired).map((c) => [c.name, c.wanted, c.state])).toEqual([
      ["b", true, "synced"],
      ["a", true, "missing"],
      ["gone", false, "stale"],
      ["edited", false, "drifted"],
    ]);
  });

  test("names are own properties only: a server called toString is not an entry of every file", () => {
    const desired = new Map<string, BuiltEntry>([["toString", built(now)]]);
    expect(classifyTarget({}, {}, desired).map((c) => c.state)).toEqual(["missing"]);
  });
});
