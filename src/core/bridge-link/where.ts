/**
 * Where this home's bridge is and what it left there: its state folder (in the environment where it
 * runs, under the XDG data folder, `MCP_TWIN_BRIDGE_HOME` overriding), its token, serve.json, addresses.json.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { type Environment, type EnvKind, joinNative } from "../environments/types.js";
import { OperationError } from "../errors.js";
import { own } from "../own-keys.js";
import {
  createPrivateFileOnce,
  lockHolder,
  readTextOrNull,
  removePath,
  writePrivateFile,
} from "../system/files.js";
import { getEnv, type Host, localHomedir } from "../system/host.js";
import { isAlive } from "../system/process-alive.js";

export { isAlive };

/** The port the bridge listens on unless told otherwise (the manifest's `bridge.port` default). */
export const DEFAULT_BRIDGE_PORT = 7760;
/** The endpoint path of the bridge's own tools. */
export const BRIDGE_PATH = "/mcp";
/** Shared servers are exposed at `/share/<name>`. */
export const SHARE_PREFIX = "/share/";
/** Tools on demand (the manifest's `toolSearch`): its endpoint, whose client tokens name `tools`. */
export const TOOLS_PATH = "/tools";
/** A client token's scope at this path: `/share/<name>`'s server ("" unreadable), `/tools`'s `tools`. */
export function tokenScope(pathname: string): string | undefined {
  if (pathname === TOOLS_PATH) return "tools";
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
export function bridgeHomeIn(
  kind: EnvKind,
  vars: Readonly<Record<string, string | undefined>>,
  home: string,
): string {
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
    /** Written by the running HTTP instance: pid, port, url. */
    instance: path.join(dir, "serve.json"),
    /**
     * The keeper that holds the bridge's listening socket and restarts it (supervisor.ts): pid,
     * host, port; written by the start that made it.
     */
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

/**
 * The bearer token: 32 random bytes, base64url, in `<state>/token` (0600), created on first start,
 * replaced by `serve --rotate-token`; the bridge checks it with `TokenGuard` (bridge-server/token-guard.ts).
 */
function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export async function readToken(file: string): Promise<string | null> {
  return (await readTextOrNull(file))?.trim() || null;
}

/** The token as its file holds it now, read at once (a proven agent reads it at each connection). */
export function tokenNow(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim() || null;
  } catch {
    // No token file (or not readable): nothing to prove a connection with.
    return null;
  }
}

/** The token file as doctor judges it: its text and mode (undefined: there is none to read). */
export async function tokenFile(file: string): Promise<{ text: string; mode: number } | undefined> {
  try {
    return { text: (await readFile(file, "utf8")).trim(), mode: (await stat(file)).mode };
  } catch {
    // Missing or unreadable: doctor says the token is missing.
    return undefined;
  }
}

/**
 * The token, created when missing. Creation is exclusive (temp file + hard link), so two
 * processes starting at once agree on one token.
 */
export async function ensureToken(file: string): Promise<{ token: string; created: boolean }> {
  const existing = await readToken(file);
  if (existing) return { token: existing, created: false };
  const token = newToken();
  if (await createPrivateFileOnce(file, `${token}\n`)) return { token, created: true };
  const other = await readToken(file);
  if (!other) throw new OperationError("bridge-token", `The bridge token ${file} is empty.`);
  return { token: other, created: false };
}

export async function rotateToken(file: string): Promise<string> {
  const token = newToken();
  await writePrivateFile(file, `${token}\n`);
  return token;
}

/**
 * The one running bridge describes itself in serve.json (pid, host, port, url, version, start time)
 * while it holds the state folder's lock, and every address it listened on in addresses.json; only
 * the bridge writes serve.json.
 */
export interface InstanceInfo {
  pid: number;
  host: string;
  port: number;
  url: string;
  version: string;
  startedAt: string;
  /** The keeper it runs under (supervisor.ts), its parent: the one `bridge stop` ends with it. */
  keeper?: number;
}

/** JSON text as data, undefined where it does not parse (a file edited by anyone is only data). */
function jsonOf(text: string | null): unknown {
  try {
    return JSON.parse(text ?? "");
  } catch {
    // Not JSON (or no file): nothing it says counts.
    return undefined;
  }
}

/** A pid, host and port record (serve.json, keeper.json), checked field by field; null if it is not one. */
function processRecord(text: string | null) {
  const raw = jsonOf(text);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  const [pid, host, port, field] = [own(r, "pid"), own(r, "host"), own(r, "port"), (k: string) => own(r, k)];
  if (typeof pid !== "number" || !Number.isInteger(pid) || pid <= 0 || typeof host !== "string") return null;
  if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65535) return null;
  return { pid, host, port, field };
}

