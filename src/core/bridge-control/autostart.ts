/**
 * Installs, checks and removes the bridge's start at logon (autostart-plan.ts says which): the file
 * through files.ts, the service manager's own command (schtasks.exe, systemctl) through the
 * environment it lives in.
 */
import { existsSync, readFileSync } from "node:fs";
import { bridgeHome, bridgeHomeIn } from "../bridge-link/index.js";
import type { Machine } from "../environments/machine.js";
import type { Environment } from "../environments/types.js";
import { removePath, writeServiceFile } from "../system/files.js";
import { getEnv, type Host, sysPath } from "../system/host.js";
import type { RunResult } from "../system/run.js";
import {
  type AutostartFacts,
  type AutostartKind,
  type AutostartRecord,
  CARRIED_VARS,
  planAutostart,
} from "./autostart-plan.js";

export interface AutostartOutcome {
  /**
   * installed: written now; present: already there as it should be; offered: a way the user may
   * ask for (`sync --autostart`), not written; none: no way here; failed.
   */
  state: "installed" | "present" | "offered" | "none" | "failed";
  kind?: AutostartKind;
  /** The file it reads (native to where it lives) and the task's, unit's or agent's name. */
  file?: string;
  name?: string;
  why?: string;
  fix?: string;
  /** offered, none: a line for the shell's start-up that starts it (the fix says where). */
  line?: string;
  /**
   * installed, present: the XDG entry where no desktop session is seen — only a desktop runs it;
   * why, and the shell's start-up line for a login without one.
   */
  noDesktop?: { why: string; fix: string; line?: string };
  error?: string;
  /** What to keep in state (installed or present). */
  record?: AutostartRecord;
}

/** The environments the autostart may touch: the bridge's, and Windows beside WSL. */
interface Sides {
  bridge: Environment;
  windows: Environment | undefined;
}

function sides(bridge: Environment, envs: readonly Environment[]): Sides {
  return { bridge, windows: bridge.kind === "windows" ? bridge : envs.find((e) => e.kind === "windows") };
}

/** The environment a record's file and command live in. */
function home(record: Pick<AutostartRecord, "kind" | "env">, s: Sides): Environment | undefined {
  return record.kind === "windows-task" ? s.windows : s.bridge.id === record.env ? s.bridge : undefined;
}

function schtasks(windows: Environment, args: string[]): Promise<RunResult> {
  const root = (windows.vars.SystemRoot ?? windows.vars.SYSTEMROOT ?? "C:\\Windows").replace(/\\+$/, "");
  return windows.exec(`${root}\\System32\\schtasks.exe`, args, { timeoutMs: 30_000 });
}

/** The service manager's own command, as the user's PATH finds it (not node's folder first). */
async function program(env: Environment, name: string): Promise<string> {
  return (await env.findProgram?.(name)) ?? name;
}

const systemctl = async (env: Environment, args: string[]) =>
  env.exec(await program(env, "systemctl"), ["--user", ...args], { timeoutMs: 30_000 });

/**
 * launchd: an agent in ~/Library/LaunchAgents is loaded at the next login without being
 * registered; taking it away unloads it first (`remove` ends a bridge launchd started, which it
 * would otherwise start again). Not loaded: `remove` fails, which is fine.
 */
const launchctl = async (env: Environment, args: string[]) =>
  env.exec(await program(env, "launchctl"), args, { timeoutMs: 30_000 });

const failure = (r: RunResult, what: string) =>
  r.spawnError
    ? `${what} failed: it could not be started (${r.spawnError})`
    : `${what} failed (exit code ${r.exitCode ?? "?"})${r.stderr.length > 0 ? `: ${r.stderr.toString("utf8").replace(/\s+/g, " ").trim().slice(0, 300)}` : ""}`;

/** Is it registered with its service manager (beyond its file being there)? */
async function registered(record: AutostartRecord, env: Environment): Promise<boolean> {
  if (record.kind === "windows-task") return !(await schtasks(env, ["/Query", "/TN", record.name])).failed;
  if (record.kind === "systemd") return !(await systemctl(env, ["is-enabled", record.name])).failed;
  // launchd reads its agents at login; a desktop its autostart entries: the file is all.
  return true;
}

/**
 * The bridge starts at logon: its file written (when it differs) and registered with the service
 * manager. Nothing is started here: sync starts the bridge now through the lifecycle. A way that
 * is only offered (the XDG entry) is written when `accept` (the user asked, now or before).
 */
