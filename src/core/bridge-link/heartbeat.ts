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
export const beatMs = (env: Record<string, string | undefined>) =>
  Math.max(Number(getEnv(env, "MCP_TWIN_BRIDGE_BEAT_MS")) || 30_000, 50);

// No serve.json (a stop under way): nothing to beat, and a missed beat only makes a sync ask.
export const beat = (files: BridgeFiles) => setFileTime(files.instance, new Date()).catch(() => {});

/** Whether it beat within 3 beats: by the wall clock file times use, never a test's host clock. */
export const beatFresh = (files: BridgeFiles, env: Record<string, string | undefined>) =>
  Date.now() - (modifiedAt(files.instance) ?? 0) <= 3 * beatMs(env);
