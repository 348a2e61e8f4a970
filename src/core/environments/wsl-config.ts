/**
 * What %USERPROFILE%\.wslconfig says about how Windows reaches WSL: in NAT mode Windows' 127.0.0.1
 * reaches WSL unless localhostForwarding is off; mirrored networking shares one loopback.
 */
import { readFile } from "node:fs/promises";
import type { Machine } from "./machine.js";
import { parseIni } from "./path-translation.js";

export interface WslConfig {
  networkingMode?: string;
  localhostForwarding?: boolean;
}

/** From WSL: the Windows user's .wslconfig, read through the drive mount ({} when there is none). */
export async function readWslConfig(machine: Machine): Promise<WslConfig> {
  const profile = machine.home.windowsVars?.USERPROFILE;
  const file = profile ? machine.windows?.access(`${profile}\\.wslconfig`) : undefined;
  // No .wslconfig (or unreadable): WSL's defaults.
  return file ? parseWslConfig(await readFile(file, "utf8").catch(() => "")) : {};
}

/** NAT mode forwards Windows' 127.0.0.1 to WSL unless .wslconfig turns localhostForwarding off. */
export function parseWslConfig(text: string): WslConfig {
  const wsl2 = parseIni(text).wsl2 ?? {};
  return {
    ...(wsl2.networkingmode !== undefined ? { networkingMode: wsl2.networkingmode.toLowerCase() } : {}),
    ...(wsl2.localhostforwarding !== undefined
      ? { localhostForwarding: wsl2.localhostforwarding.toLowerCase() === "true" }
      : {}),
  };
}

/** A Windows program cannot reach a listener on WSL's 127.0.0.1 (NAT mode, forwarding off). */
export function forwardingOff(config: WslConfig): boolean {
  return config.localhostForwarding === false && config.networkingMode !== "mirrored";
}
