/**
 * Registry answers kept in the home's cache folder for a few minutes, so typing in the `init`
 * picker, `search` then `add` ask the network once. Stale answers are kept a day longer: when the
 * registry does not answer, an old answer (said to be old) beats none. Safe to delete.
 */
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { type CacheFiles, cacheFiles } from "../system/caches.js";
import { removePathSync } from "../system/files.js";
import { openSealedJson, sealJson } from "../system/sealed-json.js";

export const FRESH_MS = 5 * 60_000;
const KEEP_MS = 24 * 60 * 60_000;

interface CachedAnswer {
  url: string;
  /** When it was fetched (ms since the epoch). */
  fetchedAt: number;
  body: unknown;
}

export interface RegistryCache {
  /** The answer for `url`, however old (the caller judges freshness by `fetchedAt`). */
  get(url: string): CachedAnswer | undefined;
  put(url: string, body: unknown): Promise<void>;
}

export function registryCache(
  dir: string,
  now: () => number = Date.now,
  files: CacheFiles = cacheFiles(),
): RegistryCache {
  const fileOf = (url: string) =>
    path.join(dir, `${createHash("sha256").update(url).digest("hex").slice(0, 24)}.json`);
  return {
    get(url) {
      // A damaged answer is no answer: the registry is asked again.
      const answer = openSealedJson(files.read(fileOf(url))) as CachedAnswer | undefined;
      if (answer?.url !== url || typeof answer.fetchedAt !== "number") return undefined;
      if (now() - answer.fetchedAt > FRESH_MS + KEEP_MS) return undefined;
      return answer;
    },
    async put(url, body) {
      // Held (init before the user agreed): nothing on disk changes, old answers included.
      if (!files.held) prune(dir, now());
      await files.write(fileOf(url), sealJson({ url, fetchedAt: now(), body }));
    },
  };
}

/** Forget answers older than a day (a handful of small files; checked by their mtime). */
function prune(dir: string, now: number): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      if (now - statSync(file).mtimeMs > FRESH_MS + KEEP_MS) removePathSync(file, { cache: true });
    } catch {
      // gone already
    }
  }
}
