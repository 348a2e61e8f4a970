/**
 * After sync wrote the entries, the gateway (the bridge) for shared servers: running now (started,
 * or told to reload the manifest), their lists cached, and started at logon from then on.
 */
import type { AutostartOutcome } from "../bridge-control/autostart.js";
import { GATEWAY_DOWN } from "../bridge-control/gateway-down.js";
import {
  control as askControl,
  bridgeFiles,
  bridgeHome,
  type ControlAnswer,
  ownedInstance,
  portHeldBy,
} from "../bridge-link/index.js";
import type { Context } from "../context/context.js";
import type { BridgeReport, BridgeWiring, PortTaken } from "../entries/bridge-wiring.js";
import { loginPath } from "../environments/login-path.js";
import { AUTOSTART_FORMAT, loadState, saveState } from "../ledger/state.js";
import { splitSpec } from "../manifest/package-spec.js";
import { withLock } from "../system/files.js";
import { getEnv } from "../system/host.js";
import type { Progress } from "../system/progress.js";
import { installedAutostart } from "./autostart-present.js";

/** What sync says (and `--json` gives) about the gateway. */
export interface GatewayReport {
  /** The shared servers. */
  shares: string[];
  /** The manifest's toolSearch names clients: the gateway runs for their `tools` entries. */
  toolSearch?: true;
  /**
   * started: this sync started it; reloaded: it ran and read the manifest again; current: it ran
   * what this sync has (manifest, pins, keys: gateway-fingerprint.ts) already; unread: it runs
   * but could not read the manifest (`error`), so it runs what it ran before; restarted: sync
   * restarted it with new settings (it read the manifest then); failed: it could not be had.
   * Absent when no server is shared.
   */
  gateway?: {
    state: "started" | "reloaded" | "current" | "unread" | "restarted" | "failed";
    url: string;
    pid?: number;
    error?: string;
    /**
     * failed: another program holds the port, so this run wrote the shared servers' direct entries
     * (no entry points there): what holds it, and the fix that works.
     */
    taken?: PortTaken;
    /** failed: what works, when it is not `mcp-twin bridge start` (another program holds the port). */
    fix?: string;
    /** restarted after an upgrade: the mcp-twin it ran, and the one it runs now. */
    previousVersion?: string;
    version?: string;
  };
  /**
   * Shared servers the bridge's environment cannot run: their clients got their direct entries
   * this run (on the sides that can install them), and why.
   */
  unhosted?: ReadonlyArray<{ name: string; why: string; fix: string }>;
  /** Servers never started whose lists were cached now, and those that could not start. */
  warmed: string[];
  /** cannotRun: it cannot start in the bridge at all (its url entries fail until fixed). */
  warmFailed: Array<{ name: string; error: string; cannotRun?: boolean }>;
  /**
   * The start at logon: installed, present, offered (`sync --autostart` writes it), removed (no
   * server shared any more), none, failed.
   */
  autostart?:
    | (Omit<AutostartOutcome, "record"> & { state: AutostartOutcome["state"] })
    | { state: "removed" | "remove-failed"; kind: string; file: string; error?: string };
}

/** How long the gateway may take to start a never-started server and list it (all of them). */
const WARM_TIMEOUT_MS = 120_000;

/**
 * Servers shared: the gateway runs (started when none does; told to reload when one does), the
 * lists of those never started are cached, and the start at logon is installed. None shared: a
 * start at logon this home installed is removed. Only a user-level manifest's shared servers run
 * in the gateway, so a project's sync leaves all this as it is.
 */
