/**
 * What the bridge's processes leave in its state folder, each read field by field: serve.json (the
 * running bridge), keeper.json (the keeper that holds its socket) and addresses.json.
 */
import { own } from "../plain-records.js";
import { lockHolder, readTextOrNull, removePath, writePrivateFile } from "../system/files.js";
import { isAlive } from "../system/process-alive.js";
import type { BridgeFiles } from "./state-folder.js";

export { isAlive };

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
  const info = await liveInstance(files);
  return info && (await lockHolder(files.dir)) === info.pid ? info : null;
}
