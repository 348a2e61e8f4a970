/**
 * With `bridge.enabled` in the manifest (or its entry kept), sync registers the bridge in every client
 * under the name `mcp-twin`, with the settings of bridge-control/settings.ts (port, host).
 */

import { readFileSync } from "node:fs";
import path from "node:path";
import { VERSION } from "../../version.js";
import { bridgePlace } from "../bridge-control/placement.js";
import {
  choosePort,
  freePortNear,
  type HeldBy,
  localHolder,
  movePortFix,
  type PortChoice,
} from "../bridge-control/port-choice.js";
import { readRecordedPort } from "../bridge-control/port-record.js";
import { type BridgeSettings, resolveBridgeSettings, settingsAt } from "../bridge-control/settings.js";
import {
  type BridgeFiles,
  bridgeFiles,
  bridgeFilesThere,
  bridgeHome,
  bridgeUrl,
  ensureToken,
  heldWords,
  type InstanceInfo,
  ownedInstance,
  reach,
  readInstance,
  readToken,
} from "../bridge-link/index.js";
import type { Launch, Target } from "../clients/types.js";
import type { Machine } from "../environments/machine.js";
import type { Environment } from "../environments/types.js";
import type { Manifest } from "../manifest/schema.js";
import { sysPath } from "../system/host.js";
import { privateFile } from "./private-file.js";
import { relayArgs } from "./relay-node-flags.js";
import { cannotHost } from "./share-host-env.js";
import type { GatewayReach } from "./shared-entry.js";
import type { BuiltEntry } from "./target-entry.js";
import { clientLaunch, type EntryContext, startsAcross } from "./target-entry.js";

/** What sync says about the bridge once it wrote the entries. */
export interface BridgeReport {
  url: string;
  /**
   * running: this home's bridge answers there; restarted: it ran with other settings (or hung) and
   * was restarted with these; stopped: nothing runs (the entries start it on first use); taken:
   * something else holds the port; unknown: it lives on the other side and could not be asked.
   */
  state: "running" | "restarted" | "stopped" | "taken" | "unknown";
  pid?: number;
  /** restarted: where it ran before. */
  previousUrl?: string;
  /** restarted: the mcp-twin it ran before, when that was another (an upgrade). */
  previousVersion?: string;
  /** restarted after an upgrade: the mcp-twin it runs now. */
  version?: string;
  /** taken: what holds the port, and the fix. */
  what?: string;
  fix?: string;
  error?: string;
}

export interface BridgeWiring {
  /** The environment the bridge runs in. */
  env: Environment;
  settings: BridgeSettings;
  url: string;
  /** The bearer token, when it can be read from here (null before the first start there). */
  token: string | null;
  /** How to run this mcp-twin in the bridge's environment (native paths there). */
  program: { node: string; script: string } | null;
  /** Why `program` is null. */
  reason?: string;
  /** The bridge's entry for one target (see bridgeEntry); none unless its settings enable it. */
  entry(target: Target, ctx: EntryContext): BuiltEntry | undefined;
  /** The manifest shares servers: how their entries reach the gateway (the bridge). */
  reach?: GatewayReach;
  /** The shared servers (enabled ones) the bridge runs, by name and mode (`remote`: a url server's connection). */
  shares: ReadonlyArray<{ name: string; mode: string; remote?: true }>;
  /** The manifest's toolSearch names clients: the gateway runs for their `tools` entries too. */
  toolSearch?: true;
  /**
   * Shared servers the bridge's environment cannot run (share-host-env.ts): their clients get
   * their direct entries, and this says why.
   */
  unhosted: ReadonlyArray<{ name: string; why: string; fix: string }>;
  /**
   * The bridge running here when the port was checked (ownedInstance: its lock, serve.json, its
   * live process), null for none; absent when not read (another side, or no port checked).
   */
  running?: InstanceInfo | null;
  /** Bring a running bridge to these settings; report what runs. */
  settle(): Promise<BridgeReport>;
  /**
   * How its port was chosen (sync, status, doctor): moved, or to be recorded in the home — in
   * `kept`, the home's record as the user's system shows it.
   */
  port?: PortChoice & { kept: string };
  /**
   * Another program holds the bridge's port and it stays (pinned, or no free port near): the shared
   * servers get their direct entries for this run, and this says why and what works.
   */
  taken?: PortTaken;
}

