/**
 * Each shared server as status, doctor and `bridge status` show it (mode, running or not, sessions,
 * memory, idle time), from what the running bridge reports or the manifest's shares. Pure.
 */

import { isAbsoluteAny } from "../environments/launch-paths.js";
import type { MissingSharedProgram } from "./shared-program.js";

/** A child process of a shared server, as the bridge reports it (docs/dev/gateway.md). */
interface ReportedChild {
  key?: unknown;
  pid?: unknown;
  rssBytes?: unknown;
  sessions?: unknown;
  idleMs?: unknown;
}

/** One shared server, summed over its processes. */
export interface SharedView {
  name: string;
  /** How the bridge runs it now (the manifest's mode when the bridge does not say). */
  mode: string;
  /** The manifest's mode, when the bridge runs it in another (not synced since `share` changed it). */
  manifestMode?: string;
  /**
   * running: a process of it runs; stopped: none runs (it starts on the first call); failed: its
   * last start failed or it cannot run there; bridge-down: the bridge is not running; unknown: the
   * bridge runs but its answer could not be had; unhosted: the
   * bridge's environment cannot run it, so its clients run it themselves (direct entries).
   */
  state: "running" | "stopped" | "failed" | "bridge-down" | "unknown" | "unhosted";
  processes: number;
  sessions: number;
  /** Summed resident memory of its processes (null where it cannot be read, or none runs). */
  rssBytes: number | null;
  /** The least idle process's idle time (null when none runs). */
  idleMs: number | null;
  pids: number[];
  /** Lists cached: a new session lists it without starting it. */
  cached?: boolean;
  /**
   * The last error that still stands (a start that works clears it), the process it happened to
   * (`machine`, `project:<folder>`, `session:<label>`) and when.
   */
  lastError?: string;
  lastErrorIn?: string;
  lastErrorAt?: string;
  /** Not running, and its program is not there: it will not start on the next call either. */
  missing?: MissingSharedProgram;
  /** unhosted: why the bridge's environment cannot run it, and what would let it. */
  unhosted?: { why: string; fix: string };
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/**
 * The manifest's shared servers (name, mode) joined with the bridge's report of them. `reported`
 * undefined: the bridge is not running; null: it runs but its report could not be had.
 */
export function sharedViews(
  manifest: ReadonlyArray<{ name: string; mode: string; unhosted?: { why: string; fix: string } }>,
  reported: unknown[] | null | undefined,
): SharedView[] {
  const byName = new Map<string, Record<string, unknown>>();
  for (const r of reported ?? [])
    if (r && typeof r === "object" && typeof (r as { name?: unknown }).name === "string")
      byName.set((r as { name: string }).name, r as Record<string, unknown>);
  const names = [...new Set([...manifest.map((m) => m.name), ...byName.keys()])];
  return names.map((name) => {
    const mode = manifest.find((m) => m.name === name)?.mode ?? String(byName.get(name)?.mode ?? "machine");
    const empty = { name, mode, processes: 0, sessions: 0, rssBytes: null, idleMs: null, pids: [] };
    const unhosted = manifest.find((m) => m.name === name)?.unhosted;
    if (unhosted) return { ...empty, state: "unhosted" as const, unhosted };
    if (reported === undefined) return { ...empty, state: "bridge-down" as const };
    const r = byName.get(name);
    if (!r) return { ...empty, state: "unknown" as const };
    // What runs is the bridge's: a mode changed in the manifest applies once the bridge reads it.
    const runs = typeof r.mode === "string" ? r.mode : mode;
    const pending = runs !== mode ? { manifestMode: mode } : {};
    const children = (Array.isArray(r.children) ? r.children : []) as ReportedChild[];
    const live = children.filter((c) => num(c.pid) !== null);
    const rss = live.map((c) => num(c.rssBytes)).filter((v): v is number => v !== null);
    const idle = live.map((c) => num(c.idleMs)).filter((v): v is number => v !== null);
    const state = live.length > 0 ? "running" : r.state === "failed" ? "failed" : "stopped";
    return {
      name,
      mode: runs,
      ...pending,
      state,
      processes: live.length,
      sessions: children.reduce((n, c) => n + (num(c.sessions) ?? 0), 0),
      rssBytes: rss.length > 0 ? rss.reduce((a, b) => a + b, 0) : null,
      idleMs: idle.length > 0 ? Math.min(...idle) : null,
      pids: live.map((c) => num(c.pid) ?? 0),
      ...(typeof r.cached === "boolean" ? { cached: r.cached } : {}),
      ...(typeof r.lastError === "string" ? { lastError: r.lastError } : {}),
      ...(typeof r.lastError === "string" && typeof r.lastErrorIn === "string"
        ? { lastErrorIn: r.lastErrorIn }
        : {}),
      ...(typeof r.lastError === "string" && typeof r.lastErrorAt === "string"
        ? { lastErrorAt: r.lastErrorAt }
        : {}),
    };
  });
}

/**
 * One process of a shared server as `bridge status <server>` shows it: its key (`machine`,
 * `project:<folder>`, `session:<label>`, `warm`: sync's start to fill the cache), how it runs.
 */
export interface ShareProcessView {
  key: string;
  state: string;
  pid: number | null;
  rssBytes: number | null;
  sessions: number;
  idleMs: number | null;
  era: string | null;
  startedAt: string | null;
  lastError?: string;
  lastErrorAt?: string;
}

/** One shared server in full (`bridge status <server>`): its view, each process, its restarts, its log. */
export interface ShareDetail extends SharedView {
  children: ShareProcessView[];
  restarts?: number;
  /** Its own log, where the bridge writes it. */
  log: string;
}

/** The view of one shared server with each process the bridge reports (`log`: its file, unless reported). */
export function shareDetail(view: SharedView, reported: unknown, log: string): ShareDetail {
  const r = (reported && typeof reported === "object" ? reported : {}) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === "string" ? v : null);
  const children = (Array.isArray(r.children) ? r.children : []).flatMap((c): ShareProcessView[] => {
    if (!c || typeof c !== "object" || typeof (c as { key?: unknown }).key !== "string") return [];
    const x = c as Record<string, unknown>;
    const pid = num(x.pid);
    return [
      {
        key: String(x.key),
        state: text(x.state) ?? "unknown",
        pid,
        rssBytes: num(x.rssBytes),
        sessions: num(x.sessions) ?? 0,
        idleMs: num(x.idleMs),
        era: text(x.era),
        startedAt: text(x.startedAt),
        ...(typeof x.lastError === "string" ? { lastError: x.lastError } : {}),
        ...(typeof x.lastErrorAt === "string" ? { lastErrorAt: x.lastErrorAt } : {}),
      },
    ];
  });
  return {
    ...view,
    children,
    ...(num(r.restarts) !== null ? { restarts: num(r.restarts) ?? 0 } : {}),
    log: text(r.log) ?? log,
  };
}

