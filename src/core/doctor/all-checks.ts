/**
 * Every check doctor runs, in report order: `{ id, scope, doc, fix, run }`, one entry each, kept in
 * the file of its subject (checks/*.ts).
 */

import type { CheckDef, CheckScope } from "./check-def.js";
import { backupsChecks } from "./checks/backup-books.js";
import { bridgeChecks } from "./checks/bridge-reach.js";
import { configChecks } from "./checks/configs.js";
import { driftChecks } from "./checks/drift.js";
import { entryChecks } from "./checks/entry-lint.js";
import { environmentChecks } from "./checks/environments.js";
import { harnessChecks } from "./checks/harness-reads.js";
import { loginChecks } from "./checks/logins.js";
import { manifestChecks } from "./checks/manifest.js";
import { movedClientsChecks } from "./checks/moved-clients.js";
import { movedServersChecks } from "./checks/moved-servers.js";
import { nodeChecks } from "./checks/node.js";
import { ownListChecks } from "./checks/own-list.js";
import { pinChecks } from "./checks/pinned-tools.js";
import { pluginServerChecks } from "./checks/plugin-server-list.js";
import { probeChecks } from "./checks/probe-results.js";
import { samePackageChecks } from "./checks/same-package.js";
import { secretsChecks } from "./checks/secrets.js";
import { sharedChecks } from "./checks/shared.js";
import { stateChecks } from "./checks/state-file.js";
import { toolsBudgetChecks } from "./checks/tools-budget.js";
import { toolsEndpointChecks } from "./checks/tools-entry.js";
import type { DoctorFacts, ScopeItems } from "./facts.js";
import { AS_IS, type Show, showFor } from "./path-style.js";
import type { Finding } from "./types.js";

/**
 * Ids are part of the `doctor --json` contract: never rename. docs/doctor.md's list of checks is
 * generated from here (`npm run docs:doctor`; a test fails when it is stale).
 */
export const CHECKS = [
  ...environmentChecks,
  ...nodeChecks,
  ...manifestChecks,
  ...secretsChecks,
  ...loginChecks,
  ...stateChecks,
  ...backupsChecks,
  ...configChecks,
  ...movedClientsChecks,
  ...harnessChecks,
  ...movedServersChecks,
  ...ownListChecks,
  ...samePackageChecks,
  ...pluginServerChecks,
  ...entryChecks,
  ...driftChecks,
  ...probeChecks,
  ...bridgeChecks,
  ...sharedChecks,
  ...toolsBudgetChecks,
  ...toolsEndpointChecks,
  ...pinChecks,
] as const;

type CheckId = (typeof CHECKS)[number]["id"];

/** A finding stamped with the id of the check that found it: what doctor reports. */
export interface Check extends Finding {
  /** Stable id, listed in docs/doctor.md (generated from the registry). */
  id: CheckId;
}

/** The registry as plain definitions (each `run` takes its own scope's item). */
const ALL: readonly CheckDef[] = CHECKS;

/** Items of each scope, in the order they are reported. */
function itemsOf<S extends CheckScope>(facts: DoctorFacts, scope: S): ScopeItems[S][] {
  const items: { [K in CheckScope]: ScopeItems[K][] } = {
    machine: [facts],
    environment: facts.environments,
    "manifest-server": facts.servers,
    "config-file": facts.configs,
    entry: facts.entries,
    "manifest-entry": facts.drift,
    probe: facts.probes ?? [],
  };
  return items[scope];
}

/** The order scopes are reported in: the machine, then outward to what runs. */
const SCOPE_ORDER: readonly CheckScope[] = [
  "machine",
  "environment",
  "manifest-server",
  "config-file",
  "entry",
  "manifest-entry",
  "probe",
];

/** Run one scope's checks on one item (each item's findings together, in registry order). */
export function runScope<S extends CheckScope>(scope: S, item: ScopeItems[S], show: Show = AS_IS): Check[] {
  // A probe's findings carry its start, so that two starts are never reported as one.
  const launch = scope === "probe" ? (item as ScopeItems["probe"]).launch : undefined;
  return ALL.filter((c) => c.scope === scope).flatMap((c) =>
    c.run(item, show).map((f: Finding) => ({ id: c.id as CheckId, ...f, ...(launch ? { launch } : {}) })),
  );
}

/** Every check on every item it applies to, paths shown as this machine shows them. */
export function runChecks(facts: DoctorFacts): Check[] {
  const home = [facts.platform?.home.dir, facts.manifest?.file].filter((p): p is string => Boolean(p));
  const show = showFor(facts.platform?.local, home);
  return SCOPE_ORDER.flatMap((scope) => itemsOf(facts, scope).flatMap((item) => runScope(scope, item, show)));
}

/** Entry lint alone: the entry checks on one entry (unit tests, and a reading aid). */
export function lintEntry(entry: ScopeItems["entry"]): Check[] {
  return runScope("entry", entry);
}
