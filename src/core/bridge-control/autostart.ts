/**
 * Installs, checks and removes the bridge's start at logon (autostart-plan.ts says which): the file
 * through files.ts, the service manager's own command (schtasks.exe, systemctl) through the
 * environment it lives in.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { bridgeHome, bridgeHomeIn } from "../bridge-link/index.js";
import type { Machine } from "../environments/machine.js";
import type { Environment } from "../environments/types.js";
import type { AutostartRecord } from "../ledger/state.js";
import { removePath, writeServiceFile } from "../system/files.js";
import { getEnv, sysPath } from "../system/host.js";
import type { RunResult } from "../system/run.js";
import {
  type AutostartFacts,
  CARRIED_VARS,
  type NoAutostart,
  planAutostart,
  SOCKET_NAME,
  systemRoot,
  UNIT_NAME,
} from "./autostart-plan.js";

/** Its kind, file and name as the record has them; offered, none: why, the fix, the start-up line. */
export interface AutostartOutcome
  extends Partial<Pick<AutostartRecord, "kind" | "file" | "name"> & NoAutostart> {
  /**
   * installed: written now; present: already there as it should be; offered: a way the user may
   * ask for (`sync --autostart`), not written; none: no way here; failed.
   */
  state: "installed" | "present" | "offered" | "none" | "failed";
  /**
   * installed, present: the XDG entry where no desktop session is seen — only a desktop runs it;
   * why, and the shell's start-up line for a login without one.
   */
  noDesktop?: NoAutostart;
  error?: string;
  /** What to keep in state (installed or present). */
  record?: AutostartRecord;
}

/** Windows beside the bridge (WSL), or the bridge's own environment (Windows). */
const windowsOf = (bridge: Environment, envs: readonly Environment[]) =>
  bridge.kind === "windows" ? bridge : envs.find((e) => e.kind === "windows");

/** The environment a record's file and command live in: Windows for the task, else the bridge's. */
function home(
  record: AutostartRecord,
  bridge: Environment,
  envs: readonly Environment[],
): Environment | undefined {
  return record.kind === "windows-task"
    ? windowsOf(bridge, envs)
    : bridge.id === record.env
      ? bridge
      : undefined;
}

function schtasks(windows: Environment, args: string[]): Promise<RunResult> {
  return windows.exec(`${systemRoot(windows.vars)}\\System32\\schtasks.exe`, args, { timeoutMs: 30_000 });
}

/** The service manager's own command, as the user's PATH finds it (not node's folder first). */
const systemctl = async (env: Environment, args: string[]) =>
  env.exec((await env.findProgram?.("systemctl")) ?? "systemctl", ["--user", ...args], { timeoutMs: 30_000 });

/**
 * launchd: an agent in ~/Library/LaunchAgents is loaded at the next login without being
 * registered; taking it away unloads it first (`remove` ends a bridge launchd started, which it
 * would otherwise start again). Not loaded: `remove` fails, which is fine.
 */
const launchctl = async (env: Environment, args: string[]) =>
  env.exec((await env.findProgram?.("launchctl")) ?? "launchctl", args, { timeoutMs: 30_000 });

const failure = (r: RunResult, what: string) =>
  r.spawnError
    ? `${what} failed: it could not be started (${r.spawnError})`
    : `${what} failed (exit code ${r.exitCode ?? "?"})${r.stderr.length > 0 ? `: ${r.stderr.toString("utf8").replace(/\s+/g, " ").trim().slice(0, 300)}` : ""}`;

/** Is it registered with its service manager (beyond its file being there), a socket unit listening? */
async function registered(record: AutostartRecord, env: Environment): Promise<boolean> {
  if (record.kind === "windows-task") return !(await schtasks(env, ["/Query", "/TN", record.name])).failed;
  if (record.kind === "systemd")
    return (
      !(await systemctl(env, ["is-enabled", record.name])).failed &&
      // A socket unit that does not listen now is not registered.
      (record.name !== SOCKET_NAME || !(await systemctl(env, ["is-active", "--quiet", record.name])).failed)
    );
  // launchd reads its agents at login; a desktop its autostart entries: the file is all.
  return true;
}

/**
 * The bridge starts at logon: its files written (when they differ) and registered with the service
 * manager; only systemd's socket unit is started (`handOver` first ends the bridge on its port).
 * A way that is only offered (the XDG entry) is written when `accept` (the user asked, now or before).
 */
