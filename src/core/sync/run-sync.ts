/**
 * sync: manifest → packages where a target runs them → entries in every target; a context
 * (core/context/) and a plan (plan.ts) first, then a dry run renders the plan and a run applies
 * it (apply-plan.ts).
 */

import { existsSync } from "node:fs";
import path from "node:path";
import { type Context, loadContext, openManifest } from "../context/context.js";
import { readKeys } from "../context/lazy-keys.js";
import type { BridgeWiring } from "../entries/bridge-wiring.js";
import type { Machine } from "../environments/machine.js";
import { UsageError } from "../errors.js";
import { loadState, saveState } from "../ledger/state.js";
import type { LoadedManifest } from "../manifest/load.js";
import { isTrusted, needsTrust, programServers, type TrustRequest, trust } from "../manifest/trust.js";
import type { SecretFormat } from "../secrets/placeholders.js";
import { checkSelectors } from "../selectors.js";
import { withLock } from "../system/files.js";
import type { Progress } from "../system/progress.js";
import { trace } from "../system/trace.js";
import type { ApplyOptions } from "./apply-plan.js";
import { type DirectLists, startDirectLists } from "./direct-lists.js";
import { currentGateway } from "./gateway-current.js";
import type { GatewayReport } from "./gateway-sync.js";
import type { ToolLister } from "./learn-lists.js";
import { keepPinStamp, pinInputs, stampedPins } from "./pin-stamp.js";
import { isNoop, planSync, type SyncPlan } from "./plan.js";
import { planReport, type SyncReport } from "./report.js";
import type { ReadableSecret } from "./target-safety.js";

export { type SyncReport, syncExitCode } from "./report.js";

export interface SyncOptions {
  manifest?: string | undefined;
  dryRun: boolean;
  force: boolean;
  update: boolean;
  prune: boolean;
  envs: string[];
  clients: string[];
  project?: string | undefined;
  signal?: AbortSignal;
  /**
   * Asked before the first sync of a project manifest whose servers run programs (it is shown the
   * file and those servers): true trusts it. Absent, such a manifest is refused (exit 2).
   */
  trust?: (request: TrustRequest) => Promise<boolean>;
  /** A manifest not (yet) on disk, and secrets not yet stored: `init --dry-run` plans with them. */
  preview?: { manifest: LoadedManifest; secrets: Record<string, string> };
  /** Also install a start at logon sync only offers (Linux without systemd: an XDG autostart entry). */
  autostart?: boolean;
  /**
   * Lists a server whose tool rule waits for its list, so the rule is written in this run
   * (commands/shared/tool-lister.ts); without it, the report says a sync writes it.
   */
  listTools?: ToolLister;
}

/** A client config others can read into which a sync writes a key, as the user knows its path. */
export type ReadableFile = ReadableSecret & { path: string };

/**
 * The files others can read into which a sync now would write a key (the manifest and secrets as
 * they are on disk, no network look-up): what a command that asks before it syncs says before
 * its question. Nothing when that cannot be planned: the sync itself then says why.
 */
export async function readableBeforeSync(
  machine: Machine,
  given: Pick<SyncOptions, "manifest" | "envs" | "clients" | "project">,
  progress: Progress,
): Promise<ReadableFile[]> {
  try {
    const opened = await openManifest(machine, given);
    const ctx = await loadContext(machine, { ...given, opened }, progress);
    const plan = await planSync(ctx, { force: false, update: false, prune: false, offline: true }, progress);
    return readableFiles(plan.safety);
  } catch {
    return [];
  }
}

function readableFiles(safety: ReadonlyMap<string, ReadableSecret>): ReadableFile[] {
  return [...safety].map(([path, r]) => ({ ...r, path }));
}

/**
 * Most runs change nothing: that is found out without the lock and without a network look-up, and
 * such a run ends there, having written nothing.
 */