export async function syncGateway(
  ctx: Context,
  wiring: BridgeWiring | undefined,
  settled: BridgeReport | undefined,
  progress: Progress,
  options: { quick?: boolean; autostart?: boolean; fingerprint?: string } = {},
): Promise<GatewayReport | undefined> {
  if (ctx.located.scope !== "user") return undefined;
  const shares = (wiring?.shares ?? []).map((s) => s.name);
  const unhosted = wiring?.unhosted.length ? { unhosted: wiring.unhosted } : {};
  // The manifest's toolSearch clients reach their servers through the gateway too.
  if (!wiring || (shares.length === 0 && !wiring.toolSearch)) {
    if (!ctx.state.autostart)
      return wiring?.unhosted.length ? { shares, warmed: [], warmFailed: [], ...unhosted } : undefined;
    return { shares, warmed: [], warmFailed: [], ...unhosted, autostart: await dropAutostart(ctx, wiring) };
  }
  const step = progress.step("Starting the shared servers' gateway");
  try {
    const report: GatewayReport = {
      shares,
      ...(wiring.toolSearch ? { toolSearch: true as const } : {}),
      warmed: [],
      warmFailed: [],
      ...unhosted,
    };
    if (wiring.taken) {
      // Nothing to start or install: the port is another program's until the manifest moves it.
      const { port, what } = wiring.taken;
      report.gateway = {
        state: "failed",
        url: wiring.url,
        error: `port ${port} is held by ${what}`,
        taken: wiring.taken,
      };
      return report;
    }
    report.gateway = await runGateway(ctx, wiring, settled, options.fingerprint);
    if (report.gateway.state !== "failed") {
      const warm = await warmLists(ctx, wiring, report.gateway.url);
      report.warmed = warm.warmed;
      report.warmFailed = warm.failed;
    }
    // A sync that writes nothing (and holds no lock) only says what is installed: asking the
    // service manager would start a process (Windows' schtasks) on every such run.
    report.autostart = options.quick
      ? await keptUpToDate(ctx, wiring)
      : await installAutostart(ctx, wiring, options.autostart === true);
    // systemd's socket unit took the port now: the bridge that runs is the one it started.
    if (report.autostart?.state === "installed" && report.autostart.kind === "systemd") {
      const { pid, ...rest } = report.gateway;
      report.gateway = { ...rest, ...(await localPid(ctx, wiring)) };
    }
    return report;
  } finally {
    step.stop();
  }
}

/**
 * A shared server that cannot run because its package did not install in the bridge's environment
 * in this very sync (or its version could not be looked up: env "-"): said as that. The bridge
 * only sees the package missing, and its fix — name the environment so that sync installs there —
 * is for a package sync never tried to install; after a failed try it would send the user round.
 */
export function sayFailedInstalls(
  report: GatewayReport,
  installs: ReadonlyArray<{ env: string; package: string; action: string }>,
  packages: ReadonlyMap<string, string>,
  bridgeEnv: string,
): void {
  report.warmFailed = report.warmFailed.map((f) => {
    const name = packages.get(f.name);
    const failed =
      f.cannotRun && name
        ? installs.find(
            (r) =>
              r.action === "failed" &&
              splitSpec(r.package).name === name &&
              (r.env === bridgeEnv || r.env === "-"),
          )
        : undefined;
    if (!failed) return f;
    const what =
      failed.env === "-"
        ? `its package ${name}'s version could not be looked up in this sync`
        : `its package ${name} could not be installed in ${bridgeEnv} in this sync`;
    return {
      ...f,
      error: `${what} (npm's error is reported with that package; \`mcp-twin sync\` tries again)`,
    };
  });
}

/**
 * A sync whose shared servers' gateway could not be had ends with exit code 1: their url entries
 * fail until it runs. Said on the gateway's own line (sync-report.ts leaves this code out).
 */
