/**
 * The machine as one command sees it: where we run, how Windows is reached (if it exists), and
 * the shared home. Opening it costs no process once the WSL locator is cached.
 */

import { type CacheFiles, cacheFiles } from "../system/caches.js";
import type { Host } from "../system/host.js";
import { type HomeInfo, homePaths, resolveHome } from "./home.js";
import { detectLocal, type LocalInfo } from "./local.js";
import { pathShown } from "./path-translation.js";
import { type WindowsInterop, windowsInteropFromWsl, windowsInteropLocal } from "./windows.js";

export interface Machine {
  host: Host;
  local: LocalInfo;
  /** How to reach Windows: set on Windows and inside WSL (file access even with interop off). */
  windows?: WindowsInterop;
  home: HomeInfo;
  paths: ReturnType<typeof homePaths>;
  /** Every cache file is read and written through this (held in memory by `init` until agreed). */
  caches: CacheFiles;
  /**
   * A path of this process as the user's system shows it: inside WSL, a file on a Windows drive
   * as Windows writes it (`C:\Users\…`), any other path as it is. Every message that names a
   * file names it so (one style per side).
   */
  shown: (file: string) => string;
}

export async function openMachine(host: Host, options: { holdCaches?: boolean } = {}): Promise<Machine> {
  const caches = cacheFiles({ hold: options.holdCaches === true });
  const local = await detectLocal(host);
  const windows =
    local.kind === "windows"
      ? windowsInteropLocal(host)
      : local.kind === "wsl"
        ? windowsInteropFromWsl(host, local)
        : undefined;
  const home = await resolveHome(host, local, windows, caches);
  return {
    host,
    local,
    ...(windows ? { windows } : {}),
    home,
    paths: homePaths(home.dir),
    caches,
    shown: pathShown(local),
  };
}
