/**
 * What `GET /control/status` and `bridge restart` say of one shared server (ShareHost says it):
 * each process's state, memory and sessions, its restarts, and the last error that still stands.
 */
import { readFileSync } from "node:fs";
import type { ShareMode } from "../../core/manifest/schema.js";

/** What `GET /control/status` (and `bridge_status`) shows of one shared server. */
export interface ShareStatus {
  name: string;
  path: string;
  mode: ShareMode;
  /**
   * running: a process runs (or is starting); stopped: none (lists from the cache); failed: none runs and its last
   * start failed (a start that works, in any folder or session, clears it), or it cannot run here.
   */
  state: "running" | "stopped" | "failed";
  children: Array<{
    key: string;
    /** starting; running; stopped (it starts on the next call); failed: its last start failed. */
    state: "starting" | "running" | "stopped" | "failed";
    pid: number | null;
    rssBytes: number | null;
    sessions: number;
    idleMs: number;
    era: "2025-11-25" | "2026-07-28" | null;
    startedAt: string | null;
    /** Its last start failed, or it ended unasked (gone once a start of it works). */
    lastError?: string;
    lastErrorAt?: string;
  }>;
  /** Its lists are cached (a new session lists them without starting it). */
  cached: boolean;
  restarts: number;
  /**
   * The last error that still stands — a start that failed, or a process that ended unasked —,
   * the key of the process it happened to (`project:<folder>` names the folder) and when. A start
   * that works clears it: in the same folder for a `project` server, in any process otherwise.
   */
  lastError?: string;
  lastErrorIn?: string;
  lastErrorAt?: string;
  /** Its own log (stderr of its processes, bounded), when the bridge keeps one. */
  log?: string;
}

/** What `POST /control/restart/<name>` answers: the processes stopped (the next call starts it). */
export interface ShareRestart {
  name: string;
  stopped: number;
  pids: number[];
  /** Sessions attached to them: they stay connected, and their next call starts it again. */
  sessions: number;
  /** It runs none here (it cannot start: not installed, a secret missing), and why. */
  cannotRun?: string;
}

/** Resident memory of a process from /proc (Linux and WSL; elsewhere unknown). */
export function rssOf(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}