export async function ensureAutostart(
  machine: Machine,
  bridge: Environment,
  program: { node: string; script: string; path?: string },
  envs: readonly Environment[],
  options: { accept?: boolean; listen: AutostartFacts["listen"]; handOver?: () => Promise<unknown> },
): Promise<AutostartOutcome> {
  const plan = planAutostart(await factsOf(machine, bridge, envs, program, options.listen));
  if (plan.kind === "none")
    return { state: "none", why: plan.why, fix: plan.fix, ...(plan.line ? { line: plan.line } : {}) };
  const { text, offer, noDesktop, service, ...record } = plan;
  const base = {
    kind: record.kind,
    file: record.file,
    name: record.name,
    ...(noDesktop && options.accept ? { noDesktop } : {}),
  };
  if (offer && !options.accept) return { ...base, state: "offered", ...offer };
  const failed = (error: string): AutostartOutcome => ({ ...base, state: "failed", error });
  const env = home(record, bridge, envs);
  // As this side reaches it.
  const files = [{ file: record.file, text }, ...(service ? [service] : [])].map((f) => ({
    at: env?.access(f.file),
    want: typeof f.text === "string" ? Buffer.from(f.text, "utf8") : f.text,
  }));
  if (!env || files.some((f) => !f.at)) return failed(`${record.file} cannot be reached from here`);
  try {
    const same = files.every((f) => f.at && existsSync(f.at) && readFileSync(f.at).equals(f.want));
    if (same && (await registered(record, env))) return { ...base, state: "present", record };
    for (const f of files) if (f.at) await writeServiceFile(f.at, f.want);
    if (record.kind === "windows-task") {
      const r = await schtasks(env, ["/Create", "/TN", record.name, "/XML", record.file, "/F"]);
      if (r.failed) return failed(failure(r, "schtasks /Create"));
    } else if (record.kind === "systemd") {
      await systemctl(env, ["daemon-reload"]);
      const r = await systemctl(env, ["enable", record.name]);
      if (r.failed) return failed(failure(r, `systemctl --user enable ${record.name}`));
      // The bridge running holds the port (under its keeper, or the older unit's, now the service:
      // systemd keeps its state across the reload, and it was enabled): it ends, the socket binds.
      await systemctl(env, ["disable", "--now", UNIT_NAME]);
      await options.handOver?.();
      const held = await systemctl(env, ["restart", record.name]);
      if (held.failed) return failed(failure(held, `systemctl --user restart ${record.name}`));
    }
    return { ...base, state: "installed", record };
  } catch (error) {
    return failed(error instanceof Error ? error.message : String(error));
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
  listen: AutostartFacts["listen"],
): Promise<AutostartOutcome["noDesktop"]> {
  const plan = planAutostart(await factsOf(machine, bridge, envs, program, listen));
  return plan.kind === "xdg-autostart" ? plan.noDesktop : undefined;
}

/** What the plan needs to know about this machine. */
async function factsOf(
  machine: Machine,
  bridge: Environment,
  envs: readonly Environment[],
  program: AutostartFacts["program"],
  listen: AutostartFacts["listen"],
): Promise<AutostartFacts> {
  const windows = windowsOf(bridge, envs);
  // Only the side sync runs on has its variables to give: the bridge sees what sync saw (its PATH trimmed).
  const carried: Record<string, string> = {};
  if (bridge.local)
    for (const name of CARRIED_VARS) {
      const value = name === "PATH" && program.path ? program.path : getEnv(machine.host.env, name);
      if (value) carried[name] = value;
    }
  const systemd =
    bridge.kind === "linux" &&
    bridge.local &&
    existsSync(sysPath(machine.host, "/run/systemd/system")) &&
    (await bridge.findProgram?.("systemctl")) !== undefined;
  const env = machine.host.env;
  // The bridge's state folder, as its own side names it (bridge-link/state-folder.ts).
  const stateDir = bridge.local
    ? bridgeHome(machine.host)
    : (bridge.vars.MCP_TWIN_BRIDGE_HOME ?? bridgeHomeIn(bridge.kind, bridge.vars, bridge.home));
  return {
    bridge: { id: bridge.id, kind: bridge.kind, distro: bridge.distro, home: bridge.home, vars: bridge.vars },
    program,
    listen,
    stateDir,
    ...(windows ? { windows: { vars: windows.vars } } : {}),
    systemd,
    carried,
    desktop: bridge.local && Boolean(getEnv(env, "XDG_CURRENT_DESKTOP") || getEnv(env, "DESKTOP_SESSION")),
  };
}

/** Take a recorded autostart away: unregistered, its files removed. */
export async function removeAutostart(
  record: AutostartRecord,
  bridge: Environment,
  envs: readonly Environment[],
): Promise<{ removed: boolean; error?: string }> {
  const env = home(record, bridge, envs);
  const file = env?.access(record.file);
  if (!env || !file) return { removed: false, error: `${record.file} cannot be reached from here` };
  try {
    if (record.kind === "windows-task") {
      const r = await schtasks(env, ["/Delete", "/TN", record.name, "/F"]);
      // Gone already (deleted by hand) is fine: its query then fails too.
      if (r.failed && (await registered(record, env)))
        return { removed: false, error: failure(r, "schtasks /Delete") };
    } else if (record.kind === "systemd") {
      // --now: the socket unit lets the port go (the bridge it started ends with uninstall's stop).
      await systemctl(env, ["disable", "--now", record.name]);
      if (record.name === SOCKET_NAME) await removePath(path.join(path.dirname(file), UNIT_NAME));
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
