/**
 * Where this home's bridge is: its state folder (in the environment where it runs, under the XDG
 * data folder, `MCP_TWIN_BRIDGE_HOME` overriding), the files in it, and the URL it answers at.
 */
import path from "node:path";
import { joinNative } from "../environments/native-paths.js";
import type { Environment, EnvKind } from "../environments/types.js";
import { getEnv, type Host, localHomedir } from "../system/host.js";

/** The port the bridge listens on unless told otherwise (the manifest's `bridge.port` default). */
export const DEFAULT_BRIDGE_PORT = 7760;
/** The endpoint path of the bridge's own tools. */
export const BRIDGE_PATH = "/mcp";
/** Shared servers are exposed at `/share/<name>`. */
export const SHARE_PREFIX = "/share/";
/** Tools on demand (the manifest's `toolSearch`): its endpoint, whose client tokens name it. */
export const TOOLS_PATH = "/tools";
/** A client token's scope at this path: `/share/<name>`'s server ("" unreadable), `/tools` itself. */
export function tokenScope(pathname: string): string | undefined {
  if (pathname === TOOLS_PATH) return TOOLS_PATH;
  if (!pathname.startsWith(SHARE_PREFIX)) return undefined;
  try {
    return decodeURIComponent(pathname.slice(SHARE_PREFIX.length));
  } catch {
    return ""; // Not UTF-8 percent-encoding: no shared server has that name.
  }
}

/**
 * `${MCP_TWIN_BRIDGE_HOME}`, else `${XDG_DATA_HOME:-~/.local/share}/mcp-twin/bridge`
 * (on Windows `%LOCALAPPDATA%\mcp-twin\bridge`).
 */
export function bridgeHome(host: Pick<Host, "env" | "platform">): string {
  const override = host.env.MCP_TWIN_BRIDGE_HOME;
  if (override) return override;
  // LOCALAPPDATA is read on Windows only.
  const vars = { LOCALAPPDATA: getEnv(host.env, "LOCALAPPDATA"), XDG_DATA_HOME: host.env.XDG_DATA_HOME };
  return bridgeHomeIn(host.platform === "win32" ? "windows" : "linux", vars, localHomedir(host as Host));
}

/**
 * The same folder in an environment described by its facts, in its own path syntax: where sync
 * looks for the token of a bridge that lives on the other side.
 */
export function bridgeHomeIn(kind: EnvKind, vars: Host["env"], home: string): string {
  if (kind === "windows" && vars.LOCALAPPDATA)
    return joinNative(kind, vars.LOCALAPPDATA, "mcp-twin", "bridge");
  const data = vars.XDG_DATA_HOME || joinNative(kind, home, ".local", "share");
  return joinNative(kind, data, "mcp-twin", "bridge");
}

/**
 * Another environment's bridge state folder as this process reaches it through the file system
 * (sync or uninstall run on Windows, the bridge in WSL); undefined where it cannot.
 */
export function bridgeFilesThere(
  env: Pick<Environment, "kind" | "vars" | "home" | "access">,
): BridgeFiles | undefined {
  const dir = env.access(bridgeHomeIn(env.kind, env.vars, env.home));
  return dir ? bridgeFiles(dir) : undefined;
}

/** The bridge touches serve.json every 30 s (one utimes: nothing to an idle bridge); a test beats faster. */
export const beatMs = (env: Host["env"]) => Math.max(50, Number(env.MCP_TWIN_BRIDGE_BEAT_MS) || 30_000);

/** serve.log past this is moved to serve.log.1: when a bridge starts, and while it runs (serve-log.ts). */
export const SERVE_LOG_BYTES = 5 * 1024 * 1024;

/** The files of one bridge state folder. */
export function bridgeFiles(dir: string) {
  return {
    dir,
    token: path.join(dir, "token"),
    /** The key session ids are sealed with (0600, made once): a restart opens them again. */
    sessionKey: path.join(dir, "session-key"),
    /** The session ids clients ended (digests, with their expiry): they stay ended across restarts. */
    sessionsEnded: path.join(dir, "sessions-ended"),
    memory: path.join(dir, "memory.json"),
    handoff: path.join(dir, "handoff.json"),
    notes: path.join(dir, "notes"),
    plugins: path.join(dir, "plugins"),
    /** What each shared server said at its last start (its lists, its protocol era). */
    shareCache: path.join(dir, "shares-cache.json"),
    /** Written by a bridge that stopped with sessions open: the next one prepares for them at start. */
    sessionsOpen: path.join(dir, "sessions-open"),
    /** Written by the running HTTP instance (pid, port, url); its time is its heartbeat (beatMs). */
    instance: path.join(dir, "serve.json"),
    current: path.join(dir, "current.json"), // the sync fingerprint it runs (sync/gateway-current.ts)
    /** The keeper holding the bridge's socket and restarting it (supervisor.ts): pid, host, port. */
    keeper: path.join(dir, "keeper.json"),
    /** Every address the bridge listened on (a relay from an older entry is told by it). */
    addresses: path.join(dir, "addresses.json"),
    /** The bridge's own log (its stderr when started in the background), kept under SERVE_LOG_BYTES. */
    log: path.join(dir, "serve.log"),
    /**
     * Written by `bridge stop` before it ends the bridge: a loop that restarts it (the keeper, the
     * Windows task's loop) ends when it finds it, whatever state it is in; a start removes it.
     */
    stopRequested: path.join(dir, "stop-requested"),
    /** Each shared server's own log (shareLogFile): its processes' stderr, bounded. */
    logs: path.join(dir, "logs"),
  };
}

export type BridgeFiles = ReturnType<typeof bridgeFiles>;

/** A shared server's own log in the state folder (`logs/<name>.log`, the one before it `.1`). */
export function shareLogFile(files: Pick<BridgeFiles, "logs">, name: string): string {
  return path.join(files.logs, `${encodeURIComponent(name)}.log`);
}

/** `http://127.0.0.1:7760/mcp` (IPv6 literals in brackets). */
export function bridgeUrl(host: string, port: number, pathname = BRIDGE_PATH): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `http://${h}:${port}${pathname}`;
}

/** The bridge's MCP server name (serverInfo.name). */
export const BRIDGE_SERVER_NAME = "mcp-twin-bridge";