/** serve.json, checked field by field. */
export function parseInstance(text: string): InstanceInfo | null {
  const record = processRecord(text);
  const [url, version, startedAt, keeper] = ["url", "version", "startedAt", "keeper"].map((k) =>
    record?.field(k),
  );
  if (!record || typeof url !== "string") return null;
  return {
    pid: record.pid,
    host: record.host,
    port: record.port,
    url,
    version: typeof version === "string" ? version : "?",
    startedAt: typeof startedAt === "string" ? startedAt : "",
    ...(typeof keeper === "number" && Number.isInteger(keeper) && keeper > 0 ? { keeper } : {}),
  };
}

/** serve.json as it is, live or not (null: none, or not one). */
export async function readInstance(files: Pick<BridgeFiles, "instance">): Promise<InstanceInfo | null> {
  const text = await readTextOrNull(files.instance);
  return text ? parseInstance(text) : null;
}

export async function writeInstance(files: BridgeFiles, info: InstanceInfo): Promise<void> {
  await writePrivateFile(files.instance, `${JSON.stringify(info, null, 2)}\n`);
  await rememberAddress(files, info);
}

/** How many of the bridge's addresses are remembered (the newest). */
const ADDRESSES_KEPT = 32;

const unbracket = (host: string) => host.replace(/^\[|\]$/g, "");

/** The addresses in addresses.json, as `host:port`. */
async function readAddresses(files: BridgeFiles): Promise<string[]> {
  const list = jsonOf(await readTextOrNull(files.addresses));
  return Array.isArray(list) ? list.filter((a): a is string => typeof a === "string") : [];
}

/** Keep `host:port` as an address this home's bridge listened on (addresses.json). */
async function rememberAddress(files: BridgeFiles, at: { host: string; port: number }): Promise<void> {
  const address = `${unbracket(at.host)}:${at.port}`;
  const known = await readAddresses(files);
  if (known.at(-1) === address) return;
  const next = [...known.filter((a) => a !== address), address].slice(-ADDRESSES_KEPT);
  await writePrivateFile(files.addresses, `${JSON.stringify(next)}\n`);
}

/** Did this home's bridge ever listen on `host:port`? */
export async function wasAddress(files: BridgeFiles, host: string, port: number): Promise<boolean> {
  return (await readAddresses(files)).includes(`${unbracket(host)}:${port}`);
}

/** Remove serve.json if it names this process (or no live one). */
export async function removeInstance(files: BridgeFiles, pid = process.pid): Promise<void> {
  const info = await readInstance(files);
  if (!info || info.pid === pid || !isAlive(info.pid)) await removePath(files.instance);
}

/** serve.json of a live process, else null. */
export async function liveInstance(files: BridgeFiles): Promise<InstanceInfo | null> {
  const info = await readInstance(files);
  return info && isAlive(info.pid) ? info : null;
}

/** The keeper a start made (supervisor.ts): where its socket listens, and the script it runs. */
export interface KeeperInfo {
  pid: number;
  host: string;
  port: number;
  script?: string;
}

/** keeper.json, one line with the pid first (the WSL task's sh reads it with sed). */
export async function writeKeeper(files: BridgeFiles, keeper: KeeperInfo): Promise<void> {
  const { pid, host, port, script } = keeper;
  await writePrivateFile(files.keeper, `${JSON.stringify({ pid, host, port, script })}\n`);
}

/** keeper.json as written, checked field by field; null when there is none. */
export async function readKeeper(files: BridgeFiles): Promise<KeeperInfo | null> {
  const record = processRecord(await readTextOrNull(files.keeper));
  if (!record) return null;
  const { pid, host, port, field } = record;
  const script = field("script");
  return { pid, host, port, ...(typeof script === "string" ? { script } : {}) };
}

/** serve.json of the live process that holds the state lock (a stale or recycled pid is not it). */
export async function ownedInstance(files: BridgeFiles): Promise<InstanceInfo | null> {
  const info = await readInstance(files);
  if (!info || !isAlive(info.pid)) return null;
  return (await lockHolder(files.dir)) === info.pid ? info : null;
}