/** What holds the bridge's port, and the fix that works. */
export interface PortTaken {
  port: number;
  what: string;
  fix: string;
}

export interface PlanBridgeOptions {
  /** Create the token when missing (a real sync); otherwise only read it. */
  createToken: boolean;
  /**
   * Sync, and what status and doctor say sync would write: the port is chosen now (port-choice.ts)
   * — an entry must never point at a port another program holds.
   */
  checkPort?: boolean;
  /** State records the bridge's own entry somewhere: with `enabled` unsaid, it stays. */
  hadEntry: boolean;
}

/**
 * - Where the bridge lives: bridge-control/placement.ts.
 * - Every client gets the same kind of entry: `mcp-twin connect <url>` run in the bridge's
 *   environment (through `wsl.exe --exec` from Windows). connect reads the token there and starts
 *   the bridge when none answers, so no entry stops working because the bridge is not running —
 *   after a reboot, a WSL restart, or `mcp-twin bridge stop` — and no token sits in a client
 *   config. (A URL entry, which HTTP-capable clients could take, would fail whenever the bridge is
 *   down.)
 * - Its port: the manifest's `bridge.port`, else the one the home recorded; with `checkPort`, moved
 *   off a port another program holds (`port.moved`, recorded by sync), or — pinned — `taken`.
 * - After writing, `settle()` brings a running bridge to these settings (a restart when its port or
 *   host changed) and says truthfully what runs.
 *
 * I/O only in `planBridge` (reads or creates the token; looks for a global install of mcp-twin
 * there; reads the home's port and asks what holds it) and in `settle()`; building entries is pure.
 */
export async function planBridge(
  manifest: Manifest,
  envs: readonly Environment[],
  machine: Machine,
  options: PlanBridgeOptions,
): Promise<BridgeWiring | undefined> {
  const wanted = sharedServers(manifest);
  const recorded = await readRecordedPort(machine.paths.bridge);
  let settings = resolveBridgeSettings(manifest.bridge, "manifest", {
    port: recorded,
    hadEntry: options.hadEntry,
  });
  // The manifest's toolSearch: its clients reach their servers through the gateway's `/tools`.
  const onDemand = manifest.toolSearch !== undefined;
  if (!settings.enabled && wanted.length === 0 && !onDemand) return undefined;
  const place = bridgePlace(manifest, envs, machine.host.self);
  if (!place) return undefined;
  const { env, program, reason } = place;
  const unhosted = wanted.flatMap(({ name }) => {
    const cannot = cannotHost(manifest.servers[name] ?? {}, env);
    return cannot ? [{ name, ...cannot }] : [];
  });
  const shares = wanted.filter((s) => !unhosted.some((u) => u.name === s.name));
  const token = await bridgeToken(env, machine, options);
  let port: PortChoice | undefined;
  let taken: PortTaken | undefined;
  let running: InstanceInfo | null | undefined;
  // Nothing of it in any entry (its own tools off, every shared server unhosted): no port to choose.
  if (options.checkPort && (settings.enabled || shares.length > 0 || onDemand)) {
    // Here, the bridge that runs (its lock, serve.json, its process) is read once for the whole run.
    if (env.local) running = await ownedInstance(localBridgeFiles(machine));
    port = await choosePort(settings, holderIn(env, machine, settings.host, running));
    settings = settingsAt(settings, port.port);
    // A port that stays although another program holds it: no entry of a shared server points there.
    if (port.taken) taken = { port: port.port, what: port.taken.what, fix: await moveFix(machine, settings) };
  }
  const url = settings.url;
  const wiring: BridgeWiring = {
    env,
    settings,
    url,
    token,
    program,
    ...(reason ? { reason } : {}),
    entry: (target, ctx) => (settings.enabled ? bridgeEntry(target, wiring, ctx) : undefined),
    shares,
    unhosted,
    ...(onDemand ? { toolSearch: true as const } : {}),
    ...((shares.length > 0 || onDemand) && !taken
      ? {
          reach: {
            origin: new URL(url).origin,
            env,
            program,
            reason,
            token,
            private: privateOnce(),
          },
        }
      : {}),
    ...(port ? { port: { ...port, kept: machine.shown(machine.paths.bridge) } } : {}),
    ...(taken ? { taken } : {}),
    ...(running !== undefined ? { running } : {}),
    settle: () => (env.local ? settleHere(machine, settings) : settleThere(env, machine, program, settings)),
  };
  return wiring;
}