/** A duration in words a person reads at a glance: 42s, 5m 3s, 2h 10m. */
export function idleWords(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** One line for a shared server (after its name). */
export function sharedLine(given: SharedView, bridgeWhy?: string): string {
  // The mode it runs in, and the manifest's when that is another (`mcp-twin sync` applies it).
  const v = given.manifestMode
    ? {
        ...given,
        mode: `${given.mode} (the manifest says ${given.manifestMode}: \`mcp-twin sync\` applies it)`,
      }
    : given;
  const mb = v.rssBytes !== null ? `, ${Math.round(v.rssBytes / 1048576)} MB` : "";
  const sessions = `${v.sessions} session${v.sessions === 1 ? "" : "s"} attached`;
  if (v.missing && v.state !== "running")
    return `${v.mode}, cannot start: \`${v.missing.program}\` is not found in ${v.missing.env}${isAbsoluteAny(v.missing.program) ? "" : " (not on its PATH)"}`;
  switch (v.state) {
    case "running":
      return `${v.mode}, running: ${v.processes === 1 ? `pid ${v.pids[0]}` : `${v.processes} processes (pids ${v.pids.join(", ")})`}${mb}, ${sessions}${v.idleMs !== null ? `, idle ${idleWords(v.idleMs)}` : ""}`;
    case "stopped":
      return `${v.mode}, not running: it starts on the first call${v.cached ? " (its lists are cached)" : ""}`;
    case "failed":
      return `${v.mode}, failed${failedIn(v)}${v.lastError ? `: ${v.lastError.replace(/\.$/, "")}` : ""}`;
    case "bridge-down":
      return `${v.mode}, not running: the bridge is not running${bridgeWhy ? ` (${bridgeWhy})` : ""}`;
    case "unhosted":
      return `${v.mode}, but the bridge cannot run it (${v.unhosted?.why ?? "unknown"}): its clients start it themselves (direct entries)`;
    case "unknown":
      return `${v.mode}, not known: the bridge runs but does not report it (\`mcp-twin bridge restart\` loads the manifest's shared servers)`;
  }
}

/** Where a project server failed, when its error does not say it already: " in <folder>". */
function failedIn(v: SharedView): string {
  const folder = v.lastErrorIn?.startsWith("project:") ? v.lastErrorIn.slice("project:".length) : undefined;
  return folder && !v.lastError?.includes(folder) ? ` in ${folder}` : "";
}

/** What gets a shared server going when its line says it cannot start (undefined: nothing to say). */
export function sharedFix(v: SharedView): string | undefined {
  if (v.missing && v.state !== "running")
    return `${v.missing.install.replace(/\.$/, "")}; then ${v.missing.startsAfter}.`;
  if (v.unhosted) return `To share it: ${v.unhosted.fix}, then run \`mcp-twin sync\`.`;
  return undefined;
}
