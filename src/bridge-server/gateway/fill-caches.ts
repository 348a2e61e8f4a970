/**
 * Filling the list cache (sync's `POST /control/warm`): each server never started is started in a
 * process of its own, listed and stopped, as the bridge runs it (a start loads no SDK or zod).
 */
import type { ShareLaunch } from "../../core/entries/share-launch.js";
import { type CachedServer, ListCache, launchKey } from "./list-cache.js";
import type { PathSide } from "./session-keys.js";
import { ShareHost } from "./share-host.js";

/** The servers to fill, with the bridge's path side and each one's own log file. */
export interface FillInput {
  launches: ShareLaunch[];
  side: PathSide;
  /** Each server's own log file, as the bridge names it. */
  logFiles: Record<string, string>;
}

/** The entries the bridge puts into its cache, and what did not start. */
export interface FillOutput {
  warmed: string[];
  failed: Array<{ name: string; error: string }>;
  entries: Array<[string, CachedServer]>;
}

/** Each server started, listed and stopped as the bridge does it (ShareHost.fillCache), into a cache of its own. */
export async function fillHere(input: FillInput, log: (line: string) => void): Promise<FillOutput> {
  const cache = ListCache.memory();
  const out: FillOutput = { warmed: [], failed: [], entries: [] };
  for (const launch of input.launches) {
    const logFile = input.logFiles[launch.name];
    const host = new ShareHost(launch, {
      cache,
      side: input.side,
      idleMs: () => 60_000,
      log,
      ...(logFile ? { logFile } : {}),
    });
    try {
      if (await host.fillCache()) out.warmed.push(launch.name);
      const entry = cache.get(launch.name, launchKey(launch));
      if (entry) out.entries.push([launch.name, entry]);
    } catch (error) {
      out.failed.push({ name: launch.name, error: error instanceof Error ? error.message : String(error) });
    } finally {
      await host.close();
    }
  }
  return out;
}
