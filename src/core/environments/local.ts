/**
 * Where is mcp-twin running? Windows, WSL 1/2 (which distro, is interop on), macOS or Linux.
 * Reads only the environment table and a few files under /proc and /etc: no process.
 */
import { readFileSync } from "node:fs";
import { getEnv, type Host, sysPath } from "../system/host.js";
import { automountRootFromConf } from "./path-translation.js";
import type { EnvKind } from "./types.js";
import { findOnPath } from "./which.js";

export interface LocalInfo {
  kind: EnvKind;
  /** Our own environment id (`wsl:Ubuntu`, `windows`, `linux`, `macos`). */
  id: string;
  distro?: string;
  wslVersion?: 1 | 2;
  /** WSL automount root (`/mnt/`). */
  mountRoot: string;
  /** Inside WSL: can we start Windows programs? */
  interop: boolean;
  interopReason?: string;
  /** Inside WSL: the cmd.exe we would run (a Linux path). */
  cmdExe?: string;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

export async function detectLocal(host: Host): Promise<LocalInfo> {
  if (host.platform === "win32") return { kind: "windows", id: "windows", mountRoot: "/mnt/", interop: true };
  if (host.platform === "darwin") return { kind: "macos", id: "macos", mountRoot: "/mnt/", interop: false };

  const osrelease = (await readText(sysPath(host, "/proc/sys/kernel/osrelease"))) ?? "";
  const version = (await readText(sysPath(host, "/proc/version"))) ?? "";
  const marker = `${osrelease}\n${version}`;
  if (!/microsoft/i.test(marker)) return { kind: "linux", id: "linux", mountRoot: "/mnt/", interop: false };

  const wslVersion: 1 | 2 = /WSL2|microsoft-standard/i.test(marker) ? 2 : 1;
  const distro = host.env.WSL_DISTRO_NAME || "WSL";
  const mountRoot = automountRootFromConf(await readText(sysPath(host, "/etc/wsl.conf")));
  const base: LocalInfo = { kind: "wsl", id: `wsl:${distro}`, distro, wslVersion, mountRoot, interop: false };

  const binfmt = await readText(sysPath(host, "/proc/sys/fs/binfmt_misc/WSLInterop"));
  if (binfmt !== undefined && /^disabled/m.test(binfmt)) {
    return {
      ...base,
      interopReason:
        "WSL interop is disabled ([interop] enabled=false in /etc/wsl.conf, or switched off for this session)",
    };
  }
  if (wslVersion === 2 && !host.env.WSL_INTEROP) {
    return {
      ...base,
      interopReason:
        "WSL_INTEROP is not set (run from a normal WSL shell, not through sudo or a systemd service)",
    };
  }
  const cmdExe =
    (await findOnPath("cmd.exe", getEnv(host.env, "PATH") ?? "", { posix: true })) ??
    (await findOnPath("cmd.exe", `${mountRoot}c/Windows/System32`, { posix: true }));
  if (!cmdExe) {
    return { ...base, interopReason: "cmd.exe was not found on PATH or under the C: drive mount" };
  }
  return { ...base, interop: true, cmdExe };
}
