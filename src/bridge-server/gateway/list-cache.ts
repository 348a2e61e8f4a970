/**
 * What a shared server said about itself at its last start — its protocol era (dated), identity,
 * capabilities and lists — kept in the bridge's state folder, so a stopped server costs nothing.
 */
import { readFile } from "node:fs/promises";
import { gatewayKey } from "../../core/entries/gateway-key.js";
import type { ShareLaunch } from "../../core/entries/share-launch.js";
import type { PinBook } from "../../core/pins/pin-file.js";
import { isPlain } from "../../core/plain-records.js";
import { writePrivateFile } from "../../core/system/files.js";
import type { Era } from "../endpoint.js";
import type { Descriptor } from "../route/handshake.js";

/** The list methods answered from the cache while the server is stopped. */
export const LIST_METHODS = [
  "tools/list",
  "prompts/list",
  "resources/list",
  "resources/templates/list",
] as const;
export type ListMethod = (typeof LIST_METHODS)[number];
export const isList = (method: string): method is ListMethod =>
  (LIST_METHODS as readonly string[]).includes(method);
/** What a `list_changed` notification names: resources covers their templates too. */
export type ListKind = "tools" | "prompts" | "resources";

/** Its identity, capabilities and instructions: what a route answers the handshake with (Descriptor). */
export interface CachedServer extends Descriptor {
  /** The launch key it was read under (launchKey): another key, another server. */
  key: string;
  /** The protocol era it is driven in, and when that was decided. */
  era: Era;
  eraCheckedAt: string;
  /** A 2026-07-28 server's `server/discover` answer (lets it start without asking again). */
  discover?: Record<string, unknown>;
  lists: Partial<Record<ListMethod, Record<string, unknown>>>;
  updatedAt: string;
}

/** What changes a server's lists, hashed (core/entries/gateway-key.ts): never a value. */
export const launchKey = (launch: ShareLaunch) => gatewayKey(launch.identity);

/** An object whose members are objects (or absent): capabilities, lists. */
const isObjectOfObjects = (v: unknown): v is Record<string, Record<string, unknown> | undefined> =>
  isPlain(v) && Object.values(v).every((member) => member === undefined || isPlain(member));

/**
 * Whether what was read back from disk or from the process that filled it (fill-apart.ts) is an
 * entry, not something else (a file edited by hand): each member as mcp-twin writes it (what the
 * SDK parsed: an identity, capabilities that are objects).
 */
export function isCachedEntry(raw: unknown): raw is CachedServer {
  if (!isPlain(raw)) return false;
  const { key, era, eraCheckedAt, serverInfo, capabilities, lists, updatedAt, discover, instructions } = raw;
  if (typeof key !== "string" || (era !== "2025-11-25" && era !== "2026-07-28")) return false;
  if (typeof eraCheckedAt !== "string" || typeof updatedAt !== "string") return false;
  if (!isPlain(serverInfo) || typeof serverInfo.name !== "string" || typeof serverInfo.version !== "string")
    return false;
  if (!isObjectOfObjects(capabilities) || !isObjectOfObjects(lists)) return false;
  if (discover !== undefined && !isPlain(discover)) return false;
  return instructions === undefined || typeof instructions === "string";
}

/** A `project` server's folders whose answers are kept (past it, the least recently put goes). */
const MAX_FOLDERS = 64;

/**
 * The cache file (`shares-cache.json`, mode 0600): one entry per shared server name, used only
 * while its launch key is the same, and for a `project` server one per folder (what it answers
 * depends on where it runs). Written after each change, one write at a time.
 */
export class ListCache {
  readonly #file: string | undefined;
  readonly #entries = new Map<string, CachedServer>();
  /** A `project` server's entries, by name, then folder (the most recently put last). */
  readonly #folders = new Map<string, Map<string, CachedServer>>();
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;
  /** Where a failed save is said (serve.log), and the entries left out of the file (said once each). */
  #log: (line: string) => void = () => {};
  readonly #unwritten = new WeakSet<CachedServer>();
  /** Told each time a tools list is kept (tools on demand indexes a changed one again at once). */
  toolsChanged: (name: string, folder?: string) => void = () => {};
  /** Each server's pins, read with the manifest (none: nothing held back, the bridge's own /mcp). */
  pins: PinBook | undefined;

