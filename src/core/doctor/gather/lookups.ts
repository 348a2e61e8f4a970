/**
 * Gathering (I/O) for the pure checks: PATH look-ups, the npm prefix, stray manifests, the secrets
 * file's mode, and which apps run since when. File stats and /proc reads only, except one
 * PowerShell call to learn when Windows apps started.
 */
import { constants } from "node:fs";
import { access, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Target } from "../../clients/types.js";
import type { Machine } from "../../environments/machine.js";
import { isOnWindowsDrive } from "../../environments/path-translation.js";
import type { Environment } from "../../environments/types.js";
import { findOnPath } from "../../environments/which.js";
import { PROJECT_MANIFEST } from "../../manifest/load.js";
import { getEnv, localHomedir, sysPath } from "../../system/host.js";
import { decodeWindowsOutput } from "../../system/run.js";
import type { PrefixState, RunningApp } from "../facts.js";

export async function pathPrograms(
  machine: Machine,
  env: Environment,
): Promise<{ node?: string; npm?: string }> {
  if (!env.local || env.style !== "posix") return {};
  const PATH = getEnv(machine.host.env, "PATH") ?? "";
  const [node, npm] = await Promise.all([
    findOnPath("node", PATH, { posix: true }),
    findOnPath("npm", PATH, { posix: true }),
  ]);
  return { ...(node ? { node } : {}), ...(npm ? { npm } : {}) };
}

export async function prefixState(env: Environment): Promise<PrefixState> {
  if (!env.npm) return "unknown";
  const local = env.access(env.npm.prefix);
  if (!local) return "unknown";
  try {
    const s = await stat(local);
    if (!s.isDirectory()) return "not-a-folder";
  } catch {
    return "missing";
  }
  try {
    await access(local, constants.W_OK);
    return "writable";
  } catch {
    return "read-only";
  }
}

/** Manifests that exist but are not the one in use. */
export async function strayManifests(machine: Machine, used: string, usedIsHome: boolean): Promise<string[]> {
  const { host } = machine;
  const home = localHomedir(host);
  const candidates = new Set<string>([machine.paths.manifest, path.join(home, PROJECT_MANIFEST)]);
  if (machine.local.kind !== "windows") {
    const xdg = host.env.XDG_CONFIG_HOME || path.join(home, ".config");
    candidates.add(path.join(xdg, "mcp-twin", PROJECT_MANIFEST));
  }
  const profile = machine.home.windowsVars?.USERPROFILE;
  if (profile) {
    const p = machine.windows?.access(`${profile}\\${PROJECT_MANIFEST}`);
    if (p) candidates.add(p);
    const appdata = machine.home.windowsVars?.APPDATA;
    const def = appdata ? machine.windows?.access(`${appdata}\\mcp-twin\\${PROJECT_MANIFEST}`) : undefined;
    if (def) candidates.add(def);
  }
  const out: string[] = [];
  for (const c of candidates) {
    if (path.resolve(c) === path.resolve(used)) continue;
    // A project manifest beside the home's is the normal case: the home's is simply not in use here.
    if (!usedIsHome && path.resolve(c) === path.resolve(machine.paths.manifest)) continue;
    try {
      if ((await stat(c)).isFile()) out.push(c);
    } catch {
      // absent
    }
  }
  return out;
}

/** The secrets file's mode, where modes mean something (not on a Windows drive). */
export async function secretsMode(machine: Machine): Promise<number | undefined> {
  if (machine.host.platform === "win32" || isOnWindowsDrive(machine.paths.secrets, machine.local.mountRoot))
    return undefined;
  if (machine.home.source === "windows") return undefined;
  try {
    return (await stat(machine.paths.secrets)).mode;
  } catch {
    return undefined;
  }
}

/**
 * When each app (by client id) started, for apps that read their config only at start.
 * Windows: one `powershell.exe Get-Process` call; Linux/WSL: /proc. Missing = not running or unknown.
 */
export async function runningSince(
  machine: Machine,
  targets: readonly Target[],
): Promise<Map<string, RunningApp>> {
  const out = new Map<string, RunningApp>();
  const windows = targets.filter((t) => t.env.kind === "windows" && t.client.restartToApply);
  if (windows.length > 0 && machine.windows && (machine.local.kind === "windows" || machine.local.interop)) {
    const names = [
      ...new Set(windows.flatMap((t) => t.client.processNames.windows.map((n) => n.replace(/\.exe$/i, "")))),
    ];
    const root = machine.home.windowsVars?.SYSTEMROOT ?? "C:\\Windows";
    const script = `Get-Process -Name ${names.join(",")} -ErrorAction SilentlyContinue | ForEach-Object { $_.ProcessName + '|' + $_.StartTime.ToUniversalTime().ToString('o') }`;
    const result = await machine.windows.exe(
      `${root}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`,
      ["-NoProfile", "-NonInteractive", "-Command", script],
      { timeoutMs: 20_000 },
    );
    const earliest = new Map<string, Date>();
    for (const line of decodeWindowsOutput(result.stdout).split("\n")) {
      const m = /^([^|]+)\|(\S+)$/.exec(line.trim());
      const at = m ? new Date(m[2] ?? "") : undefined;
      if (!m || !at || Number.isNaN(at.getTime())) continue;
      const name = (m[1] ?? "").toLowerCase();
      const seen = earliest.get(name);
      if (seen === undefined || at < seen) earliest.set(name, at);
    }
    for (const t of windows) {
      const at = t.client.processNames.windows
        .map((n) => earliest.get(n.replace(/\.exe$/i, "").toLowerCase()))
        .find(Boolean);
      if (at) out.set(`${t.env.id}|${t.client.id}`, { name: t.client.name, startedAt: at });
    }
  }
  const posix = targets.filter((t) => t.env.local && t.env.style === "posix" && t.client.restartToApply);
  if (posix.length > 0) {
    const procs = await procStartTimes(sysPath(machine.host, "/proc"));
    for (const t of posix) {
      const at = t.client.processNames.posix.map((n) => procs.get(n)).find(Boolean);
      if (at) out.set(`${t.env.id}|${t.client.id}`, { name: t.client.name, startedAt: at });
    }
  }
  return out;
}

/** Earliest start time of each process name, from /proc/<pid>/stat and /proc/stat's btime. */
async function procStartTimes(proc: string): Promise<Map<string, Date>> {
  const out = new Map<string, Date>();
  let btime: number;
  let pids: string[];
  try {
    btime = Number(/^btime (\d+)$/m.exec(await readFile(`${proc}/stat`, "utf8"))?.[1]);
    pids = (await readdir(proc)).filter((n) => /^\d+$/.test(n));
  } catch {
    return out;
  }
  if (!Number.isFinite(btime)) return out;
  await Promise.all(
    pids.map(async (pid) => {
      try {
        const text = await readFile(`${proc}/${pid}/stat`, "utf8");
        const close = text.lastIndexOf(")");
        const name = text.slice(text.indexOf("(") + 1, close);
        const ticks = Number(text.slice(close + 2).split(" ")[19]);
        const at = new Date((btime + ticks / 100) * 1000);
        const seen = out.get(name);
        if (seen === undefined || at < seen) out.set(name, at);
      } catch {
        // gone
      }
    }),
  );
  return out;
}
