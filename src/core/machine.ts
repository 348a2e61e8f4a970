/**
 * The machine as one command sees it: where we run, how Windows is reached (if it exists), and
 * the shared home. Opening it costs no process once the WSL locator is cached.
 */

import { detectLocal, type LocalInfo } from "./environments/local.js";
import { type WindowsBridge, windowsBridgeFromWsl, windowsBridgeLocal } from "./environments/windows.js";
import { type HomeInfo, homePaths, resolveHome } from "./home.js";
import type { Host } from "./host.js";

export interface Machine {
  host: Host;
  local: LocalInfo;
  /** How to reach Windows: set on Windows and inside WSL (file access even with interop off). */
  windows?: WindowsBridge;
  home: HomeInfo;
  paths: ReturnType<typeof homePaths>;
}

export async function openMachine(host: Host): Promise<Machine> {
  const local = await detectLocal(host);
  const windows =
    local.kind === "windows"
      ? windowsBridgeLocal(host)
      : local.kind === "wsl"
        ? windowsBridgeFromWsl(host, local)
        : undefined;
  const home = await resolveHome(host, local, windows);
  return { host, local, ...(windows ? { windows } : {}), home, paths: homePaths(home.dir) };
}