  private constructor(file: string | undefined) {
    this.#file = file;
  }

  /** A cache held in memory only (a process that does not own the bridge's state folder). */
  static memory(): ListCache {
    return new ListCache(undefined);
  }

  static async open(file: string, log: (line: string) => void): Promise<ListCache> {
    const cache = new ListCache(file);
    cache.#log = log;
    try {
      const data = JSON.parse(await readFile(file, "utf8")) as { servers?: unknown; folders?: unknown };
      if (isPlain(data.servers))
        for (const [name, raw] of Object.entries(data.servers))
          if (isCachedEntry(raw)) cache.#entries.set(name, raw);
      if (isPlain(data.folders))
        for (const [name, folders] of Object.entries(data.folders)) {
          if (!isPlain(folders)) continue;
          for (const [folder, raw] of Object.entries(folders).slice(-MAX_FOLDERS))
            if (isCachedEntry(raw)) cache.#folderMap(name).set(folder, raw);
        }
    } catch {
      // none yet, or unreadable: every server is read again at its first start
    }
    return cache;
  }

  #folderMap(name: string): Map<string, CachedServer> {
    const folders = this.#folders.get(name) ?? new Map<string, CachedServer>();
    this.#folders.set(name, folders);
    return folders;
  }

  /** The entry of `name` (in `folder`, for a `project` server), when read under this launch key. */
  get(name: string, key: string, folder?: string): CachedServer | undefined {
    const entry = folder === undefined ? this.#entries.get(name) : this.#folders.get(name)?.get(folder);
    return entry?.key === key ? entry : undefined;
  }

  put(name: string, entry: CachedServer, folder?: string): void {
    if (folder === undefined) this.#entries.set(name, entry);
    else {
      const folders = this.#folderMap(name);
      folders.delete(folder);
      folders.set(folder, entry);
      for (const oldest of folders.keys()) if (folders.size > MAX_FOLDERS) folders.delete(oldest);
    }
    this.#save();
    this.toolsChanged(name, folder);
  }

  /** Forget every answer of `name`: another program runs under the same launch key (upgraded by hand). */
  forget(name: string): void {
    for (const answers of [this.#entries, this.#folders]) answers.delete(name);
    this.#save();
  }

  /** One list of `name` (in `folder`) changed (the server said so, and was asked again). */
  putList(
    name: string,
    key: string,
    method: ListMethod,
    result: Record<string, unknown>,
    folder?: string,
  ): void {
    const entry = this.get(name, key, folder);
    if (!entry) return;
    entry.lists[method] = result;
    entry.updatedAt = new Date().toISOString();
    this.#save();
    if (method === "tools/list") this.toolsChanged(name, folder);
  }

  flushed(): Promise<void> {
    return this.#writing;
  }

  #save(): void {
    const file = this.#file;
    if (this.#dirty || file === undefined) return;
    this.#dirty = true;
    this.#writing = this.#writing.then(async () => {
      this.#dirty = false;
      // Said, never a rejection (which stopped every later save and the bridge's stop with it).
      await writePrivateFile(file, this.#text(), { cache: true }).catch((error: unknown) =>
        this.#log(`the list cache ${file} was not saved: ${(error as Error).message}`),
      );
    });
  }

  /** The file's text, each entry apart: one JSON cannot write (nested past the stack) left out, said once. */
  #text(): string {
    const part = (entries: Map<string, CachedServer>, of?: string) =>
      `{${[...entries].flatMap(([name, entry]) => {
        try {
          return `${JSON.stringify(name)}:${JSON.stringify(entry)}`;
        } catch (e) {
          if (!this.#unwritten.has(entry))
            this.#log(`[share ${of ?? name}] its lists are not kept in ${this.#file}: ${String(e)}`);
          this.#unwritten.add(entry);
          return [];
        }
      })}}`;
    const folders = [...this.#folders].map(([name, m]) => `${JSON.stringify(name)}:${part(m, name)}`);
    return `{"version":1,"servers":${part(this.#entries)},"folders":{${folders}}}\n`;
  }
}
