/**
 * The bridge's facts, when the manifest enables it, at the manifest's settings (as every other path):
 * its token, what runs at its address, and, from WSL, what .wslconfig says. All I/O; the bridge.*
 * checks judge.
 */
import { freePortNear, heldPortSentence } from "../../bridge-control/port-choice.js";
import { type BridgeFiles, bridgeFiles, bridgeHome, reach, tokenFile } from "../../bridge-link/index.js";
import type { Machine } from "../../environments/machine.js";
import { readWslConfig, type WslConfig } from "../../environments/wsl-config.js";
import { sysPath } from "../../system/host.js";

export interface BridgeOptions {
  /** The resolved settings (resolveBridgeSettings). */
  host: string;
  port: number;
  /** `bridge.port` in the manifest: the fix for a held port is a manifest edit, not a sync. */
  pinned: boolean;
  url: string;
  timeoutMs: number;
}

export interface BridgeFacts {
  where: { env: string };
  port: number;
  url: string;
  /** The token file (the same folder the bridge itself uses). */
  file: string;
  token:
    | { state: "missing" }
    | { state: "empty" }
    | { state: "present"; value: string; mode: number; modesMatter: boolean };
  /** What runs at the bridge's address (asked when there is a token). */
  reach?:
    | { state: "ours"; version: string; ms: number }
    | { state: "free" }
    /** fix: a sentence (a sync moves the gateway; a pinned port, a manifest edit). */
    | { state: "other"; what: string; holder?: { pid: number; command: string }; fix: string };
  /** From WSL: what %USERPROFILE%\.wslconfig says. */
  wslConfig?: WslConfig;
}

/**
 * What runs at its address: this home's bridge answering MCP with the token, nothing, or
 * something else holding the port (named from its answer and, on Linux/WSL, by pid from /proc).
 */
export async function gatherBridge(machine: Machine, options: BridgeOptions): Promise<BridgeFacts> {
  // The same folder the bridge itself uses (MCP_TWIN_BRIDGE_HOME, XDG data home, %LOCALAPPDATA%).
  const files = bridgeFiles(bridgeHome(machine.host));
  const read = await tokenFile(files.token);
  const token: BridgeFacts["token"] = !read
    ? { state: "missing" }
    : read.text
      ? {
          state: "present",
          value: read.text,
          mode: read.mode,
          modesMatter: machine.host.platform !== "win32",
        }
      : { state: "empty" };
  return {
    where: { env: machine.local.id },
    port: options.port,
    url: options.url,
    file: files.token,
    token,
    ...(token.state === "present" ? { reach: await reachAt(machine, options, files) } : {}),
    ...(machine.local.kind === "wsl" ? { wslConfig: await readWslConfig(machine) } : {}),
  };
}

async function reachAt(
  machine: Machine,
  options: BridgeOptions,
  files: BridgeFiles,
): Promise<BridgeFacts["reach"]> {
  const started = performance.now();
  const proc = machine.host.platform === "linux" ? sysPath(machine.host, "/proc") : undefined;
  const probe = await reach(files, options.url, { timeoutMs: options.timeoutMs, proc });
  if (probe.state === "ours")
    return { state: "ours", version: probe.version, ms: Math.round(performance.now() - started) };
  if (probe.state === "free") return probe;
  const u = new URL(options.url);
  const free = await freePortNear(u.hostname.replace(/^\[|\]$/g, ""), options.port);
  return {
    ...probe,
    fix: heldPortSentence(options.pinned, machine.shown(machine.paths.manifest), free),
  };
}
