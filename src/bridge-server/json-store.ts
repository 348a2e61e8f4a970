/**
 * One JSON document per store, held in memory by the one process that owns the bridge state (it holds
 * the lock), and written back atomically (temp file + fsync + rename, mode 0600).
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { OperationError } from "../core/errors.js";
import { readTextOrNull, removePath, writePrivateFile } from "../core/system/files.js";

/**
 * Changes apply synchronously in memory, so concurrent tool calls never lose an update; writes
 * are coalesced: while one write runs, every change made meanwhile goes into the next one, and
 * each caller's promise settles once a write holding its change is on disk.
 */
export class JsonStore<T> {
  readonly file: string;
  #data: T;
  /** The last write scheduled (settled: none), and the one not started yet that takes new changes. */
  #last: Promise<void> = Promise.resolve();
  #next: Promise<void> | null = null;

  private constructor(file: string, data: T) {
    this.file = file;
    this.#data = data;
  }

  /**
   * Read the store (a missing file is `initial()`); `parse` checks the shape. Temp files left by a
   * writer killed mid-write are removed: the caller holds the lock, so none is in use.
   */
  static async open<T>(file: string, initial: () => T, parse: (raw: unknown) => T): Promise<JsonStore<T>> {
    await removeStaleTemps(file);
    const text = await readTextOrNull(file);
    if (text === null || text.trim() === "") return new JsonStore(file, initial());
    try {
      return new JsonStore(file, parse(JSON.parse(text)));
    } catch (error) {
      throw new OperationError("bridge-store", `${file} is not a valid bridge store.`, {
        hint: "It was edited by hand: fix it, or move it away to start empty.",
        cause: error,
      });
    }
  }

  /** The current state (do not mutate it outside `update`). */
  get data(): Readonly<T> {
    return this.#data;
  }

  /** Apply `change` now; resolve with its result once a write holding it is on disk. */
  async update<R>(change: (data: T) => R): Promise<R> {
    const result = change(this.#data);
    await this.#schedule();
    return result;
  }

  /** Wait for pending writes (shutdown). */
  async flushed(): Promise<void> {
    // Each write reports its own failure to its caller; here only their end is awaited.
    await this.#last.catch(() => {});
  }

  /** A write after the running one (its failure was its caller's), serialised when it starts. */
  #schedule(): Promise<void> {
    this.#next ??= this.#last
      // The previous write's failure was its caller's; this one runs regardless.
      .catch(() => {})
      .then(() => {
        this.#next = null;
        return writePrivateFile(this.file, `${JSON.stringify(this.#data, null, 1)}\n`);
      });
    this.#last = this.#next;
    return this.#next;
  }
}

/** write-file-atomic names its temp files `<file>.<number>`. */
async function removeStaleTemps(file: string): Promise<void> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  // No folder yet: no temp file in it.
  const names = await readdir(dir).catch((): string[] => []);
  for (const name of names)
    if (name.startsWith(`${base}.`) && /^\d+$/.test(name.slice(base.length + 1)))
      // An old rotated copy left behind is removed at the next rotation.
      await removePath(path.join(dir, name)).catch(() => {});
}