/** This home's bridge state folder's files, made once a run: a no-op sync asks for them four times. */
export function localBridgeFiles(machine: Machine): BridgeFiles {
  let files = homeFiles.get(machine);
  if (!files) {
    files = bridgeFiles(bridgeHome(machine.host));
    homeFiles.set(machine, files);
  }
  return files;
}
const homeFiles = new WeakMap<Machine, BridgeFiles>();

/** privateFile, asked once per target for a plan: each of its shared servers' entries asks it (two stats each). */
function privateOnce(): (target: Target) => boolean {
  const known = new Map<string, boolean>();
  return (target) => {
    let answer = known.get(target.key);
    if (answer === undefined) {
      answer = privateFile(target);
      known.set(target.key, answer);
    }
    return answer;
  };
}

/**
 * The version of the mcp-twin a start runs now: its package's (the bridge is started from that
 * script), else this one's.
 */
function programVersion(script: string): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(path.dirname(script), "..", "package.json"), "utf8"));
    return pkg?.name === "mcp-twin" && typeof pkg.version === "string" ? pkg.version : VERSION;
  } catch {
    return VERSION;
  }
}

/**
 * This home's bridge, running here, restarted when it runs another mcp-twin than the program a
 * start runs now (an upgrade), so it serves what this one writes (sessions resume across the
 * restart); undefined when it runs this one (or is not this home's own process).
 */
export async function restartUpgraded(
  machine: Machine,
  want: { host: string; port: number },
  state?: { state: string; version?: string; instance?: { pid: number } | null },
): Promise<{ previousVersion: string; version: string; pid?: number } | undefined> {
  const { inspectBridge, localLifecycle, restartBridge } = await import("../bridge-control/lifecycle.js");
  const lifecycle = localLifecycle(machine.host, () => {});
  const version = programVersion(machine.host.self.script);
  // The bridge this home owns records the version it runs: this one's needs no probe (a no-op
  // sync's cost; one that does not answer is not restarted here either).
  if (!state && (await ownedInstance(lifecycle.files))?.version === version) return undefined;
  const now = state ?? (await inspectBridge(lifecycle, want));
  if (now.state !== "running" || !now.instance || !now.version || now.version === version) return undefined;
  // On the socket its keeper holds, when it has one: no moment the port is free.
  await restartBridge(lifecycle, want);
  const started = await ownedInstance(lifecycle.files);
  return { previousVersion: now.version, version, ...(started ? { pid: started.pid } : {}) };
}

/** The bridge lives here: restart it when it runs with other settings; name what holds the port. */
async function settleHere(machine: Machine, settings: BridgeSettings): Promise<BridgeReport> {
  const { inspectBridge, localLifecycle, ensureBridge } = await import("../bridge-control/lifecycle.js");
  const lifecycle = localLifecycle(machine.host, () => {});
  const want = { host: settings.host, port: settings.port };
  const base = { url: settings.url };
  try {
    const state = await inspectBridge(lifecycle, want);
    switch (state.state) {
      case "running": {
        const upgraded = await restartUpgraded(machine, want, state);
        if (upgraded) return { ...base, state: "restarted", ...upgraded };
        return { ...base, state: "running", ...(state.instance ? { pid: state.instance.pid } : {}) };
      }
      case "stopped":
        return { ...base, state: "stopped" };
      case "taken":
        return {
          ...base,
          state: "taken",
          what: heldWords(state.what, state.holder),
          fix: await moveFix(machine, settings),
        };
      case "elsewhere":
      case "unresponsive": {
        const previousUrl = state.instance.url;
        await ensureBridge(lifecycle, want);
        const now = await ownedInstance(lifecycle.files);
        return { ...base, state: "restarted", previousUrl, ...(now ? { pid: now.pid } : {}) };
      }
    }
  } catch (error) {
    return { ...base, state: "unknown", error: error instanceof Error ? error.message : String(error) };
  }
}

/** Give the bridge another port, named free now, in the user-level manifest. */
async function moveFix(machine: Machine, settings: BridgeSettings): Promise<string> {
  return movePortFix(machine.shown(machine.paths.manifest), await freePortNear(settings.host, settings.port));
}

/**
 * What holds a port where the bridge lives, when it is not this home's bridge (port-choice.ts's
 * HeldBy). Here, through the lifecycle's files and a probe; on the other side, by a probe that sends
 * the token only to a proven bridge — and without a token there (the bridge never started), anything
 * on the port is another program's. A state folder this side cannot read: nothing can be told.
 */