export function gatewayErrors(report: GatewayReport | undefined): Array<{ code: string; message: string }> {
  const run = report?.gateway;
  // A shared server that cannot run in the bridge fails its entries just as a gateway down does.
  const cannot = (report?.warmFailed ?? [])
    .filter((f) => f.cannotRun)
    .map((f) => ({ code: GATEWAY_DOWN, message: `${f.name} cannot run in the bridge: ${f.error}` }));
  if (run?.state === "unread")
    return [
      {
        code: "gateway-manifest-unread",
        message: `The gateway at ${run.url} could not read the manifest (${run.error?.replace(/\.$/, "")}): it runs the shared servers it ran before.`,
      },
      ...cannot,
    ];
  if (run?.state !== "failed") return cannot;
  if (run.taken)
    return [
      {
        code: GATEWAY_DOWN,
        message: `Port ${run.taken.port} is held by ${run.taken.what}: the shared servers got their direct entries this run, not the gateway's.`,
      },
    ];
  return [
    {
      code: GATEWAY_DOWN,
      message: `The gateway for the shared servers is not running at ${run.url}: ${run.error ?? "unknown error"}.`,
    },
    ...cannot,
  ];
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The gateway runs with this manifest: told to reload it when one runs (settled as running, or —
 * a sync that wrote nothing — found answering), else started now.
 */
async function runGateway(
  ctx: Context,
  wiring: BridgeWiring,
  settled: BridgeReport | undefined,
  fingerprint: string | undefined,
): Promise<NonNullable<GatewayReport["gateway"]>> {
  const url = wiring.url;
  const pid = settled?.pid !== undefined ? { pid: settled.pid } : {};
  if (settled?.state === "taken")
    return {
      state: "failed",
      url,
      error: portHeldBy(wiring.settings.port, settled.what),
      ...(settled.fix ? { fix: settled.fix } : {}),
    };
  if (settled?.state === "restarted")
    return {
      state: "restarted",
      url,
      ...pid,
      ...(settled.previousVersion ? { previousVersion: settled.previousVersion } : {}),
      ...(settled.version ? { version: settled.version } : {}),
    };
  if (settled === undefined && wiring.env.local) {
    // An upgrade: the bridge of the mcp-twin before this one is restarted (it reads the manifest).
    const { restartUpgraded } = await import("../entries/bridge-wiring.js");
    const want = { host: wiring.settings.host, port: wiring.settings.port };
    const upgraded = await restartUpgraded(ctx.machine, want);
    if (upgraded) return { state: "restarted", url, ...upgraded };
  }
  if (settled === undefined || settled.state === "running") {
    // A sync that writes nothing: the bridge that read these very inputs reads nothing again.
    const reloaded = await control(ctx, wiring, "reload", 30_000, fingerprint);
    if (reloaded.ok)
      return { ...reloadOf(reloaded.body), url, ...(settled ? pid : await localPid(ctx, wiring)) };
    if (settled) return { state: "failed", url, ...pid, error: reloaded.error };
  }
  try {
    if (wiring.env.local) {
      const { ensureBridge, localLifecycle } = await import("../bridge-control/lifecycle.js");
      const lifecycle = { ...localLifecycle(ctx.machine.host, () => {}), pinned: wiring.settings.pinned };
      const want = { host: wiring.settings.host, port: wiring.settings.port };
      const ensured = await ensureBridge(lifecycle, want);
      const now = await ownedInstance(lifecycle.files);
      const at = now ? { pid: now.pid } : {};
      if (ensured.started || ensured.restarted) return { state: "started", url: ensured.url, ...at };
      // Another start won the race (a relay): that bridge may have read an older manifest.
      const reloaded = await control(ctx, wiring, "reload", 30_000);
      return reloaded.ok
        ? { ...reloadOf(reloaded.body), url: ensured.url, ...at }
        : { state: "failed", url: ensured.url, ...at, error: reloaded.error };
    }
    if (!wiring.program)
      return {
        state: "failed",
        url,
        error: wiring.reason ?? `mcp-twin is not installed in ${wiring.env.id}`,
      };
    // The bridge lives on the other side: started there, by the mcp-twin installed there.
    const r = await wiring.env.exec(wiring.program.node, [wiring.program.script, "bridge", "start"], {
      timeoutMs: 60_000,
    });
    if (r.failed)
      return {
        state: "failed",
        url,
        error: `\`mcp-twin bridge start\` in ${wiring.env.id} failed (exit code ${r.exitCode ?? "?"})`,
      };
    return { state: "started", url };
  } catch (error) {
    // Another program on the port: its hint names another port (a start would fail the same way).
    const hint =
      (error as { code?: unknown; hint?: unknown }).code === "port-taken"
        ? (error as { hint?: unknown }).hint
        : undefined;
    return {
      state: "failed",
      url,
      error: message(error),
      ...(typeof hint === "string" ? { fix: hint } : {}),
    };
  }
}

/** The pid of the bridge running here (serve.json, held by its lock); none for the other side. */
async function localPid(ctx: Context, wiring: BridgeWiring): Promise<{ pid?: number }> {
  if (!wiring.env.local) return {};
  const info = await ownedInstance(bridgeFiles(bridgeHome(ctx.machine.host)));
  return info ? { pid: info.pid } : {};
}

/** A reload's answer: read, current (nothing to read), or the manifest it could not read (it keeps what it ran). */
function reloadOf(body: unknown): { state: "reloaded" | "current" } | { state: "unread"; error: string } {
  const { error, current } = (body ?? {}) as { error?: unknown; current?: unknown };
  if (typeof error === "string") return { state: "unread", error };
  return { state: current === true ? "current" : "reloaded" };
}

/** An authenticated control route of the running gateway (the other side's with the token read there). */
async function control(
  ctx: Context,
  wiring: BridgeWiring,
  route: "reload" | "warm",
  timeoutMs: number,
  fingerprint?: string,
): Promise<ControlAnswer> {
  const to = wiring.env.local
    ? { files: bridgeFiles(bridgeHome(ctx.machine.host)) }
    : { token: wiring.token };
  // A bridge of this side takes sync's PATH with the manifest: a program installed since it
  // started (and found by this sync) starts there on the next call.
  const path = getEnv(ctx.machine.host.env, "PATH");
  // The fingerprint of what a sync that writes nothing has it read (gateway-current.ts computed it).
  const sent = route === "reload" && wiring.env.local ? { path, fingerprint } : {};
  const body = sent.path || sent.fingerprint ? { body: sent } : {};
  return askControl({ url: wiring.url, ...to }, { method: "POST", route, timeoutMs, ...body });
}

/** The running gateway reads the manifest and the pins again (after sync or `tools --approve` changed the pins). */
export async function reloadGateway(ctx: Context, wiring: BridgeWiring): Promise<ControlAnswer> {
  return control(ctx, wiring, "reload", 30_000);
}

/** The gateway starts each server never started once, lists it, and stops it (POST /control/warm). */
async function warmLists(
  ctx: Context,
  wiring: BridgeWiring,
  url: string,
): Promise<{ warmed: string[]; failed: Array<{ name: string; error: string }> }> {
  const answer = await control(ctx, { ...wiring, url }, "warm", WARM_TIMEOUT_MS);
  if (!answer.ok) return { warmed: [], failed: [{ name: "*", error: answer.error }] };
  const body = answer.body as { warmed?: unknown; failed?: unknown };
  const warmed = Array.isArray(body.warmed)
    ? body.warmed.filter((n): n is string => typeof n === "string")
    : [];
  const failed = Array.isArray(body.failed)
    ? body.failed.flatMap((f: { name?: unknown; error?: unknown; cannotRun?: unknown }) =>
        typeof f.name === "string"
          ? [
              {
                name: f.name,
                error: String(f.error ?? ""),
                ...(f.cannotRun === true ? { cannotRun: true } : {}),
              },
            ]
          : [],
      )
    : [];
  return { warmed, failed };
}

/**
 * Installed (or found in place), and recorded in state so uninstall removes exactly that. A way
 * only offered (the XDG entry) is written when asked now (`--autostart`) or once before (state).
 */
async function installAutostart(
  ctx: Context,
  wiring: BridgeWiring,
  asked: boolean,
): Promise<GatewayReport["autostart"]> {
  const { ensureAutostart, removeAutostart } = await import("../bridge-control/autostart.js");
  if (!wiring.program)
    return {
      state: "none",
      why: wiring.reason ?? `mcp-twin is not installed in ${wiring.env.id}`,
      fix: "install it there globally, then run `mcp-twin sync` again",
    };
  const accept = asked || ctx.state.autostart?.kind === "xdg-autostart";
  const listen = { host: wiring.settings.host, port: wiring.settings.port };
  const { ensureBridge, localLifecycle, stopBridge } = await import("../bridge-control/lifecycle.js");
  const lifecycle = { ...localLifecycle(ctx.machine.host, () => {}), pinned: wiring.settings.pinned };
  let handed = false;
  // systemd's socket unit takes the port from the bridge running: stopped, then started on it.
  const handOver = async () => {
    handed = (await stopBridge(lifecycle)) !== undefined;
  };
  const program = { ...wiring.program, ...(await loginPathOf(ctx, wiring)) };
  const outcome = await ensureAutostart(ctx.machine, wiring.env, program, ctx.allEnvs, {
    accept,
    listen,
    handOver,
  });
  const again = handed ? await ensureBridge(lifecycle, listen).then(() => undefined, message) : undefined;
  const { record, ...shown } = outcome;
  if (again)
    Object.assign(shown, {
      state: "failed",
      error: `the bridge did not start again on the socket unit's port: ${again}`,
    });
  const before = ctx.state.autostart;
  // Another kind (the bridge moved, or systemd came): the old one goes. systemd's older unit is the
  // service the socket unit starts now (ensureAutostart disabled it).
  const olderUnit = before?.kind === "systemd" && record?.kind === "systemd" && before.name !== record.name;
  if (before && record && (before.kind !== record.kind || before.file !== record.file) && !olderUnit)
    await removeAutostart(before, wiring.env, ctx.allEnvs);
  if (record && JSON.stringify(record) !== JSON.stringify(before)) {
    ctx.state.autostart = record;
    await saveState(ctx.machine.paths.state, ctx.state);
  }
  return shown;
}

/**
 * The PATH the start at logon carries, when sync runs where the bridge does (environments/login-path.ts):
 * node's folder, npm's, those of the programs the bridge may run by name (a shared server's, one
 * behind /tools). Nothing otherwise: that side's own is used.
 */
async function loginPathOf(ctx: Context, wiring: BridgeWiring): Promise<{ path?: string }> {
  const shellPath = getEnv(ctx.machine.host.env, "PATH");
  if (!wiring.env.local || wiring.env.kind === "windows" || !shellPath || !wiring.program) return {};
  const programs = ctx.servers.flatMap(([, s]) => (s.command ? [s.command] : []));
  return { path: await loginPath(wiring.env, shellPath, wiring.program.node, programs) };
}

/**
 * A sync that writes nothing: the start at logon state records, as it is — unless an older
 * mcp-twin installed it (its format: an upgrade changed how it keeps the bridge running), then it
 * is written again now, under the home's lock, with the state read there.
 */
async function keptUpToDate(ctx: Context, wiring: BridgeWiring): Promise<GatewayReport["autostart"]> {
  const shown = installedAutostart(ctx);
  if (shown?.kind === "xdg-autostart" && wiring.program) {
    const { xdgWithoutDesktop } = await import("../bridge-control/autostart.js");
    const listen = { host: wiring.settings.host, port: wiring.settings.port };
    const noDesktop = await xdgWithoutDesktop(ctx.machine, wiring.env, wiring.program, ctx.allEnvs, listen);
    if (noDesktop) Object.assign(shown, { noDesktop });
  }
  if (!shown || ctx.state.autostart?.format === AUTOSTART_FORMAT || !wiring.program) return shown;
  return withLock(ctx.machine.home.dir, async () =>
    installAutostart({ ...ctx, state: await loadState(ctx.machine.paths.state) }, wiring, false),
  );
}

/** No server is shared any more: the start at logon this home installed goes. */
async function dropAutostart(
  ctx: Context,
  wiring: BridgeWiring | undefined,
): Promise<GatewayReport["autostart"]> {
  const record = ctx.state.autostart;
  if (!record) return undefined;
  const { removeAutostart } = await import("../bridge-control/autostart.js");
  const bridge =
    wiring?.env ?? ctx.allEnvs.find((e) => e.id === record.env) ?? ctx.allEnvs.find((e) => e.local);
  if (!bridge)
    return { state: "remove-failed", kind: record.kind, file: record.file, error: "not reachable from here" };
  const removed = await removeAutostart(record, bridge, ctx.allEnvs);
  if (!removed.removed)
    return {
      state: "remove-failed",
      kind: record.kind,
      file: record.file,
      ...(removed.error ? { error: removed.error } : {}),
    };
  delete ctx.state.autostart;
  await saveState(ctx.machine.paths.state, ctx.state);
  return { state: "removed", kind: record.kind, file: record.file };
}
