/**
 * What one process of a shared server says it holds, kept by whose answers they are (CacheScope):
 * what a start learned, the lists it reads after, and one re-read per kind however many changes.
 */
import type { Clock } from "../clock.js";
import {
  type CachedServer,
  isList,
  LIST_METHODS,
  type ListCache,
  type ListKind,
  type ListMethod,
} from "./list-cache.js";
import type { Upstream } from "./upstream.js";
import { readWhole } from "./whole-list.js";
import type { Json } from "./wire-json.js";

/** A list read waits as long as a start does for the server to be ready (shared-child.ts). */
const LIST_TIMEOUT_MS = 30_000;

/** A list read whole (whole-list.ts); unread, the cache keeps what it holds and the next list_changed reads it again. */
async function read(live: Upstream, method: ListMethod, log: (line: string) => void) {
  const read = await readWhole(method, (cursor) => live.request(method, { cursor }, LIST_TIMEOUT_MS));
  if (read?.cut) log(`${method} cut at ${read.cut}: what it lists past that is neither listed nor callable`);
  return read?.list;
}

/**
 * Whose answers a process's are: the server's (every session's: `machine`), a folder's (`project`:
 * what it answers depends on where it runs), or its own (`session`: one session's process, whose
 * changes are no other session's; what a new process says still updates the server's entry).
 */
export type CacheScope = { kind: "server" } | { kind: "folder"; folder: string } | { kind: "own" };

interface ListsOptions {
  name: string;
  launchKey: string;
  cache: ListCache;
  scope: CacheScope;
  clock: Clock;
  /** The process now (none: stopped); a read of another start's says nothing. */
  current: () => Upstream | undefined;
  /** A list changed: told to the process's sessions. */
  changed: (kind: ListKind) => void;
  /** A line for the server's log (a list cut at its bounds). */
  log: (line: string) => void;
}

export class ChildLists {
  readonly #o: ListsOptions;
  #pending: (() => Promise<void>) | undefined;
  #reading: Promise<void> = Promise.resolve();
  /**
   * Whether this process was sent a request other than a list since it started: a list it says
   * from then on may be what a call changed (scope "own": that session's alone).
   */
  #served = false;
  /** Scope "own": what this process said, once started (its list changes are no one else's). */
  #own: CachedServer | undefined;
  /**
   * The list kinds being read again after a `list_changed`, and whether another change came
   * meanwhile: one re-read per kind at a time, however many changes the server announces.
   */
  readonly #rereading = new Map<ListKind, { again: boolean }>();

  constructor(o: ListsOptions) {
    this.#o = o;
  }

  /** A request is sent to the process: one that is not a list may change what it lists. */
  sent(method: string): void {
    if (!isList(method)) this.#served = true;
  }

  /**
   * What the last start learned (era, identity, capabilities, lists), when it holds for this
   * launch: this process's own answers once it has some (scope "own"), a folder's (scope
   * "folder"), else the server's.
   */
  cached(): CachedServer | undefined {
    const { cache, name, launchKey, scope } = this.#o;
    if (scope.kind === "folder") return cache.get(name, launchKey, scope.folder);
    return this.#own ?? cache.get(name, launchKey);
  }

