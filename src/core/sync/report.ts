/**
 * What a sync reports (text and `--json` are rendered from it): from its plan alone for a dry run
 * or a run with nothing to do, from the plan and what applying it did otherwise.
 */

import type { KeepProblem } from "../budget/keep-problems.js";
import { harnessTwin } from "../clients/harness.js";
import { CLIENTS } from "../clients/index.js";
import type { BridgeReport } from "../entries/bridge-wiring.js";
import { harnessReads } from "../entries/desired.js";
import { type MissingProgram, missingProgramLines } from "../entries/programs/missing-programs.js";
import type { RelayWhy } from "../entries/target-entry.js";
import type { Environment } from "../environments/types.js";
import type { LoginLine } from "../oauth/needs-login.js";
import type { InstallRow } from "../packages/installs.js";
import type { GatewayReport } from "./gateway-sync.js";
import type { PinReport } from "./pin-tools.js";
import type { SyncPlan } from "./plan.js";
import { type TargetPlan, targetAction } from "./target-plan.js";
import { readableSecretWarning } from "./target-safety.js";
import type { ToolRuleNote } from "./tool-rule-notes.js";

interface TargetReport {
  env: string;
  client: string;
  scope: string;
  path: string;
  action: "created" | "updated" | "unchanged" | "skipped" | "failed";
  added: string[];
  updated: string[];
  removed: string[];
  drift: string[];
  foreign: string[];
  /** Hand-edited entries --force overwrote (or, planned, will). */
  overwritten?: string[];
  /** Entries mcp-twin did not write that --force took over (their hand-written form kept for uninstall). */
  takenOver?: string[];
  /** Servers named as an entry of the client's own here (Goose's built-in `developer`), left alone: what it is. */
  clientOwn?: Array<{ server: string; what: string }>;
  note?: string;
  problems: Array<{ server: string; code: string; message: string; missing?: MissingProgram }>;
  /** Servers whose entry here runs in another environment (e.g. Windows' node.exe through interop). */
  across?: Array<{ server: string; runsIn: string; command?: string }>;
  /**
   * url servers this client takes only as mcp-twin's stdio relay (it has no url entries): the
   * client then needs mcp-twin where the relay runs (and WSL, when that is across the line).
   */
  relays?: Array<{ server: string; runsIn: string; why: RelayWhy }>;
  /** Shared servers whose entry here is a url entry to the gateway (the client starts no process for them). */
  shared?: string[];
  /** Of drift, foreign and overwritten: where sync writes the bridge's entry, which `adopt` cannot take (not in --json). */
  bridged?: string[];
  /** E.g. a file others can read into which this run writes a secret (with the chmod that fixes it). */
  warnings?: string[];
  /**
   * A file a remote window of its editor reads over the other side's (VS Code connected to WSL):
   * which servers such a window starts here, from this file, and which from the other side's file.
   */
  window?: { here: string[]; other: { env: string; path: string; servers: string[] } };
  /**
   * An app whose harness also reads another client's file (VS Code ≥ 1.140's Copilot harness, Copilot
   * CLI's mcp-config.json): its version, and the servers that harness takes from that file only.
   */
  harness?: { name: string; version: string; path: string; servers: string[] };
}

