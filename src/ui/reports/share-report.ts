/**
 * One shared server as `mcp-twin bridge status <server>` shows it (each process, its last error and
 * where, its log), and what `bridge restart <server>` did.
 */
import type { ShareRestartOutcome } from "../../core/bridge-control/one-share.js";
import {
  idleWords,
  type ShareDetail,
  type ShareProcessView,
  sharedLine,
} from "../../core/status/shared-view.js";
import { untrusted } from "../../core/text/control-chars.js";
import type { Theme } from "../theme.js";

/** The bridge as the per-server report names it. */
export interface BridgeSeen {
  state: string;
  url?: string;
  pid?: number;
  /** Why the line says it is not running, when more than "stopped" (taken, unresponsive). */
  why?: string;
}

/** `project:/home/u/app` → "project /home/u/app"; `warm` → what it is. */
function processName(key: string): string {
  if (key === "warm") return "cache fill (a start to read its lists)";
  const colon = key.indexOf(":");
  return colon > 0 ? `${key.slice(0, colon)} ${untrusted(key.slice(colon + 1))}` : untrusted(key);
}

/** An instant as "3m 2s ago" (or the instant itself when it cannot be read). */
function ago(at: string | null | undefined, now: number): string {
  const t = Date.parse(at ?? "");
  return Number.isFinite(t) ? `${idleWords(Math.max(0, now - t))} ago` : (at ?? "");
}

function processLine(p: ShareProcessView, now: number): string {
  const parts: string[] = [p.state];
  if (p.pid !== null) parts.push(`pid ${p.pid}`);
  if (p.rssBytes !== null) parts.push(`${Math.round(p.rssBytes / 1048576)} MB`);
  parts.push(`${p.sessions} session${p.sessions === 1 ? "" : "s"} attached`);
  if (p.state === "running" && p.idleMs !== null) parts.push(`idle ${idleWords(p.idleMs)}`);
  if (p.state === "running" && p.era) parts.push(`protocol ${p.era}`);
  if (p.state === "running" && p.startedAt) parts.push(`started ${ago(p.startedAt, now)}`);
  const error = p.lastError
    ? `; ${p.lastErrorAt ? `${ago(p.lastErrorAt, now)}: ` : ""}${untrusted(p.lastError)}`
    : "";
  return `${processName(p.key)}: ${parts.join(", ")}${error}`;
}

/** The report's lines (its first one marked), each true of what the bridge said. */
export function shareReportLines(
  d: ShareDetail,
  bridge: BridgeSeen,
  mark: Theme,
  shown: (file: string) => string,
  now = Date.now(),
): string[] {
  const lines: string[] = [];
  const row = (k: string, v: string) => lines.push(`  ${mark.c.dim(k.padEnd(10))} ${v}`);
  const head =
    d.state === "running" || d.state === "stopped" ? mark.ok : d.state === "failed" ? mark.fail : mark.warn;
  lines.push(`${head} ${untrusted(d.name)}: ${sharedLine(d, bridge.why)}`);
  const up = bridge.state === "running" || bridge.state === "elsewhere";
  row("bridge", up ? `running at ${bridge.url}${bridge.pid ? ` (pid ${bridge.pid})` : ""}` : bridge.state);
  if (up && d.children.length === 0)
    row("processes", d.state === "unknown" ? "not reported" : "none: it starts on the first call");
  d.children.forEach((p, i) => {
    row(i === 0 ? "processes" : "", processLine(p, now));
  });
  // A client that exited a moment ago still counts (bridge status says the same of the bridge's).
  if (d.children.some((p) => p.sessions > 0))
    row(
      "sessions",
      "a session stays attached until its client closes it or leaves (then ended within a minute, by default)",
    );
  if (d.lastError)
    row(
      "last error",
      `${d.lastErrorAt ? `${ago(d.lastErrorAt, now)}, ` : ""}${d.lastErrorIn ? `in ${processName(d.lastErrorIn)}: ` : ""}${untrusted(d.lastError)}`,
    );
  if (d.restarts !== undefined)
    row("restarts", `${d.restarts} (each time a process of it ended unasked; the next call starts it again)`);
  if (d.cached !== undefined)
    row(
      "lists",
      d.cached
        ? "cached: a new session lists it without starting it"
        : "not cached: the first list starts it",
    );
  row("log", `${shown(d.log)} (\`mcp-twin bridge logs ${untrusted(d.name)}\`)`);
  return lines;
}

/** What `bridge restart <server>` did, in one line; `ok`: it did what was asked (exit 0). */
export function restartLine(
  name: string,
  r: ShareRestartOutcome,
  mark: Theme,
): { line: string; ok: boolean } {
  const n = untrusted(name);
  switch (r.state) {
    case "bridge-down":
      return {
        line: `${mark.skip} The bridge is not running, so no process of ${n} runs: nothing was stopped.`,
        ok: true,
      };
    case "unknown":
      return {
        line: `${mark.fail} The running bridge does not run ${n}: it has not read the manifest since ${n} was shared (\`mcp-twin sync\` tells it).`,
        ok: false,
      };
    case "failed":
      return { line: `${mark.fail} The bridge could not be asked to restart ${n}: ${r.error}.`, ok: false };
    case "restarted": {
      if (r.cannotRun)
        return {
          line: `${mark.fail} ${n} cannot run in the bridge, so no process of it runs: ${untrusted(r.cannotRun)}`,
          ok: false,
        };
      if (r.stopped === 0)
        return {
          line: `${mark.ok} No process of ${n} was running: nothing to stop; the next call starts it.`,
          ok: true,
        };
      const what = r.stopped === 1 ? "1 process" : `${r.stopped} processes`;
      const pids = r.pids.length > 0 ? ` (pid${r.pids.length === 1 ? "" : "s"} ${r.pids.join(", ")})` : "";
      const attached =
        r.sessions > 0
          ? `; the ${r.sessions === 1 ? "session attached stays" : `${r.sessions} sessions attached stay`} connected`
          : "";
      return {
        line: `${mark.ok} Stopped ${what} of ${n}${pids}: the next call starts it again${attached}.`,
        ok: true,
      };
    }
  }
}
