/**
 * What one check of the registry is: `{ id, scope, doc, fix, run(item) }`, its `run` typed by the
 * items of its scope (facts.ts). Each check's file defines its own; all-checks.ts lists them.
 */
import type { ScopeItems } from "./facts.js";
import type { Show } from "./path-style.js";
import type { Finding } from "./types.js";

/** What a check runs on: the whole machine once, or each item of one kind (see facts.ts). */
export type CheckScope = keyof ScopeItems;

/**
 * Each check is one entry of the registry (all-checks.ts): `{ id, scope, doc, fix, run(item) }`.
 * The runner stamps the id on what a check finds, so a check can only ever report under its own id.
 */
export interface CheckDef<Id extends string = string, S extends CheckScope = CheckScope> {
  /** Part of the `doctor --json` contract: never rename. */
  id: Id;
  scope: S;
  /** What a finding means (Markdown, for docs/doctor.md). */
  doc: string;
  /** What to do about it (Markdown, for docs/doctor.md); empty when there is nothing to do. */
  fix: string;
  /** `show` writes paths the way this machine shows them (path-style.ts). */
  run(item: ScopeItems[S], show: Show): Finding[];
}

export function defineCheck<const Id extends string, const S extends CheckScope>(
  def: CheckDef<Id, S>,
): CheckDef<Id, S> {
  return def;
}