export interface SyncReport {
  manifest: string;
  /** `project`: ./mcp-twin.jsonc, which drives only this project's files. */
  manifestScope: "user" | "project";
  environments: Array<{
    id: string;
    node: string | null;
    nodeVersion?: string;
    npmPrefix: string | null;
    usable: boolean;
    reason?: string;
    /** What makes it usable (said once, on the environment's line). */
    fix?: string;
  }>;
  installs: InstallRow[];
  /** Usable environments that got no package: no client of this run runs one there. */
  noClient: string[];
  /**
   * Packages mcp-twin installed for this manifest that no manifest they were installed for uses now:
   * they stay (`sync --prune` removes them).
   */
  unused: Array<{ env: string; package: string; version: string }>;
  /** Project files only: their entries run their packages through npx, nothing was installed. */
  npx: boolean;
  targets: TargetReport[];
  errors: Array<{ code: string; message: string; target?: string }>;
  /** What was written but deserves a word (a secret in args, visible in the process list). */
  warnings: Array<{ code: string; message: string }>;
  /** Project-scope variables the user must set. */
  references: string[];
  /** Tool rules an entry does not carry (not listed yet, or no field): one per server (tool-rule-notes.ts). */
  toolRules: ToolRuleNote[];
  /** toolSearch's keep entries that list nothing, each with the fix (budget/keep-problems.ts). */
  keep: KeepProblem[];
  /**
   * Programs missing where entries run: one line per environment and program, naming the servers
   * and clients it stops and how to install it (the targets' lines point here).
   */
  missingPrograms: string[];
  /**
   * Whose changed config is loaded only by a restart of the app (`apps`, and which of them run now:
   * null when that could not be told), or by a new session of a command-line client (`sessions`).
   */
  restart: { apps: string[]; running: string[] | null; sessions: string[] };
  /** With the bridge enabled: what runs after this sync (restarted when its settings changed). */
  bridge?: BridgeReport;
  /** Shared servers: their gateway, its lists cached, its start at logon (gateway-sync.ts). */
  gateway?: GatewayReport;
  /** Tools pinned now, an update's changes approved, changes waiting for approval (pin-tools.ts). */
  pins?: PinReport;
  /** Each shared server's mode (machine, project, session): how many processes its url entries reach. */
  shareModes: Record<string, string>;
  /** Of those, url servers: the gateway holds a connection to each, not a process. */
  remoteShares: string[];
  /**
   * Where the keys of the entries this run wrote (or, planned, would write) stay: in the home, the
   * gateway adding them (`kept`: shared servers), or in the clients' entries (`inEntry`: not shared);
   * `moved`: of `kept`, those an entry of which was not the gateway's before (now reached through it);
   * `unhosted`: shared, but the bridge cannot run them, so their clients' entries hold their keys.
   */
  keys: { kept: string[]; inEntry: string[]; moved: string[]; unhosted: string[] };
  /** Servers that need a login: how, and the state of mcp-twin's login for each. */
  logins: LoginLine[];
  /** For --dry-run: every planned change (old and new text, secrets to mask). */
  changes: Array<{ path: string; before: string | null; after: string }>;
  secretValues: string[];
  /** Environment facts gathered afresh (0 when all came from the cache). */
  gathered: number;
}

/** A plan as a report: what a dry run would do (or, for a no-op, that nothing changes). */
export function planReport(plan: SyncPlan): SyncReport {
  const report = baseReport(plan, [...plan.packages.installs, ...plan.packages.prune], false);
  for (const p of plan.targets) {
    report.targets.push(targetReport(plan, p, p.after !== null));
    if (p.after !== null) report.changes.push({ path: p.target.path, before: p.before, after: p.after });
    report.references.push(...p.references);
    keysOf(report, p, plan);
  }
  return finish(report);
}

/** What applying a plan did: installs run, each target written (or why not). */
export function appliedReport(
  plan: SyncPlan,
  installs: InstallRow[],
  results: ReadonlyArray<{ plan: TargetPlan; written: boolean; error?: string }>,
): SyncReport {
  const report = baseReport(plan, installs, true);
  for (const r of results) {
    const tr = targetReport(plan, r.plan, r.written, r.written && !r.error);
    if (r.error) {
      tr.action = "failed";
      report.errors.push({ code: "write-failed", message: r.error, target: r.plan.target.path });
    }
    report.targets.push(tr);
    report.secretValues.push(...r.plan.secretValues);
    report.references.push(...r.plan.references);
    if (r.written && !r.error) keysOf(report, r.plan, plan);
  }
  return finish(report);
}

