/**
 * mcp-twin's cache files (environment facts, validated manifests, MCP Registry answers, where the
 * Windows home is): read and written only through here.
 */
import { readFileSync } from "node:fs";
import { writePrivateFile } from "./files.js";

export interface CacheFiles {
  /** The text of a cache file, or undefined when there is none (or it cannot be read). */
  read(file: string): string | undefined;
  /** Store a cache file. A cache that cannot be written only costs speed next time: never throws. */
  write(file: string, text: string): Promise<void>;
  /** True while writes are held in memory. */
  readonly held: boolean;
  /** Write what is held and write straight through from now on. */
  flush(): Promise<void>;
}

/**
 * Normally a write goes straight to disk. A command that promises to write nothing until the user
 * agrees (`init`) holds them instead: they live in memory — later reads in the same run see them —
 * and reach the disk only on `flush()`, so Ctrl-C at a prompt leaves no file behind.
 */
export function cacheFiles(options: { hold?: boolean } = {}): CacheFiles {
  const pending = new Map<string, string>();
  let held = options.hold === true;
  const writeNow = (file: string, text: string) =>
    // A cache: unwritten, it is made again next time.
    writePrivateFile(file, text, { cache: true }).catch(() => {});
  return {
    read(file) {
      const mine = pending.get(file);
      if (mine !== undefined) return mine;
      try {
        return readFileSync(file, "utf8");
      } catch {
        return undefined;
      }
    },
    async write(file, text) {
      if (held) pending.set(file, text);
      else await writeNow(file, text);
    },
    get held() {
      return held;
    },
    async flush() {
      held = false;
      const all = [...pending];
      pending.clear();
      await Promise.all(all.map(([file, text]) => writeNow(file, text)));
    },
  };
}
