/**
 * The shared servers now: the bridge asked how it runs them (nothing is started: a bridge that is
 * not running is said to be so), joined with the manifest's shares (shared-view.ts).
 */
import { controlBridge } from "../bridge-control/control.js";
import { portHeldBy } from "../bridge-link/index.js";
import { openManifest } from "../context/context.js";
import { cannotHost } from "../entries/share-host-env.js";
import type { Machine } from "../environments/machine.js";
import type { Environment } from "../environments/types.js";
import { missingSharedProgram } from "./shared-program.js";
import { type SharedView, sharedLine, sharedViews } from "./shared-view.js";

/** A shared server of the manifest: its name, its mode, and its program (a `command` server's). */
export interface ShareItem {
  name: string;
  mode: string;
  program?: string;
  /** The bridge's environment cannot run it (its clients run it themselves): why, and the fix. */
  unhosted?: { why: string; fix: string };
}

export interface SharedStatus {
  /** The bridge's state, as `bridge status` says it; its url and pid when it runs. */
  bridge: {
    state: string;
    url?: string;
    pid?: number;
    fix?: string;
    error?: string;
    /** taken: its port, and what holds it (as `bridge status` names it); stopped: its port. */
    port?: number;
    what?: string;
  };
  shared: SharedView[];
}

/** Undefined when the manifest shares nothing (the bridge is not asked). */
export async function sharedStatus(
  machine: Machine,
  shares: readonly ShareItem[],
  manifest: string | undefined,
  /** Ask the bridge even when nothing is shared (tools on demand: its servers stand behind /tools). */
  always = false,
): Promise<SharedStatus | undefined> {
  if (shares.length === 0 && !always) return undefined;
  const status = await askBridge(machine, shares, manifest);
  return { ...status, shared: await withMissingPrograms(machine, shares, status.shared) };
}

async function askBridge(
  machine: Machine,
  shares: readonly ShareItem[],
  manifest: string | undefined,
): Promise<SharedStatus> {
  try {
    const r = await controlBridge(machine, "status", { manifest, log: () => {} });
    const up = r.state === "running" || r.state === "elsewhere";
    const reported = up ? (Array.isArray(r.shares) ? r.shares : null) : undefined;
    return {
      bridge: {
        state: r.state,
        ...(r.url ? { url: r.url } : {}),
        ...(r.pid !== undefined ? { pid: r.pid } : {}),
        ...(r.fix ? { fix: r.fix } : {}),
        ...(r.state === "taken" ? { port: r.settings.port, what: r.what } : {}),
        ...(r.state === "stopped" ? { port: r.settings.port } : {}),
      },
      shared: sharedViews(shares, reported),
    };
  } catch (error) {
    // Its state cannot be had (the bridge's side cannot be reached): said, never guessed.
    return {
      bridge: { state: "unknown", error: error instanceof Error ? error.message : String(error) },
      shared: sharedViews(shares, null),
    };
  }
}

/** The manifest's shared servers (enabled ones), by name and mode, and the program a `command` one runs. */
export function manifestShareList(
  servers: Iterable<
    [
      string,
      {
        share?: string | undefined;
        disabled?: boolean | undefined;
        command?: string | undefined;
        package?: string | undefined;
        environments?: string[] | undefined;
      },
    ]
  >,
  /** Where the bridge runs, when known: a server it cannot run there is said so (share-host-env.ts). */
  bridgeEnv?: Pick<Environment, "id" | "npm">,
): ShareItem[] {
  return [...servers].flatMap(([name, s]) => {
    if (!s.share || s.disabled) return [];
    const unhosted = bridgeEnv ? cannotHost(s, bridgeEnv) : undefined;
    return [
      {
        name,
        mode: s.share,
        ...(s.command ? { program: s.command } : {}),
        ...(unhosted ? { unhosted } : {}),
      },
    ];
  });
}

/** A shared server's line, with why the bridge is not there when it is not. */
export function sharedLineFor(v: SharedView, s: SharedStatus): string {
  return sharedLine(v, bridgeWhy(s.bridge));
}

/** Why a shared server's line says the bridge does not run it, beyond "not running" (the fix). */
export function bridgeWhy(bridge: SharedStatus["bridge"]): string | undefined {
  if (bridge.state === "stopped") return "`mcp-twin bridge start` starts it";
  if (bridge.state === "taken")
    return `${portHeldBy(bridge.port ?? "", bridge.what)}; ${lowerFirst((bridge.fix ?? "`mcp-twin bridge status` says which").replace(/\.$/, ""))}`;
  if (bridge.state === "unresponsive") return "its process does not answer: `mcp-twin bridge restart`";
  return bridge.error ? `its state cannot be had: ${bridge.error}` : undefined;
}

/**
 * Nothing holds the bridge's port now (no bridge, no keeper, no socket unit): what the url entries
 * are open to until it starts, and the fix; undefined while anything holds it.
 */
export function openPort(bridge: SharedStatus["bridge"]): { message: string; fix: string } | undefined {
  if (bridge.state !== "stopped") return undefined;
  return {
    message: `Nothing holds the bridge's port (${bridge.port ?? "the one its url entries name"}) now: until the bridge starts, another account can listen on it and receive what the url entries send (each client's token, useless to it; the calls' arguments) and answer as the shared servers`,
    fix: "Run `mcp-twin bridge start`: it holds the port from then until a stop; for every login, the start at logon `mcp-twin sync` installs (with systemd, a socket unit that holds the port from login on)",
  };
}

/** openPort as status prints it, once for all the shared servers (none while the port is held). */
export function portOpenAt(bridge: SharedStatus["bridge"]): string[] {
  const open = openPort(bridge);
  return open ? [`${open.message}. Fix: ${open.fix}.`] : [];
}

/**
 * A shared server not running whose program is not on this side's PATH (the bridge runs here) will
 * not start on the next call: said, with how to get the program, rather than "it starts on the
 * first call".
 */
export async function withMissingPrograms(
  machine: Machine,
  shares: readonly ShareItem[],
  views: readonly SharedView[],
): Promise<SharedView[]> {
  return Promise.all(
    views.map(async (v) => {
      const program = shares.find((s) => s.name === v.name)?.program;
      if (!program || v.state === "running") return v;
      const missing = await missingSharedProgram(machine, program);
      return missing ? { ...v, missing } : v;
    }),
  );
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * `bridge status`'s servers: each as the bridge reports it, a program it runs that is not there,
 * and whether it runs there only behind tools on demand (the manifest has toolSearch and does not share it).
 */
export async function bridgeShareViews(
  machine: Machine,
  manifest: string | undefined,
  reported: unknown,
): Promise<Array<SharedView & { onDemand: boolean }>> {
  const read = await openManifest(machine, { manifest }).then(
    (o) => o.loaded.manifest,
    () => undefined,
  );
  const servers = Object.entries(read?.servers ?? {});
  const shares = manifestShareList(servers);
  if (!Array.isArray(reported)) return [];
  const views = await withMissingPrograms(machine, shares, sharedViews([], reported));
  const onDemand = new Set(read?.toolSearch ? servers.filter(([, s]) => !s.share).map(([n]) => n) : []);
  return views.map((v) => ({ ...v, onDemand: onDemand.has(v.name) }));
}
