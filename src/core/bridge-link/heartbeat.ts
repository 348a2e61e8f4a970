/**
 * The running bridge's heartbeat: its own event loop touches serve.json every beat, so a bridge alive
 * but stuck (SIGSTOP, a blocked loop), which still holds its lock and its records, is told by that file's age.
 */
import { modifiedAt, setFileTime } from "../system/files.js";
import { getEnv } from "../system/host.js";
import type { BridgeFiles } from "./state-folder.js";

/**
 * 30 s: one utimes a half-minute costs an idle bridge nothing. Stale after 3 beats: a loop late by a
 * GC pause or a slow disk under load is not called stuck. MCP_TWIN_BRIDGE_BEAT_MS: a test beats faster.
 */
export function beatMs(env: Readonly<Record<string, string | undefined>>): number {
  const ms = Number(getEnv(env, "MCP_TWIN_BRIDGE_BEAT_MS"));
  return ms > 0 ? ms : 30_000;
}

/** One beat: serve.json's mtime set to now. */
export const beat = (files: BridgeFiles): Promise<void> =>
  // No serve.json (a stop under way): nothing to beat, and a missed beat only makes a sync ask.
  setFileTime(files.instance, new Date()).catch(() => {});

/** Whether the bridge beat within 3 beats: by the real wall clock file times use, never a test's host clock. */
export function beatFresh(files: BridgeFiles, env: Readonly<Record<string, string | undefined>>): boolean {
  const at = modifiedAt(files.instance);
  return at !== undefined && Date.now() - at <= 3 * beatMs(env);
}