export async function ensureAutostart(
  machine: Machine,
  bridge: Environment,
  program: { node: string; script: string },
  envs: readonly Environment[],
  options: { accept?: boolean } = {},
): Promise<AutostartOutcome> {
  const s = sides(bridge, envs);
  const plan = planAutostart(await factsOf(machine, s, program));
  if (plan.kind === "none")
    return { state: "none", why: plan.why, fix: plan.fix, ...(plan.line ? { line: plan.line } : {}) };
  const { text, offer, noDesktop, ...record } = plan;
  const base = {
    kind: record.kind,
    file: record.file,
    name: record.name,
    ...(noDesktop && options.accept ? { noDesktop } : {}),
  };
  if (offer && !options.accept) return { ...base, state: "offered", ...offer };
  const env = home(record, s);
  // As this side reaches it.
  const file = env?.access(record.file);
  const want = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  if (!env || !file) return { ...base, state: "failed", error: `${record.file} cannot be reached from here` };
  try {
    const same = existsSync(file) && readFileSync(file).equals(want);
    if (same && (await registered(record, env))) return { ...base, state: "present", record };
    await writeServiceFile(file, want);
    if (record.kind === "windows-task") {
      const r = await schtasks(env, ["/Create", "/TN", record.name, "/XML", record.file, "/F"]);
      if (r.failed) return { ...base, state: "failed", error: failure(r, "schtasks /Create") };
    } else if (record.kind === "systemd") {
      await systemctl(env, ["daemon-reload"]);
      const r = await systemctl(env, ["enable", record.name]);
      if (r.failed)
        return { ...base, state: "failed", error: failure(r, `systemctl --user enable ${record.name}`) };
    }
    return { ...base, state: "installed", record };
  } catch (error) {
    return { ...base, state: "failed", error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * An XDG entry installed before, where no desktop session is seen now: why it does not start a
 * login without one, and the shell's start-up line that does (a sync that writes nothing says it
 * too). File stats only.
 */
export async function xdgWithoutDesktop(
  machine: Machine,
  bridge: Environment,
  program: { node: string; script: string },
  envs: readonly Environment[],
): Promise<AutostartOutcome["noDesktop"]> {
  const plan = planAutostart(await factsOf(machine, sides(bridge, envs), program));
  return plan.kind === "xdg-autostart" ? plan.noDesktop : undefined;
}

/** What the plan needs to know about this machine. */
async function factsOf(
  machine: Machine,
  s: Sides,
  program: AutostartFacts["program"],
): Promise<AutostartFacts> {
  const { bridge } = s;
  // Only the side sync runs on has its variables to give: the bridge then sees what sync saw.
  const carried: Record<string, string> = {};
  if (bridge.local)
    for (const name of CARRIED_VARS) {
      const value = getEnv(machine.host.env, name);
      if (value) carried[name] = value;
    }
  const systemd =
    bridge.kind === "linux" &&
    bridge.local &&
    existsSync(sysPath(machine.host, "/run/systemd/system")) &&
    (await bridge.findProgram?.("systemctl")) !== undefined;
  const env = machine.host.env;
  return {
    bridge: { id: bridge.id, kind: bridge.kind, distro: bridge.distro, home: bridge.home, vars: bridge.vars },
    program,
    stateDir: stateDirOf(machine.host, bridge),
    ...(s.windows ? { windows: { vars: s.windows.vars } } : {}),
    systemd,
    carried,
    desktop: bridge.local && Boolean(getEnv(env, "XDG_CURRENT_DESKTOP") || getEnv(env, "DESKTOP_SESSION")),
  };
}

/** The bridge's state folder, as its own side names it (bridge-link/where.ts). */
function stateDirOf(host: Host, bridge: Environment): string {
  if (bridge.local) return bridgeHome(host);
  return bridge.vars.MCP_TWIN_BRIDGE_HOME ?? bridgeHomeIn(bridge.kind, bridge.vars, bridge.home);
}

/** Is a recorded autostart still in place (its file, and its registration)? undefined: cannot tell from here. */
export async function autostartPresent(
  record: AutostartRecord,
  bridge: Environment,
  envs: readonly Environment[],
): Promise<boolean | undefined> {
  const env = home(record, sides(bridge, envs));
  const file = env?.access(record.file);
  if (!env || !file) return undefined;
  if (!existsSync(file)) return false;
  try {
    return await registered(record, env);
  } catch {
    return undefined;
  }
}

/** Take a recorded autostart away: unregistered, its file removed. */
export async function removeAutostart(
  record: AutostartRecord,
  bridge: Environment,
  envs: readonly Environment[],
): Promise<{ removed: boolean; error?: string }> {
  const env = home(record, sides(bridge, envs));
  const file = env?.access(record.file);
  if (!env || !file) return { removed: false, error: `${record.file} cannot be reached from here` };
  try {
    if (record.kind === "windows-task") {
      const r = await schtasks(env, ["/Delete", "/TN", record.name, "/F"]);
      // Gone already (deleted by hand) is fine: its query then fails too.
      if (r.failed && (await registered(record, env)))
        return { removed: false, error: failure(r, "schtasks /Delete") };
    } else if (record.kind === "systemd") {
      await systemctl(env, ["disable", record.name]);
    } else if (record.kind === "launchd") {
      await launchctl(env, ["remove", record.name]);
    }
    await removePath(file);
    if (record.kind === "systemd") await systemctl(env, ["daemon-reload"]);
    return { removed: true };
  } catch (error) {
    return { removed: false, error: error instanceof Error ? error.message : String(error) };
  }
}
