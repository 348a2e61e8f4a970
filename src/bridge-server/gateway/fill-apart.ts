/**
 * Filling the list cache in a process apart (sync's `POST /control/warm`): a short-lived child
 * starts, lists and stops the servers, so a bridge that then idles never loads the SDK for it.
 */
import type { ShareLaunch } from "../../core/entries/share-launch.js";
import { isPlain } from "../../core/plain-records.js";
import { startProcess } from "../../core/system/run.js";
import { type Clock, realClock } from "../clock.js";
import { type CachedServer, isCachedEntry, ListCache, launchKey } from "./list-cache.js";
import type { PathSide } from "./session-keys.js";
import { ShareHost } from "./share-host.js";

/** What the child is given on its stdin (launches carry resolved secrets: a pipe, never argv). */
export interface FillInput {
  launches: ShareLaunch[];
  side: PathSide;
  /** Each server's own log file, as the bridge names it. */
  logFiles: Record<string, string>;
}

/** What it answers on stdout: the entries the bridge puts into its cache, and what did not start. */
export interface FillOutput {
  warmed: string[];
  failed: Array<{ name: string; error: string }>;
  entries: Array<[string, CachedServer]>;
}

/** The child's work: each server started, listed and stopped as the bridge does it (ShareHost.fillCache). */
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
      const filled = await host.fillCache();
      const entry = cache.get(launch.name, launchKey(launch));
      // One JSON cannot write (nested past the stack) fails here, not the answer of every server.
      if (entry) out.entries.push([launch.name, JSON.parse(JSON.stringify(entry))]);
      if (filled) out.warmed.push(launch.name);
    } catch (error) {
      out.failed.push({ name: launch.name, error: error instanceof Error ? error.message : String(error) });
    } finally {
      await host.close();
    }
  }
  return out;
}

/**
 * `node <entry>` (the built fill-caches entry) given `input`, started as the bridge starts its
 * servers (a process group of its own, stopped past `timeoutMs` with every server it started); its
 * answer, or every server failed with why when it gives none (not started, ended early, too long).
 */
export async function fillApart(
  entry: string,
  input: FillInput,
  log: (line: string) => void,
  timeoutMs = 180_000,
  clock: Clock = realClock,
): Promise<FillOutput> {
  const child = startProcess(process.execPath, [entry], { env: process.env });
  let answer = "";
  let pending = "";
  let timedOut = false;
  child.stdout.on("data", (chunk: Buffer) => {
    answer += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    const lines = (pending + chunk.toString("utf8")).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line) log(line);
  });
  const timer = clock.after(timeoutMs, () => {
    timedOut = true;
    child.killTree();
  });
  child.stdin.end(JSON.stringify(input));
  const spawnError = await child.spawned.then(
    () => undefined,
    (error: NodeJS.ErrnoException) => error.code ?? error.message,
  );
  const { code } = await child.exited;
  timer.cancel();
  if (pending) log(pending);
  const parsed = timedOut ? undefined : parseOutput(answer);
  if (parsed) return parsed;
  const why = spawnError
    ? `did not start (${spawnError})`
    : timedOut
      ? `ran past ${Math.round(timeoutMs / 1000)} s and was stopped`
      : `ended (${code === null ? "by a signal" : `code ${code}`}) without an answer`;
  return {
    warmed: [],
    entries: [],
    failed: input.launches.map((l) => ({ name: l.name, error: `the process that reads its lists ${why}` })),
  };
}

/** The child's answer, or undefined when it is not one; each entry checked as one read from disk. */
function parseOutput(text: string): FillOutput | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { warmed, failed, entries } = isPlain(raw) ? raw : {};
  if (!Array.isArray(warmed) || !Array.isArray(failed) || !Array.isArray(entries)) return undefined;
  return {
    warmed: warmed.filter((n): n is string => typeof n === "string"),
    failed: failed.filter(
      (f): f is { name: string; error: string } =>
        isPlain(f) && typeof f.name === "string" && typeof f.error === "string",
    ),
    entries: entries.filter(
      (e): e is [string, CachedServer] => Array.isArray(e) && typeof e[0] === "string" && isCachedEntry(e[1]),
    ),
  };
}
