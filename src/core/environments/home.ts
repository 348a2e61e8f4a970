/**
 * One home per machine: where a Windows host exists it is %APPDATA%\mcp-twin, so PowerShell and every
 * WSL distro share one manifest, secrets file and state; else $XDG_CONFIG_HOME/mcp-twin.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../errors.js";
import type { CacheFiles } from "../system/caches.js";
import { type Host, localHomedir } from "../system/host.js";
import type { LocalInfo } from "./local.js";
import { windowsToWsl } from "./path-translation.js";
import { keepWindowsVars, readWindowsVars, type WindowsInterop } from "./windows.js";

export interface HomeInfo {
  /** The home folder, as this process opens it. */
  dir: string;
  source: "MCP_TWIN_HOME" | "windows" | "xdg";
  /** Windows variables, when known (read fresh or from the locator). */
  windowsVars?: Record<string, string>;
  /** True when the Windows variables were just read through interop (not from the locator). */
  windowsVarsFresh?: boolean;
}

const LOCATOR_VERSION = 1;

function locatorFile(host: Host): string {
  const cache = host.env.XDG_CACHE_HOME || path.join(localHomedir(host), ".cache");
  return path.join(cache, "mcp-twin", "windows.json");
}

async function isDir(p: string | undefined): Promise<boolean> {
  if (!p) return false;
  try {
    return statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

/**
 * MCP_TWIN_HOME overrides both. Inside WSL, finding %APPDATA% needs Windows: the answer is
 * remembered in a small locator file in the Linux cache folder, so later runs start no Windows
 * process just to find the home.
 */
export async function resolveHome(
  host: Host,
  local: LocalInfo,
  windows: WindowsInterop | undefined,
  caches: CacheFiles,
): Promise<HomeInfo> {
  const override = host.env.MCP_TWIN_HOME;
  if (local.kind === "windows") {
    const vars = keepWindowsVars(host.env);
    if (override) return { dir: override, source: "MCP_TWIN_HOME", windowsVars: vars };
    if (!vars.APPDATA)
      throw new UsageError("no-appdata", "APPDATA is not set, so mcp-twin cannot find its home.", {
        hint: "Set MCP_TWIN_HOME to a folder.",
      });
    return {
      dir: windows?.access(`${vars.APPDATA}\\mcp-twin`) ?? `${vars.APPDATA}\\mcp-twin`,
      source: "windows",
      windowsVars: vars,
    };
  }
  if (local.kind !== "wsl") {
    if (override) return { dir: override, source: "MCP_TWIN_HOME" };
    const config = host.env.XDG_CONFIG_HOME || path.join(localHomedir(host), ".config");
    return { dir: path.join(config, "mcp-twin"), source: "xdg" };
  }

  const vars = await windowsVarsFromWsl(host, local, windows, caches);
  const base = vars ? { windowsVars: vars.vars, windowsVarsFresh: vars.fresh } : {};
  if (override) return { dir: override, source: "MCP_TWIN_HOME", ...base };
  const appdata = vars?.vars.APPDATA ? windowsToWsl(vars.vars.APPDATA, local.mountRoot) : undefined;
  if (!appdata) {
    throw new UsageError(
      "no-windows-home",
      `Cannot find the Windows %APPDATA% folder from WSL: ${local.interopReason ?? "interop gave no answer"}.`,
      {
        hint: "Enable WSL interop, or set MCP_TWIN_HOME to the shared folder (e.g. /mnt/c/Users/<you>/AppData/Roaming/mcp-twin).",
      },
    );
  }
  return { dir: path.posix.join(appdata, "mcp-twin"), source: "windows", ...base };
}

/**
 * The Windows variables seen from WSL: from the locator when it still points at a real folder,
 * else through one `cmd.exe /c set`, else (interop off) from the only user profile on C:.
 */
async function windowsVarsFromWsl(
  host: Host,
  local: LocalInfo,
  windows: WindowsInterop | undefined,
  caches: CacheFiles,
): Promise<{ vars: Record<string, string>; fresh: boolean } | undefined> {
  const file = locatorFile(host);
  try {
    const saved = JSON.parse(caches.read(file) ?? "") as {
      version?: number;
      vars?: Record<string, string>;
    };
    if (
      saved.version === LOCATOR_VERSION &&
      saved.vars?.APPDATA &&
      (await isDir(windowsToWsl(saved.vars.APPDATA, local.mountRoot)))
    ) {
      return { vars: saved.vars, fresh: false };
    }
  } catch {
    // no locator yet
  }
  if (local.interop && windows) {
    try {
      const vars = await readWindowsVars(windows);
      await caches.write(file, `${JSON.stringify({ version: LOCATOR_VERSION, vars }, null, 2)}\n`);
      return { vars, fresh: true };
    } catch {
      // fall through to the profile scan
    }
  }
  const guessed = await guessProfileFromDrive(local.mountRoot);
  return guessed ? { vars: guessed, fresh: false } : undefined;
}

/** Interop off: if C:\Users holds exactly one real profile, that is the user's. */
async function guessProfileFromDrive(mountRoot: string): Promise<Record<string, string> | undefined> {
  const users = `${mountRoot}c/Users`;
  let names: string[];
  try {
    names = readdirSync(users);
  } catch {
    return undefined;
  }
  const skip = new Set([
    "public",
    "default",
    "default user",
    "all users",
    "defaultapppool",
    "wdagutilityaccount",
  ]);
  const profiles: string[] = [];
  for (const name of names) {
    if (skip.has(name.toLowerCase()) || name.startsWith(".")) continue;
    if (await isDir(`${users}/${name}/AppData/Roaming`)) profiles.push(name);
  }
  const [only] = profiles;
  if (only === undefined || profiles.length !== 1) return undefined;
  const profile = `C:\\Users\\${only}`;
  return {
    USERPROFILE: profile,
    USERNAME: only,
    APPDATA: `${profile}\\AppData\\Roaming`,
    LOCALAPPDATA: `${profile}\\AppData\\Local`,
  };
}

/** The folder of each kind of file in the home. */
export function homePaths(home: string) {
  return {
    manifest: path.join(home, "mcp-twin.jsonc"),
    secrets: path.join(home, "secrets.json"),
    state: path.join(home, "state.json"),
    /** The gateway's port, chosen free on its first start (bridge-control/port-record.ts). */
    bridge: path.join(home, "bridge.json"),
    lock: path.join(home, "sync.lock"),
    backups: path.join(home, "backups"),
    cache: path.join(home, "cache"),
    /** Each server's tools as the person approved them (core/pins). */
    pins: path.join(home, "pins.json"),
    /** Logins to OAuth servers: one file per server, and the lock each server's refresh takes. */
    oauth: path.join(home, "oauth"),
  };
}