  /** Keep what this start learned (learned): a folder's in the folder's entry, else in the server's. */
  #keep(entry: CachedServer): void {
    const { cache, name, launchKey, scope } = this.#o;
    if (scope.kind !== "own") {
      cache.put(name, entry, scope.kind === "folder" ? scope.folder : undefined);
      return;
    }
    // Scope "own": the server's entry keeps its own lists (after a restart, this process's are its own).
    cache.put(name, { ...entry, lists: { ...(cache.get(name, launchKey) ?? entry).lists } });
    this.#own = { ...entry, lists: { ...entry.lists } };
  }

  /**
   * A list read from the running process. `fresh`: read at its start, before it served any call
   * (what any new process says: the server's entry follows it too); else a change this process
   * announced, or one a call may have made, which stays its own in scope "own" (a session's
   * process's list is never another session's). True when it differs from what was kept (what
   * sessions were served).
   */
  #keepList(method: ListMethod, list: Json, fresh: boolean): boolean {
    const before = this.cached()?.lists[method];
    const { cache, name, launchKey, scope } = this.#o;
    if (scope.kind === "folder") cache.putList(name, launchKey, method, list, scope.folder);
    else if (fresh || scope.kind === "server") cache.putList(name, launchKey, method, list);
    if (this.#own) {
      this.#own.lists[method] = list;
      this.#own.updatedAt = new Date().toISOString();
    }
    return before !== undefined && JSON.stringify(before) !== JSON.stringify(list);
  }

  /**
   * What a start learned goes to the cache: the era (dated), identity and capabilities at once;
   * its lists wait for pend().
   */
  learned(live: Upstream, cached: CachedServer | undefined): CachedServer {
    const { era, discover, instructions } = live.said;
    const capabilities = live.said.capabilities as CachedServer["capabilities"];
    const entry: CachedServer = {
      key: this.#o.launchKey,
      era,
      eraCheckedAt: cached?.era === era ? cached.eraCheckedAt : new Date().toISOString(),
      ...(discover ? { discover } : {}),
      serverInfo: live.said.serverInfo ?? { name: this.#o.name, version: "0" },
      capabilities,
      ...(instructions ? { instructions } : {}),
      lists: { ...cached?.lists },
      updatedAt: new Date().toISOString(),
    };
    this.#keep(entry);
    this.#served = false;
    return entry;
  }

  /**
   * A start's lists, read once the call that started it is answered (the server serves one thing
   * at a time; the call does not wait for them), or after 2 s.
   */
  pend(live: Upstream, capabilities: CachedServer["capabilities"]): void {
    this.#pending = () => this.#readLists(live, capabilities);
    this.#o.clock.after(2000, () => void this.listsNow());
  }

  /** The lists of a start read now, if they still wait (the cache's warm-up waits for them). */
  async listsNow(): Promise<void> {
    const read = this.#pending;
    this.#pending = undefined;
    // A read under way is waited for too: who asks now wants the lists it brings.
    if (read) this.#reading = read();
    await this.#reading;
  }

  /**
   * A start's lists, kept. One that differs from what was kept (the program changed under the same
   * launch key, and a session was served the old list) is said to every session, as a change.
   */
  async #readLists(live: Upstream, capabilities: CachedServer["capabilities"]): Promise<void> {
    const changed = new Set<ListKind>();
    for (const method of LIST_METHODS) {
      const kind = method.slice(0, method.indexOf("/")) as ListKind;
      if (!capabilities[kind]) continue;
      const list = await read(live, method, this.#o.log);
      if (list && this.#keepList(method, list, !this.#served)) changed.add(kind);
    }
    if (this.#o.current() === live) for (const kind of changed) this.#o.changed(kind);
  }

  /**
   * A list changed: read it again for the cache, then tell every session. Changes announced while
   * it is read are merged into one more read after it: a storm of them (from a server that may not
   * answer its lists any more) costs one request in flight, not one per change.
   */
  async changed(live: Upstream, kind: ListKind): Promise<void> {
    const reading = this.#rereading.get(kind);
    if (reading) {
      reading.again = true;
      return;
    }
    const state = { again: false };
    this.#rereading.set(kind, state);
    try {
      do {
        state.again = false;
        await this.#reread(live, kind);
      } while (state.again && this.#o.current() === live);
    } finally {
      this.#rereading.delete(kind);
    }
  }

  async #reread(live: Upstream, kind: ListKind): Promise<void> {
    for (const method of LIST_METHODS.filter((m) => m.startsWith(`${kind}/`))) {
      const list = await read(live, method, this.#o.log);
      if (list) this.#keepList(method, list, false);
    }
    this.#o.changed(kind);
  }
}
