/**
 * Whom each package mcp-twin installed is for, as state records it: no record means the user level
 * (so a user-level setup's state stays as it was), a project's install or reliance is recorded
 * beside the others, and an uninstall forgets it.
 */
import { expect, test } from "vitest";
import { emptyState, type State } from "../../src/core/ledger/state.js";
import {
  forgetOwners,
  ownerOf,
  ownersOf,
  recordOwner,
  USER_LEVEL,
  unrecorded,
} from "../../src/core/packages/owners.js";

const PROJECT = "/home/bob/app/mcp-twin.jsonc";
const withInstall = (): State => ({ ...emptyState(), installs: { linux: { pkg: "1.0.0" } } });

test("a run installs for the user level (any file) or for a project manifest by its path", () => {
  expect(ownerOf({ file: "/home/bob/.config/mcp-twin/mcp-twin.jsonc", scope: "user" })).toBe(USER_LEVEL);
  expect(ownerOf({ file: "/elsewhere/mine.jsonc", scope: "user" })).toBe(USER_LEVEL);
  expect(ownerOf({ file: PROJECT, scope: "project" })).toBe(PROJECT);
});

test("an install with no record is the user level's; one mcp-twin did not install is nobody's", () => {
  const state = withInstall();
  expect(ownersOf(state, "linux", "pkg")).toEqual([USER_LEVEL]);
  expect(ownersOf(state, "linux", "other")).toEqual([]);
  expect(ownersOf(state, "windows", "pkg")).toEqual([]);
});

test("the user level alone is left unrecorded; a project beside it, or alone, is recorded", () => {
  const state = withInstall();
  recordOwner(state, "linux", "pkg", USER_LEVEL, []);
  expect(state.installedFor).toBeUndefined();
  recordOwner(state, "linux", "pkg", PROJECT, ownersOf(state, "linux", "pkg"));
  expect(ownersOf(state, "linux", "pkg")).toEqual([USER_LEVEL, PROJECT]);
  const fresh = withInstall();
  recordOwner(fresh, "linux", "pkg", PROJECT, []);
  expect(ownersOf(fresh, "linux", "pkg")).toEqual([PROJECT]);
  forgetOwners(fresh, "linux", ["pkg"]);
  expect(fresh.installedFor).toBeUndefined();
});

test("present rows not yet recorded for this manifest are the ones to record", () => {
  const state = withInstall();
  const rows = [
    { env: "linux", package: "pkg", version: "1.0.0", action: "present" },
    { env: "linux", package: "hand-installed", version: "2.0.0", action: "present" },
    { env: "linux", package: "new", version: "1.0.0", action: "planned" },
  ];
  expect(unrecorded(state, rows, USER_LEVEL)).toEqual([]);
  expect(unrecorded(state, rows, PROJECT).map((r) => r.package)).toEqual(["pkg"]);
});