/** Where the keys of a target's written entries stay, added to the report's (each server once). */
function keysOf(report: SyncReport, p: TargetPlan, plan: SyncPlan): void {
  const unhosted = new Set((plan.bridge?.unhosted ?? []).map((u) => u.name));
  const add = (kind: keyof SyncReport["keys"], name: string) => {
    if (!report.keys[kind].includes(name)) report.keys[kind].push(name);
  };
  for (const kind of ["kept", "moved"] as const) for (const name of p.keys[kind]) add(kind, name);
  for (const name of p.keys.inEntry) add(unhosted.has(name) ? "unhosted" : "inEntry", name);
}

/** `applied`: the run wrote (the gateway's port moved, a word said once); otherwise a plan. */
function baseReport(plan: SyncPlan, installs: InstallRow[], applied: boolean): SyncReport {
  return {
    manifest: plan.manifest.file,
    manifestScope: plan.manifest.scope,
    environments: plan.environments.map(environmentReport),
    installs,
    noClient: plan.idle,
    unused: plan.packages.unused.map(({ env, package: name, version }) => ({ env, package: name, version })),
    npx: plan.npx,
    shareModes: Object.fromEntries((plan.bridge?.shares ?? []).map((s) => [s.name, s.mode])),
    remoteShares: (plan.bridge?.shares ?? []).flatMap((s) => (s.remote ? [s.name] : [])),
    keys: { kept: [], inEntry: [], moved: [], unhosted: [] },
    targets: [],
    errors: [],
    warnings: [
      ...plan.warnings.map(({ code, message }) => ({ code, message })),
      ...bridgeWords(plan, applied),
    ],
    references: [],
    toolRules: plan.toolRules,
    keep: plan.keep,
    missingPrograms: [],
    restart: { apps: [], running: [], sessions: [] },
    logins: [],
    changes: [],
    // Every stored secret is masked in what is shown, used by an entry here or not.
    secretValues: [...plan.secretValues],
    gathered: plan.gathered,
  };
}

function environmentReport(e: Environment): SyncReport["environments"][number] {
  return {
    id: e.id,
    node: e.node?.path ?? null,
    ...(e.node?.version ? { nodeVersion: e.node.version } : {}),
    npmPrefix: e.npm?.prefix ?? null,
    usable: e.usable,
    ...(e.reason ? { reason: e.reason } : {}),
    ...(e.fix && !e.usable ? { fix: e.fix } : {}),
  };
}

/**
 * `written`: the target's action as done (a plan shows what it would do). `applied`: whether this
 * run wrote the file (undefined: a plan, nothing written yet).
 */
function targetReport(plan: SyncPlan, p: TargetPlan, written: boolean, applied?: boolean): TargetReport {
  const t = p.target;
  const action = targetAction(p);
  // Said for what this report is about: a plan (the file will hold a key), or a write that
  // happened (it holds it now). A write that failed put nothing there.
  const readable = plan.safety.get(t.path);
  const warnings =
    readable && (applied === undefined || (applied && p.after !== null))
      ? [readableSecretWarning(readable, applied ? "written" : "planned")]
      : undefined;
  return {
    env: t.env.id,
    client: t.client.id,
    scope: t.scope,
    path: t.path,
    action: action === "failed" ? "failed" : written || action === "unchanged" ? action : "unchanged",
    added: p.added,
    updated: p.updated,
    removed: p.removed,
    drift: p.drift,
    foreign: p.foreign,
    ...(p.overwritten.length > 0 ? { overwritten: p.overwritten } : {}),
    ...(Object.keys(p.takenOver).length > 0 ? { takenOver: Object.keys(p.takenOver) } : {}),
    ...(p.clientOwn.length > 0 ? { clientOwn: p.clientOwn } : {}),
    // A file's notice (a predecessor's file found beside it) is said on its line, as its note is.
    ...(t.note || t.notice ? { note: [t.note, t.notice].filter(Boolean).join(" ") } : {}),
    problems: p.problems,
    ...(p.across.length > 0 ? { across: p.across } : {}),
    ...(p.relays.length > 0 ? { relays: p.relays } : {}),
    ...(p.shared.length > 0 ? { shared: p.shared } : {}),
    ...(p.bridged.length > 0 ? { bridged: p.bridged } : {}),
    ...(warnings ? { warnings } : {}),
    ...remoteWindow(plan, p),
    ...harnessFiles(plan, p),
  };
}

