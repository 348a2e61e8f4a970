/**
 * The bridge, when the manifest enables it, at the manifest's settings (settings.ts, as every
 * other path): its token exists; what runs at its address — this home's bridge answering MCP with
 * the token (SDK client), nothing (fine: every entry starts it), or something else holding the
 * port (named, with the fix); and — seen from WSL — Windows clients can reach it through WSL's
 * localhost forwarding.
 */
import { readFile, stat } from "node:fs/promises";
import { bridgeFiles, bridgeHome } from "../../bridge/paths.js";
import { portHolder } from "../../bridge/port-holder.js";
import { probeBridge } from "../../bridge/probe.js";
import { parseIni } from "../../environments/paths.js";
import { sysPath } from "../../host.js";
import type { Machine } from "../../machine.js";
import { type Check, check } from "../types.js";

export interface BridgeOptions {
  /** The resolved settings (settings.ts). */
  host: string;
  port: number;
  url: string;
  timeoutMs: number;
}

export async function checkBridge(
  machine: Machine,
  options: BridgeOptions,
): Promise<{ checks: Check[]; secrets: string[] }> {
  const out: Check[] = [];
  const where = { env: machine.local.id };
  // The same folder the bridge itself uses (MCP_TWIN_BRIDGE_HOME, XDG data home, %LOCALAPPDATA%).
  const file = bridgeFiles(bridgeHome(machine.host)).token;
  let token: string | undefined;
  try {
    token = (await readFile(file, "utf8")).trim();
    const mode = (await stat(file)).mode;
    if (!token)
      out.push(
        check("bridge.token", "fail", where, `the bridge token ${file} is empty.`, {
          fix: "Delete it and start the bridge again (`mcp-twin bridge restart`).",
        }),
      );
    else if (machine.host.platform !== "win32" && (mode & 0o077) !== 0)
      out.push(
        check(
          "bridge.token",
          "warn",
          where,
          `the bridge token ${file} is readable by others (mode ${(mode & 0o777).toString(8)}).`,
          { fix: `Run \`chmod 600 ${file}\`.` },
        ),
      );
    else out.push(check("bridge.token", "pass", where, `bridge token ${file}.`));
  } catch {
    out.push(
      check(
        "bridge.token",
        "fail",
        where,
        `no bridge token at ${file}: the bridge has not started here yet.`,
        {
          fix: "Run `mcp-twin sync` (it creates the token), or start the bridge once: `mcp-twin bridge start`.",
        },
      ),
    );
  }
  if (token) out.push(await reach(machine, options, token, where));
  if (machine.local.kind === "wsl") out.push(await windowsReach(machine, options.port, where));
  return { checks: out, secrets: token ? [token] : [] };
}

async function reach(
  machine: Machine,
  options: BridgeOptions,
  token: string,
  where: { env: string },
): Promise<Check> {
  const started = performance.now();
  const probe = await probeBridge(options.url, token, options.timeoutMs);
  if (probe.state === "ours")
    return check(
      "bridge.reachable",
      "pass",
      where,
      `the bridge at ${options.url} answers with this home's token (mcp-twin ${probe.version}, ${Math.round(performance.now() - started)} ms).`,
    );
  // Not running is fine: every entry runs `mcp-twin connect`, which starts it on first use.
  if (probe.state === "free")
    return check(
      "bridge.reachable",
      "pass",
      where,
      `the bridge is not running at ${options.url} now; every client's entry starts it on first use.`,
    );
  const holder =
    machine.host.platform === "linux"
      ? await portHolder(options.port, sysPath(machine.host, "/proc")).catch(() => undefined)
      : undefined;
  return check(
    "bridge.reachable",
    "fail",
    where,
    `port ${options.port} is held by ${probe.what}${holder ? ` — pid ${holder.pid}: ${holder.command}` : ""}; this home's bridge cannot run there.`,
    {
      fix: `Stop that program, or give the bridge another port: "bridge": { "port": <n> } in the manifest, then \`mcp-twin sync\`.`,
    },
  );
}

/** NAT mode forwards Windows' 127.0.0.1 to WSL unless .wslconfig turns localhostForwarding off. */
export function parseWslConfig(text: string): { networkingMode?: string; localhostForwarding?: boolean } {
  const wsl2 = parseIni(text).wsl2 ?? {};
  return {
    ...(wsl2.networkingmode !== undefined ? { networkingMode: wsl2.networkingmode.toLowerCase() } : {}),
    ...(wsl2.localhostforwarding !== undefined
      ? { localhostForwarding: wsl2.localhostforwarding.toLowerCase() === "true" }
      : {}),
  };
}

async function windowsReach(machine: Machine, port: number, where: { env: string }): Promise<Check> {
  const profile = machine.home.windowsVars?.USERPROFILE;
  const file = profile ? machine.windows?.access(`${profile}\\.wslconfig`) : undefined;
  let conf: ReturnType<typeof parseWslConfig> = {};
  if (file) conf = parseWslConfig(await readFile(file, "utf8").catch(() => ""));
  if (conf.networkingMode !== "mirrored" && conf.localhostForwarding === false)
    return check(
      "bridge.windows",
      "fail",
      where,
      `%USERPROFILE%\\.wslconfig sets localhostForwarding=false: Windows clients cannot reach the bridge on 127.0.0.1:${port} in WSL.`,
      {
        fix: "Remove localhostForwarding=false (or use networkingMode=mirrored), then `wsl --shutdown`.",
      },
    );
  return check(
    "bridge.windows",
    "pass",
    where,
    `Windows clients reach 127.0.0.1:${port} in WSL (${conf.networkingMode === "mirrored" ? "mirrored networking" : "localhost forwarding"}).`,
  );
}
