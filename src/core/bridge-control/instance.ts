/**
 * The one running bridge describes itself in `<state>/serve.json` (pid, host, port, url, version,
 * start time) while it holds the state folder's lock. Everything that manages or reaches it reads
 * that file (lifecycle.ts); only the bridge writes it.
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
  return {
    pid: pid as number,
    host,
    port: port as number,
    url,
    version: typeof version === "string" ? version : "?",
    startedAt: typeof startedAt === "string" ? startedAt : "",
  };
}

async function readInstance(files: BridgeFiles): Promise<InstanceInfo | null> {
  const text = await readTextOrNull(files.instance);
  return text ? parseInstance(text) : null;
}

export async function writeInstance(files: BridgeFiles, info: InstanceInfo): Promise<void> {
  await writePrivateFile(files.instance, `${JSON.stringify(info, null, 2)}\n`);
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

/** serve.json of the live process that holds the state lock (a stale or recycled pid is not it). */
export async function ownedInstance(files: BridgeFiles): Promise<InstanceInfo | null> {
  const info = await readInstance(files);
  if (!info || !isAlive(info.pid)) return null;
  return (await lockHolder(files.dir)) === info.pid ? info : null;
}
