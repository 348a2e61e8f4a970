/**
 * Apply a sync plan (under the home's lock): record the versions it resolved, run its installs and
 * removals, then write each target through the one write sequence (ledger/write-sequence.ts).
 */

import { portHeldBy } from "../bridge-link/index.js";
import { restartsOf } from "../clients/restarts.js";
import { runningApps } from "../clients/running-apps.js";
import type { Target } from "../clients/types.js";
import type { Context } from "../context/context.js";
import { checkEntryPrograms, desiredEntries } from "../entries/desired.js";
import { saveState } from "../ledger/state.js";
import { splitSpec } from "../manifest/package-spec.js";
import { keysChangeMark } from "../manifest/secrets-file.js";
import { type InstalledIndex, installMissing, prunePackages } from "../packages/installs.js";
import { ownerOf } from "../packages/owners.js";
import type { Progress } from "../system/progress.js";
import { trace } from "../system/trace.js";
import type { DirectLists } from "./direct-lists.js";
import { markHeldKeys } from "./keyless-entries.js";
import type { EarlyLists, LearnedLists, ToolLister } from "./learn-lists.js";
import { planTargets, refuseUnmatchedRules, type SyncPlan, safetyOf } from "./plan.js";
import { appliedReport, type SyncReport } from "./report.js";
import { toolRuleNotes } from "./tool-rule-notes.js";
import { writeTargets } from "./write-targets.js";

export interface ApplyOptions {
  force: boolean;
  prune: boolean;
  signal?: AbortSignal;
  /** Also install a start at logon sync only offers (gateway-sync.ts). */
  autostart?: boolean;
  /** Lists a server whose tool rule waits for its list (learn-lists.ts); without it, none is listed. */
  listTools?: ToolLister;
  /** The first pins' early lists, when the caller started them (else started here). */
  early?: Promise<EarlyLists | undefined>;
  /** The direct servers' lists, started as the manifest was read (direct-lists.ts). */
  direct?: DirectLists;
}

/**
 * The target changes were planned against the installs as they would land; after real installs
 * they are planned again from what did land (an install may fail, a bin may sit elsewhere).
 * Ctrl-C: checked after the installs (nothing planned again, nothing written), before each target
 * and right before each rename (ledger/write-sequence.ts), and before the bridge is started.
 */
