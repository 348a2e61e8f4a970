/**
 * The one running bridge describes itself in `<state>/serve.json` (pid, host, port, url, version,
 * start time) while it holds the state folder's lock, and every address it listened on in
 * `addresses.json`. Everything that manages or reaches it reads them; only the bridge writes serve.json.
 */

import { own } from "../own-keys.js";
import { lockHolder, readTextOrNull, removePath, writePrivateFile } from "../system/files.js";
import type { BridgeFiles } from "./state-folder.js";

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

/** serve.json, checked field by field (a file edited by hand, or by anyone, is only data). */
export function parseInstance(text: string): InstanceInfo | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  const field = (k: string) => own(r, k);
  const pid = field("pid");
  const port = field("port");
  const host = field("host");
  const url = field("url");
  if (!Number.isInteger(pid) || (pid as number) <= 0) return null;
  if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535) return null;
  if (typeof host !== "string" || typeof url !== "string") return null;
  const version = field("version");
  const startedAt = field("startedAt");
  const keeper = field("keeper");
  return {
    pid: pid as number,
    host,
    port: port as number,
    url,
    version: typeof version === "string" ? version : "?",
    startedAt: typeof startedAt === "string" ? startedAt : "",
    ...(Number.isInteger(keeper) && (keeper as number) > 0 ? { keeper: keeper as number } : {}),
  };
}

async function readInstance(files: BridgeFiles): Promise<InstanceInfo | null> {
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

/** The addresses in addresses.json, as `host:port` (a file edited by anyone is only data). */
async function readAddresses(files: BridgeFiles): Promise<string[]> {
  try {
    const list = JSON.parse((await readTextOrNull(files.addresses)) ?? "[]") as unknown;
    return Array.isArray(list) ? list.filter((a): a is string => typeof a === "string") : [];
  } catch {
    return [];
  }
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

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
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
  let raw: unknown;
  try {
    raw = JSON.parse((await readTextOrNull(files.keeper)) ?? "");
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return null;
  const pid = own(raw as Record<string, unknown>, "pid");
  const host = own(raw as Record<string, unknown>, "host");
  const port = own(raw as Record<string, unknown>, "port");
  if (!Number.isInteger(pid) || (pid as number) <= 0 || typeof host !== "string") return null;
  if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535) return null;
  const script = own(raw as Record<string, unknown>, "script");
  return {
    pid: pid as number,
    host,
    port: port as number,
    ...(typeof script === "string" ? { script } : {}),
  };
}

/** serve.json of the live process that holds the state lock (a stale or recycled pid is not it). */
export async function ownedInstance(files: BridgeFiles): Promise<InstanceInfo | null> {
  const info = await readInstance(files);
  if (!info || !isAlive(info.pid)) return null;
  return (await lockHolder(files.dir)) === info.pid ? info : null;
}
