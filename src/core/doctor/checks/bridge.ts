/**
 * The bridge (`mcp-twin serve`), when the manifest enables it: its token exists, it answers an MCP
 * `initialize` with the token on http://127.0.0.1:<port>/mcp (SDK Streamable HTTP client), and —
 * seen from WSL — Windows clients can reach it through WSL's localhost forwarding.
 */
import { readFile, stat } from "node:fs/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { bridgeFiles, bridgeHome } from "../../../bridge/paths.js";
import { VERSION } from "../../../version.js";
import { parseIni } from "../../environments/paths.js";
import type { Machine } from "../../machine.js";
import { type Check, check } from "../types.js";

export interface BridgeOptions {
  port: number;
  timeoutMs: number;
  /** Host to connect to (tests); default 127.0.0.1. */
  host?: string;
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
          fix: "Delete it and start the bridge again (`mcp-twin serve --http`).",
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
          fix: "Start it once with `mcp-twin serve --http` (clients that use it start it themselves).",
        },
      ),
    );
  }
  const url = `http://${options.host ?? "127.0.0.1"}:${options.port}/mcp`;
  if (token) out.push(await reach(url, token, options.timeoutMs, where));
  if (machine.local.kind === "wsl") out.push(await windowsReach(machine, options.port, where));
  return { checks: out, secrets: token ? [token] : [] };
}

async function reach(url: string, token: string, timeoutMs: number, where: { env: string }): Promise<Check> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: "mcp-twin-doctor", version: VERSION });
  const started = performance.now();
  try {
    await client.connect(transport, { timeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
    const name = client.getServerVersion()?.name ?? "an MCP server";
    return check(
      "bridge.reachable",
      "pass",
      where,
      `the bridge at ${url} answers (${name}, ${Math.round(performance.now() - started)} ms).`,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const refused =
      /ECONNREFUSED|fetch failed/i.test(message) ||
      /ECONNREFUSED/.test(String((error as { cause?: unknown }).cause));
    const denied = /\b401\b|\b403\b|unauthori[sz]ed|forbidden/i.test(message);
    // Not running is normal after a restart: relays (connect) start it on first use. Only the
    // URL entries (Claude Code where the bridge lives) wait for it, so it is a warning.
    return check(
      "bridge.reachable",
      refused ? "warn" : "fail",
      where,
      refused
        ? `nothing answers at ${url}: the bridge is not running (Windows clients start it through connect; URL entries such as Claude Code's wait for it).`
        : denied
          ? `the bridge at ${url} refuses the token (${message}).`
          : `the bridge at ${url} did not complete initialize: ${message}.`,
      {
        fix: refused
          ? "Start it with `mcp-twin serve --http &`, or open a client whose entry runs `mcp-twin connect`."
          : denied
            ? "The token changed: restart the bridge, then `mcp-twin sync` so clients get the new one."
            : "Restart the bridge (`mcp-twin serve --http`) and check its log.",
      },
    );
  } finally {
    await client.close().catch(() => {});
  }
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
