/**
 * Path translation across the Windows/WSL line, done in pure code (what `wslpath` does) so it
 * never costs a process. `mountRoot` is WSL's automount root, `/mnt/` unless /etc/wsl.conf says
 * otherwise.
 */

import { dict, own } from "../plain-records.js";
import { splitAbsolute } from "./launch-paths.js";
import type { EnvKind } from "./types.js";

const DRIVE = /^([A-Za-z]):(?:[\\/](.*))?$/;
const WSL_UNC = /^\\\\wsl(?:\.localhost|\$)\\([^\\]+)(\\.*)?$/i;

/** `C:\Users\a` → `/mnt/c/Users/a`; `\\wsl.localhost\<distro>\home` → `/home` for our own distro. */
export function windowsToWsl(p: string, mountRoot: string, distro?: string): string | undefined {
  const drive = DRIVE.exec(p);
  if (drive) {
    const rest = (drive[2] ?? "").replace(/\\/g, "/").replace(/\/+$/, "");
    return `${withSlash(mountRoot)}${(drive[1] ?? "").toLowerCase()}${rest ? `/${rest}` : ""}`;
  }
  const unc = WSL_UNC.exec(p);
  if (unc && distro && unc[1]?.toLowerCase() === distro.toLowerCase()) {
    return (unc[2] ?? "\\").replace(/\\/g, "/");
  }
  return undefined;
}

/** Typed as Windows writes a path (`C:\…`, `\\wsl.localhost\…`): inside WSL, one to translate. */
export function looksWindowsTyped(p: string): boolean {
  return DRIVE.test(p) || WSL_UNC.test(p);
}

/** `/mnt/c/Users/a` → `C:\Users\a`; any other Linux path → `\\wsl.localhost\<distro>\...`. */
export function wslToWindows(p: string, mountRoot: string, distro: string): string {
  const root = withSlash(mountRoot);
  if (p.startsWith(root)) {
    const m = /^([a-z])(?:\/(.*))?$/i.exec(p.slice(root.length));
    if (m) return `${(m[1] ?? "").toUpperCase()}:\\${(m[2] ?? "").replace(/\//g, "\\")}`;
  }
  return `\\\\wsl.localhost\\${distro}${p.replace(/\//g, "\\")}`;
}

/**
 * A path as the user's system shows it: a file on a Windows drive as Windows writes it
 * (`/mnt/c/Users/a/x.json` → `C:\Users\a\x.json`), any other path unchanged.
 */
function windowsStylePath(p: string, mountRoot: string): string {
  return isOnWindowsDrive(p, mountRoot) ? wslToWindows(p, mountRoot, "") : p;
}

/** How this machine shows a path: inside WSL, a file on a Windows drive as Windows does. */
export function pathShown(local: { kind: string; mountRoot: string }): (file: string) => string {
  return (file) => (local.kind === "wsl" ? windowsStylePath(file, local.mountRoot) : file);
}

/** Is this Linux path on a Windows drive (DrvFs)? */
export function isOnWindowsDrive(p: string, mountRoot: string): boolean {
  const root = withSlash(mountRoot);
  return p.startsWith(root) && /^[a-z](\/|$)/i.test(p.slice(root.length));
}

function withSlash(p: string): string {
  return p.endsWith("/") ? p : `${p}/`;
}

/**
 * The INI dialect of /etc/wsl.conf and %USERPROFILE%\.wslconfig: `[section]` headers, `key = value`
 * lines, `#`/`;` comments. Section and key names are lower-cased (WSL reads them so); values keep
 * their case, with surrounding quotes removed.
 */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out = dict<Record<string, string>>();
  let section = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, "").trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = (header[1] ?? "").trim().toLowerCase();
      continue;
    }
    const kv = /^([^=]+)=(.*)$/.exec(line);
    if (!kv) continue;
    const values = own(out, section) ?? dict();
    out[section] = values;
    values[(kv[1] ?? "").trim().toLowerCase()] = (kv[2] ?? "").trim().replace(/^["']|["']$/g, "");
  }
  return out;
}

/** Read `[automount] root` from the text of /etc/wsl.conf (default `/mnt/`). */
export function automountRootFromConf(conf: string | undefined): string {
  const root = conf ? parseIni(conf).automount?.root : undefined;
  return root ? withSlash(root) : "/mnt/";
}

/** Quote one argument for a POSIX shell (a command the user types in Linux, WSL or macOS). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./@%+=:,~-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

/** Quote one argument for a `cmd.exe /d /s /c "..."` command line. */
export function cmdQuote(arg: string): string {
  if (arg.length > 0 && !/[\s"&|<>^%()!,;=]/.test(arg)) return arg;
  // Inside quotes cmd still expands %VAR%; doubling quotes is how cmd escapes them.
  return `"${arg.replace(/"/g, '""')}"`;
}

export interface EnvInfo {
  id: string;
  kind: EnvKind;
  distro?: string;
  mountRoot?: string;
}

/** Absolute paths in args, rewritten for another environment of the same machine; undefined when one cannot be. */
export function translateArgs(args: readonly string[], from: EnvInfo, to: EnvInfo): string[] | undefined {
  const out: string[] = [];
  for (const arg of args) {
    const split = splitAbsolute(arg);
    if (!split) {
      out.push(arg);
      continue;
    }
    if (to.kind === "wsl" && split.style === "windows") {
      const p = windowsToWsl(arg, to.mountRoot ?? "/mnt/", to.distro);
      if (p === undefined) return undefined;
      out.push(p);
    } else if (to.kind === "windows" && split.style === "posix") {
      if (from.kind !== "wsl" || !from.distro) return undefined;
      out.push(wslToWindows(arg, from.mountRoot ?? "/mnt/", from.distro));
    } else out.push(arg);
  }
  return out;
}