function holderIn(env: Environment, machine: Machine, host: string, running?: InstanceInfo | null): HeldBy {
  if (env.local) {
    // The lifecycle's files and /proc, without loading the lifecycle: every sync asks this.
    const proc = machine.host.platform === "linux" ? sysPath(machine.host, "/proc") : undefined;
    const holder = localHolder({ files: localBridgeFiles(machine), proc }, host);
    // This home's bridge, read already: no second read for the port it holds.
    return (port) => (running?.port === port ? Promise.resolve(undefined) : holder(port));
  }
  const files = filesIn(env, machine);
  return async (port) => {
    const probe = files ? await reach(files, bridgeUrl(host, port)) : undefined;
    return probe?.state === "other" ? probe.what : undefined;
  };
}

/** The bridge's state folder as this side reaches it (undefined: on the other side, it cannot). */
const filesIn = (env: Environment, machine: Machine) =>
  env.local ? localBridgeFiles(machine) : bridgeFilesThere(env);

/**
 * The bridge lives on the other side (sync run on Windows, the bridge in WSL): its serve.json is
 * read through the file system; only when it runs with other settings is `mcp-twin bridge restart`
 * run there (one process across the boundary, never on a sync that changes nothing).
 */
async function settleThere(
  env: Environment,
  machine: Machine,
  program: BridgeWiring["program"],
  settings: BridgeSettings,
): Promise<BridgeReport> {
  const base = { url: settings.url };
  const files = filesIn(env, machine);
  const info = files ? await readInstance(files) : null;
  if (!info || !files) return { ...base, state: files ? "stopped" : "unknown" };
  if (info.port === settings.port && info.host === settings.host) {
    const probe = await reach(files, settings.url);
    return { ...base, state: probe.state === "ours" ? "running" : "unknown", pid: info.pid };
  }
  if (!program)
    return { ...base, state: "unknown", error: `it runs at ${info.url}; restart it in ${env.id}` };
  const r = await env.exec(program.node, [program.script, "bridge", "restart", "--json"], {
    timeoutMs: 60_000,
  });
  if (r.failed)
    return {
      ...base,
      state: "unknown",
      error: `\`mcp-twin bridge restart\` in ${env.id} failed (exit code ${r.exitCode ?? "?"})`,
    };
  return { ...base, state: "restarted", previousUrl: info.url };
}

/** The manifest's shared servers (enabled ones): they run in the bridge, so it must run. */
function sharedServers(manifest: Manifest): Array<{ name: string; mode: string; remote?: true }> {
  return Object.entries(manifest.servers).flatMap(([name, s]) =>
    s.share && !s.disabled
      ? [{ name, mode: s.share, ...(s.url !== undefined ? { remote: true as const } : {}) }]
      : [],
  );
}

async function bridgeToken(
  env: Environment,
  machine: Machine,
  options: PlanBridgeOptions,
): Promise<string | null> {
  const files = filesIn(env, machine);
  if (env.local && files && options.createToken) return (await ensureToken(files.token)).token;
  return files ? readToken(files.token) : null;
}

/**
 * The bridge's entry for one target, or undefined when the target gets none (project files: the
 * bridge is per machine, not per repository).
 */
function bridgeEntry(target: Target, wiring: BridgeWiring, ctx: EntryContext): BuiltEntry | undefined {
  if (target.scope === "project") return undefined;
  const here = target.env.id === wiring.env.id;
  if (!here && !startsAcross(target.env, wiring.env)) {
    return {
      ok: false,
      code: "no-environment",
      reason: `the bridge lives in ${wiring.env.id}, which ${target.env.id} cannot start programs in`,
    };
  }
  if (!wiring.program) {
    return { ok: false, code: "no-environment", reason: wiring.reason ?? "mcp-twin is not installed" };
  }
  const launch: Launch = {
    command: wiring.program.node,
    args: relayArgs(wiring.program.script, wiring.url),
    env: {},
  };
  const entry = clientLaunch(launch, wiring.env, target, ctx);
  return {
    ok: true,
    value: target.client.stdioEntry(entry.launch),
    secretValues: [],
    references: [],
    runsIn: wiring.env.id,
    ...(entry.problems.length > 0 ? { problems: entry.problems } : {}),
  };
}