export async function runSync(machine: Machine, given: SyncOptions, progress: Progress): Promise<SyncReport> {
  const opened = given.preview ? undefined : await openManifest(machine, given);
  trace("manifest");
  checkSelectors({ clients: given.clients, envs: given.envs });
  // Remote servers not asked yet whether they need a login are asked now (once per URL, then
  // remembered): the entries of one that does are mcp-twin's relay with its login.
  // A preview's manifest, or the one opened: there is always one of the two.
  const loaded = given.preview?.manifest ?? opened?.loaded;
  if (!loaded) throw new Error("sync has no manifest to read");
  // A direct command server's first list needs only the manifest: its start (the longest part of a
  // first sync) overlaps everything from here on — the environments, the plan, the lock, the writes.
  const direct =
    opened && given.listTools && !given.dryRun
      ? startDirectLists(machine, opened, given.listTools)
      : undefined;
  await direct?.asked;
  const servers = Object.entries(loaded.manifest.servers).filter(([, s]) => !s.disabled);
  if (servers.some(([, s]) => s.url !== undefined)) {
    const { detectLogins } = await import("../oauth/needs-login.js");
    await detectLogins(machine, servers);
  }
  const withLogins = async (report: SyncReport): Promise<SyncReport> => {
    if (!servers.some(([, s]) => s.url !== undefined)) return report;
    const { loginLines } = await import("../oauth/needs-login.js");
    return { ...report, logins: loginLines(machine, servers) };
  };
  // Keys read by the look without the lock: the run under it uses them again while their stamp holds.
  let keysRead: Context | undefined;
  const context = (lazyKeys = false) =>
    loadContext(
      machine,
      {
        ...given,
        ...(opened ? { opened } : {}),
        ...(given.preview ? { preview: given.preview } : {}),
        ...(lazyKeys ? { lazyKeys } : {}),
        ...(keysRead ? { keysRead } : {}),
      },
      progress,
    );
  const planOptions = { force: given.force, update: given.update, prune: given.prune };
  // A dry run writes nothing, so it needs no lock and never waits for another run.
  if (given.dryRun) {
    const ctx = await context();
    const plan = await planSync(
      ctx,
      { ...planOptions, formats: await catalogueFormats(ctx), checkBackups: true },
      progress,
    );
    const report = planReport(plan);
    // What sync would list for first pins, from the pins and cached lists only: nothing started.
    const { firstPinsDue } = await import("./pin-tools.js");
    const pins = await firstPinsDue(ctx, plan.bridge, plan.packages);
    if (pins) report.pins = pins;
    return withLogins(report);
  }
  const newlyTrusted =
    opened?.located.scope === "project" && (await confirmTrust(machine, opened.loaded, given));
  // The first pins' lists that need nothing this run puts in place, started once the first plan
  // is known, so the servers start while the rest runs (and this run waits for another's lock).
  let early: ApplyOptions["early"];
  // Most runs change nothing: find that out without the lock, without a look-up, without writing
  // a byte — and without the catalogue's formats, which cost more than such a run may spend.
  if (!given.update && !given.prune && !newlyTrusted && !given.autostart) {
    // The keys are read only if an entry writes one: a key-bearing server reached through the bridge needs none.
    const ctx = await context(true);
    const plan = await planSync(ctx, { ...planOptions, offline: true }, progress);
    if (isNoop(plan, ctx.state)) return withLogins(await noopSync(ctx, plan, given, progress, direct));
    if (given.listTools) await readKeys(ctx);
    if (ctx.keysUnread?.names.size === 0) keysRead = ctx;
    if (given.listTools) {
      const { startFirstLists } = await import("./pin-tools.js");
      early = startFirstLists(
        ctx,
        plan.bridge,
        plan.packages,
        given.listTools,
        false,
        undefined,
        direct?.names,
      );
    }
  }
  const report = await withLock(machine.home.dir, async () => {
    given.signal?.throwIfAborted(); // Ctrl-C while waiting for another run's lock
    if (newlyTrusted && opened) {
      const state = await loadState(machine.paths.state);
      trust(state, opened.loaded.file, opened.loaded.text ?? "", machine.host.now());
      await saveState(machine.paths.state, state);
    }
    // Planned again under the lock: another run may have changed things while this one waited.
    const ctx = await context();
    const plan = await planSync(
      ctx,
      { ...planOptions, formats: await catalogueFormats(ctx), createBridgeToken: true, checkBackups: true },
      progress,
    );
    given.signal?.throwIfAborted();
    // Loaded only now: a run with nothing to do never pays for writing's modules.
    const { applySyncPlan } = await import("./apply-plan.js");
    return applySyncPlan(
      ctx,
      plan,
      { ...given, ...(early ? { early } : {}), ...(direct ? { direct } : {}) },
      progress,
    );
  });
  return withLogins(report);
}

/**
 * A sync that writes nothing: its report, once the gateway runs with this manifest and the pins are
 * judged — a server never listed is listed now (`direct`: those started as the manifest was read).
 */