/** Where its harness reads the servers not written here (clients/harness.ts), when it reads two files. */
function harnessFiles(plan: SyncPlan, p: TargetPlan): Pick<TargetReport, "harness"> {
  const t = p.target;
  const twin = harnessTwin(
    t,
    plan.targets.map((o) => o.target),
  );
  const servers = harnessReads(plan.desired, t.key);
  if (!twin || !servers || !t.client.harness || !t.version) return {};
  return {
    harness: { name: t.client.harness.name, version: t.version, path: twin.path, servers: [...servers] },
  };
}

/**
 * For a user file a remote window lays over the other side's by name: the servers it takes from
 * here (mcp-twin's entries of this file) and those it takes from the other side's file.
 */
function remoteWindow(plan: SyncPlan, p: TargetPlan): Pick<TargetReport, "window"> {
  const t = p.target;
  if (t.scope !== "user" || !t.client.remoteOverlay?.includes(t.env.kind)) return {};
  const here = Object.keys(p.records).sort();
  const other = plan.targets.find(
    (o) =>
      o.target.client.id === t.client.id &&
      o.target.scope === "user" &&
      !t.client.remoteOverlay?.includes(o.target.env.kind),
  );
  const servers = other
    ? Object.keys(other.records)
        .filter((n) => !here.includes(n))
        .sort()
    : [];
  return other
    ? { window: { here, other: { env: other.target.env.id, path: other.target.path, servers } } }
    : {};
}

/**
 * Problems that leave an entry unable to start, or unwritten (the person's entry holds the name
 * toolSearch's `tools` entry needs): the sync failed in part (exit 1).
 */
export const WONT_START: ReadonlySet<string> = new Set([
  "not-installed",
  "program-missing",
  "splits-at-spaces",
  "tools-name-held",
]);

function finish(report: SyncReport): SyncReport {
  for (const row of report.installs) {
    if (row.action === "failed")
      report.errors.push({
        code: "install-failed",
        message: `${row.package}${row.version ? `@${row.version}` : ""} in ${row.env}: ${row.error ?? "failed"}`,
      });
  }
  for (const t of report.targets) {
    for (const p of t.problems) {
      if (WONT_START.has(p.code))
        report.errors.push({
          code: p.code,
          message: `${p.server} for ${t.client} in ${t.env}: ${p.message}`,
          target: t.path,
        });
    }
  }
  report.references = [...new Set(report.references)].sort();
  report.missingPrograms = missingProgramLines(
    report.targets.flatMap((t) => {
      const client = CLIENTS.find((c) => c.id === t.client);
      return client
        ? t.problems.flatMap((p) => (p.missing ? [{ missing: p.missing, server: p.server, client }] : []))
        : [];
    }),
  );
  return report;
}

export function syncExitCode(report: SyncReport): number {
  return report.errors.length > 0 || report.targets.some((t) => t.action === "failed") ? 1 : 0;
}

/** The gateway moved off a port another program holds; the bridge's own entry kept while unsaid. */
function bridgeWords(plan: SyncPlan, applied: boolean): Array<{ code: string; message: string }> {
  const out: Array<{ code: string; message: string }> = [];
  const port = plan.bridge?.port;
  if (port?.moved)
    out.push({
      code: "bridge-port-moved",
      message: applied
        ? `Port ${port.moved.from} is held by ${port.moved.what}: this home's gateway moved to port ${port.port} (kept in ${port.kept}), and the entries this sync wrote point there.`
        : `Port ${port.moved.from} is held by ${port.moved.what}: this home's gateway would move to port ${port.port} (kept in ${port.kept}), and the entries would point there.`,
    });
  if (plan.sayOnce) out.push({ code: "bridge-enabled-unsaid", message: plan.sayOnce.message });
  return out;
}