export async function applySyncPlan(
  ctx: Context,
  planned: SyncPlan,
  options: ApplyOptions,
  progress: Progress,
): Promise<SyncReport> {
  const { machine, state } = ctx;
  // What state held before this run: anything that changes it (a version resolved, a package
  // installed) is saved, whether or not a target changes too. Claims settled when it was read
  // (ledger/moved-claims.ts) are a change already.
  const stateBefore = planned.claimsMoved ? "" : JSON.stringify(state);
  Object.assign(state.packages, planned.packages.resolved);
  // The gateway's port, recorded in the home before any entry points at it (an interrupted run
  // leaves no entry at a port the home does not keep).
  const port = planned.bridge?.port;
  if (port?.record) {
    const { recordPort } = await import("../bridge-control/port-record.js");
    await recordPort(machine.paths.bridge, port.port);
  }
  if (planned.sayOnce) state.said = { ...state.said, [planned.sayOnce.id]: machine.host.now().toISOString() };

  const pkgs = planned.packages;
  const index = new Map([...pkgs.index].map(([env, m]) => [env, new Map(m)]));
  const { install, first } = await installAndList(ctx, planned, index, options, progress);
  // What the plan found unused: installed for this manifest only, or for others that no longer
  // name them either (unused-packages.ts).
  const pruned = options.prune ? await prunePackages(pkgs.prune, ctx.envs, state, progress) : [];
  // Ctrl-C during the installs: nothing is planned again, nothing written.
  options.signal?.throwIfAborted();

  // A rule that waits for its server's list (patterns, or a form the client cannot say): the list
  // is learned now, once the packages are in, and the rule written in this same run.
  const lists =
    planned.toList.length > 0 && options.listTools
      ? await learnLists(options.listTools, ctx, planned, index, { before: stateBefore }, progress)
      : undefined;
  options.signal?.throwIfAborted();

  let plan = planned;
  if (install.rows.some((r) => r.action !== "present") || (lists && lists.listed.length > 0)) {
    const build = (secrets = ctx.secrets) =>
      desiredEntries(machine, { ...ctx, secrets, bridge: planned.bridge }, index, pkgs.versions);
    const desired = await build();
    await markHeldKeys(ctx, desired, build);
    await checkEntryPrograms(desired, ctx, machine);
    const targets = planTargets(
      ctx.targets,
      new Map(planned.targets.map((t) => [t.target.key, t.before])),
      desired,
      state,
      options.force,
    );
    plan = { ...planned, desired, targets, safety: safetyOf(targets, options.force) };
  }
  // What the entries as written now do not carry (a list that could not be learned says why).
  if (plan !== planned || lists) {
    const notes = toolRuleNotes(plan.desired, ctx.targets, ctx.servers, {
      ...(lists ? { failures: lists.failures } : {}),
      userManifest: ctx.located.scope === "user",
    });
    plan = {
      ...plan,
      toolRules: notes,
      secretValues: [...plan.secretValues, ...(lists?.secretValues ?? [])],
    };
  }

  const results = await writeTargets(plan.targets, {
    state,
    stateBefore,
    stateFile: machine.paths.state,
    backupsDir: machine.paths.backups,
    // Read already: the run's one read of the store (under the home's lock, as every change of it is).
    keys: async () => ctx.secrets,
    keysChangeMark: keysChangeMark(machine.paths.secrets),
    now: machine.host.now(),
    force: options.force,
    desired: plan.desired,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  trace("written");
  // Versions that could not be resolved are failed rows of their own (env "-").
  const unresolved = pkgs.installs.filter((r) => r.env === "-");
  const report = appliedReport(plan, [...install.rows, ...unresolved, ...pruned], results);

  const written = results.filter((r) => r.written);
  // The bridge: restarted when it runs with other settings than these; otherwise reported as it is
  // (every entry starts it on first use, so one that is not running is fine).
  // Nothing of it is in any entry when its own tools are off and it runs no shared server (those
  // it cannot run got direct entries): then there is nothing to check or say.
  const bridge =
    plan.bridge?.settings.enabled || plan.bridge?.shares.length || plan.bridge?.toolSearch
      ? plan.bridge
      : undefined;
  options.signal?.throwIfAborted();
  if (bridge) {
    const step = progress.step("Checking the bridge");
    report.bridge = await bridge.settle().finally(() => step.stop());
    if (report.bridge.state === "taken")
      report.errors.push({
        code: "bridge-port-taken",
        message: `${portHeldBy(bridge.settings.port, report.bridge.what, undefined, true)}; the bridge cannot run there.`,
      });
  }
  await gatewayAndPins(
    ctx,
    plan,
    report,
    progress,
    options,
    { index, versions: pkgs.versions },
    first?.all(),
  );
  // A client this run put over its tool limit, from the lists known now (the gateway's just cached).
  await (await import("./limit-notes.js")).noteOverLimits(report, ctx, plan, written, index);
  await sayRestarts(report, written, machine);
  return report;
}

/**
 * The packages installed where they run, with the first pins' lists overlapped with the installs
 * and the writes after them: a package's server listed once its environment's installs are in.
 */
async function installAndList(
  ctx: Context,
  planned: SyncPlan,
  index: InstalledIndex,
  options: ApplyOptions,
  progress: Progress,
) {
  const pkgs = planned.packages;
  const first = options.listTools
    ? (await import("./pin-tools.js")).firstListsAround(
        ctx,
        planned.bridge,
        { index, versions: pkgs.versions },
        options.listTools,
        options.early,
        options.direct,
      )
    : undefined;
  const install = await installMissing(
    pkgs.servers,
    pkgs.versions,
    index,
    ctx.state,
    {
      dryRun: false,
      owner: ownerOf(ctx.located),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(first ? { onInstalled: first.installed } : {}),
    },
    progress,
  );
  await first?.installed(); // its packages were in place already, or none installed here
  return { install, first };
}

/**
 * What loads the changes: apps read their config at start, command-line clients when a session
 * starts; and whether such an app runs now (so the restart line is needed).
 */
async function sayRestarts(
  report: SyncReport,
  written: ReadonlyArray<{ plan: { target: Target } }>,
  machine: Context["machine"],
): Promise<void> {
  const { apps, sessions } = restartsOf(written.map((r) => r.plan.target.client));
  report.restart.apps = apps;
  report.restart.sessions = sessions;
  const appTargets = written.filter((r) => r.plan.target.client.restartToApply).map((r) => r.plan.target);
  if (appTargets.length > 0) report.restart.running = await runningApps(machine, appTargets);
}

/**
 * Shared servers' gateway run now and at every logon (gateway-sync.ts), then each server's tools
 * pinned as listed now, one never listed listed first (pin-tools.ts): sync holds the home's lock.
 */
async function gatewayAndPins(
  ctx: Context,
  plan: SyncPlan,
  report: SyncReport,
  progress: Progress,
  options: Pick<ApplyOptions, "autostart" | "listTools">,
  packages: Parameters<typeof import("./pin-tools.js").pinAfterSync>[3],
  early?: Promise<EarlyLists | undefined>,
): Promise<void> {
  const { gatewayErrors, sayFailedInstalls, syncGateway } = await import("./gateway-sync.js");
  const autostart = options.autostart === true;
  const gateway = await syncGateway(ctx, plan.bridge, report.bridge, progress, { autostart });
  if (gateway && plan.bridge) {
    const packageNames = new Map(
      ctx.servers.flatMap(([name, spec]) =>
        spec.package ? [[name, splitSpec(spec.package).name] as const] : [],
      ),
    );
    sayFailedInstalls(gateway, report.installs, packageNames, plan.bridge.env.id);
  }
  if (gateway) report.gateway = gateway;
  report.errors.push(...gatewayErrors(gateway));
  const { pinAfterSync } = await import("./pin-tools.js");
  // A server the gateway does not run is listed here for its first pins (pin-tools.ts).
  const first = options.listTools
    ? { list: options.listTools, progress, ...(early ? { early } : {}) }
    : undefined;
  const pins = await pinAfterSync(ctx, plan.bridge, gateway, packages, true, first);
  if (pins.report) report.pins = pins.report;
  if (pins.error) report.errors.push(pins.error);
  report.secretValues.push(...(pins.secretValues ?? []));
}

/**
 * The lists a rule waits for, learned by a handshake (learn-lists.ts). A rule that then names a
 * tool none of them has is bad input, as plan.ts refuses it when the list was known: nothing is
 * written (exit 2), and state keeps what the installs did.
 */
async function learnLists(
  list: ToolLister,
  ctx: Context,
  planned: SyncPlan,
  index: InstalledIndex,
  state: { before: string },
  progress: Progress,
): Promise<LearnedLists> {
  const { learnToolLists } = await import("./learn-lists.js");
  const learned = await learnToolLists(list, ctx, planned.toList, progress);
  if (learned.listed.length === 0) return learned;
  try {
    const input = { ...ctx, bridge: planned.bridge };
    await refuseUnmatchedRules(ctx.machine, input, index, planned.packages.versions, ctx.loaded);
  } catch (error) {
    if (JSON.stringify(ctx.state) !== state.before) await saveState(ctx.machine.paths.state, ctx.state);
    throw error;
  }
  return learned;
}