async function noopSync(
  ctx: Context,
  plan: SyncPlan,
  given: Pick<SyncOptions, "listTools">,
  progress: Progress,
  direct: DirectLists | undefined,
): Promise<SyncReport> {
  const report = planReport(plan);
  // Nothing to write, but shared servers' gateway must run, with this manifest (its servers'
  // arguments, variables or idle time may have changed without any entry changing).
  const b = plan.bridge;
  const gatewayRuns = b && (b.shares.length > 0 || b.unhosted.length > 0 || b.toolSearch);
  if (b && gatewayRuns) {
    // The bridge that recorded these very inputs is asked nothing, and its modules not loaded.
    const known = await currentGateway(ctx, b);
    trace(known.report ? "gateway: current, as recorded" : "gateway: to ask");
    const { gateway, errors } = known.report
      ? { gateway: known.report, errors: [] }
      : await gatewayStep(ctx, b, progress, known.fingerprint);
    if (gateway) report.gateway = gateway;
    report.errors.push(...errors);
    // What a server said may hold its key: masked with the keys, read for it.
    if (report.errors.length > 0 || gateway?.warmFailed.length) {
      await readKeys(ctx);
      report.secretValues.push(...Object.values(ctx.secrets));
    }
  }
  // A list learned since (doctor, `tools`, the gateway) is pinned, a change said, a server
  // never listed listed now (one that could not be, the last time) — but a run with no
  // server and no list to judge loads nothing for it.
  const first = given.listTools
    ? { list: given.listTools, progress, ...(direct ? { early: direct.lists } : {}) }
    : undefined;
  if (ctx.located.scope === "user" && (gatewayRuns || pinsMayChange(ctx.machine, ctx.servers, first))) {
    // Judged on these very inputs before, and settled: its report again, nothing loaded for it.
    const inputs = await pinInputs(ctx, b, plan.packages);
    const stamped = await stampedPins(ctx, inputs);
    const pins: Awaited<ReturnType<typeof pinStep>> =
      stamped ?? (await pinStep(ctx, b, report.gateway, plan.packages, false, first));
    if (pins.report) report.pins = pins.report;
    if (pins.error) report.errors.push(pins.error);
    report.secretValues.push(...(pins.secretValues ?? []));
    if (!stamped && pins.settled) await keepPinStamp(ctx, inputs, pins.report);
  }
  return report;
}

/** A sync that writes nothing: its gateway asked to read the manifest again (with `fingerprint`), and to warm. */
async function gatewayStep(
  ctx: Context,
  wiring: BridgeWiring,
  progress: Progress,
  fingerprint: string | undefined,
): Promise<{ gateway: GatewayReport | undefined; errors: Array<{ code: string; message: string }> }> {
  const { gatewayErrors, syncGateway } = await import("./gateway-sync.js");
  const options = { quick: true, ...(fingerprint ? { fingerprint } : {}) };
  const gateway = await syncGateway(ctx, wiring, undefined, progress, options);
  return { gateway, errors: gatewayErrors(gateway) };
}

/** A sync that writes nothing: its pins judged (pin-tools.ts), loaded only now. */
async function pinStep(...args: Parameters<typeof import("./pin-tools.js").pinAfterSync>) {
  const { pinAfterSync } = await import("./pin-tools.js");
  return pinAfterSync(...args);
}

/**
 * Whether a sync with nothing to write has pins to judge, or first pins to take, without loading
 * the pins' code: pins, or lists a pin could be made from (the home's cache of handshakes), or a
 * server to list for its first pins (`first`).
 */
const pinsMayChange = (machine: Machine, servers: Context["servers"], first: object | undefined) =>
  existsSync(machine.paths.pins) ||
  existsSync(path.join(machine.paths.cache, "tool-lists.json")) ||
  (first !== undefined && servers.length > 0);

/**
 * A project manifest whose servers run programs must be trusted (this very text) before it is
 * synced: true when the user trusts it now, false when it was trusted before or runs nothing.
 */
async function confirmTrust(
  machine: Machine,
  loaded: LoadedManifest,
  options: Pick<SyncOptions, "trust">,
): Promise<boolean> {
  const programs = programServers(loaded.manifest);
  if (!needsTrust(programs)) return false;
  if (isTrusted(await loadState(machine.paths.state), loaded.file, loaded.text ?? "")) return false;
  const request = { file: loaded.file, programs };
  if (options.trust && (await options.trust(request))) return true;
  throw new UsageError(
    "untrusted-manifest",
    `${loaded.file}: this project's manifest runs programs and is not trusted yet: ${programs.map((p) => `${p.server}: ${p.runs}`).join("; ")}. Nothing was written.`,
    {
      location: { file: loaded.file },
      hint: "Read the file. If you trust it, run `mcp-twin sync --yes` here (or answer yes on a terminal): the trust is kept for this version of the file, and an edit asks again.",
    },
  );
}

/** Secret name → the catalogue's format checks for it (shipped templates and the home's own). */
async function catalogueFormats(ctx: Context): Promise<ReadonlyMap<string, readonly SecretFormat[]>> {
  const { catalogueSecretFormats } = await import("../catalogue/secret-formats.js");
  return catalogueSecretFormats(ctx.machine.home.dir);
}
