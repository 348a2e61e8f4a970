/**
 * Installs as people watch them: on a terminal one live line per environment under a spinner, without
 * one a few plain lines; nothing with --json (the caller passes quiet).
 */
import type { InstallBoard, InstallJob, NpmPhase, Step } from "../core/system/progress.js";
import type { Theme } from "./theme.js";

const TICK_MS = 1_000;
const HEARTBEAT_MS = 30_000;

interface Row {
  job: InstallJob;
  phase?: NpmPhase;
  done?: { installed: readonly string[]; failed: readonly string[]; at: number };
}

export interface BoardIo {
  interactive: boolean;
  theme: Theme;
  /** A line on stderr (masked). */
  write: (line: string) => void;
  /** A spinner whose text can span several lines (terminal only). */
  step: (text: string) => Step;
  /** Terminal width, to keep each line on one row. */
  columns: () => number | undefined;
  now?: () => number;
}

/**
 * On a terminal, each environment's line shows its packages, the time so far and npm's own phase
 * (resolving, adding n/m, a script), redrawn every second; without a terminal, one line when each
 * environment starts, one every half minute while it runs, one when it ends.
 */
export function createInstallBoard(jobs: readonly InstallJob[], io: BoardIo): InstallBoard {
  const now = io.now ?? Date.now;
  const started = now();
  const rows = new Map(jobs.map((job) => [job.env, { job } as Row]));
  const width = Math.max(...jobs.map((j) => j.env.length), 0);
  const { theme } = io;
  const elapsed = (row: Row) => formatElapsed((row.done?.at ?? now()) - started);
  const line = (row: Row) => {
    const mark = row.done ? (row.done.failed.length > 0 ? theme.fail : theme.ok) : " ";
    const what = row.done ? (row.done.failed.length > 0 ? "failed" : "installed") : describePhase(row.phase);
    return clip(
      `  ${mark} ${row.job.env.padEnd(width)}  ${elapsed(row).padStart(6)}  ${what}  ${theme.c.dim(row.job.specs.join(", "))}`,
      io.columns(),
    );
  };

  if (!io.interactive) {
    for (const job of jobs) io.write(`${theme.bullet} Installing ${job.specs.join(", ")} in ${job.env}`);
    const heartbeat = setInterval(() => {
      for (const row of rows.values())
        if (!row.done) io.write(`  ${row.job.env}: ${elapsed(row)}, ${describePhase(row.phase)}`);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    return {
      phase(env, phase) {
        const row = rows.get(env);
        if (row) row.phase = phase;
      },
      done(env, outcome) {
        const row = rows.get(env);
        if (!row) return;
        row.done = { ...outcome, at: now() };
        io.write(finalLine(row, elapsed(row), theme));
      },
      close: () => clearInterval(heartbeat),
    };
  }

  const title = `Installing in ${jobs.length === 1 ? jobs[0]?.env : `${jobs.length} environments`}`;
  const text = () => [title, ...[...rows.values()].map(line)].join("\n");
  const spinner = io.step(text());
  const tick = setInterval(() => spinner.update(text()), TICK_MS);
  tick.unref();
  return {
    phase(env, phase) {
      const row = rows.get(env);
      if (!row) return;
      row.phase = phase;
      spinner.update(text());
    },
    done(env, outcome) {
      const row = rows.get(env);
      if (!row) return;
      row.done = { ...outcome, at: now() };
      spinner.update(text());
    },
    close() {
      clearInterval(tick);
      spinner.stop();
      for (const row of rows.values()) if (row.done) io.write(finalLine(row, elapsed(row), theme));
    },
  };
}

function finalLine(row: Row, took: string, theme: Theme): string {
  const failed = row.done?.failed ?? [];
  const installed = row.done?.installed ?? [];
  if (failed.length === 0) return `${theme.ok} Installed ${installed.join(", ")} in ${row.job.env} (${took})`;
  return `${theme.fail} Install failed in ${row.job.env} for ${failed.join(", ")}${installed.length > 0 ? `; installed ${installed.join(", ")}` : ""} (${took})`;
}

/** npm's phase in words. */
export function describePhase(phase: NpmPhase | undefined): string {
  if (!phase || phase.stage === "starting") return "starting npm";
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  switch (phase.stage) {
    case "resolving":
      return phase.packages > 0 ? `resolving: ${n(phase.packages, "package")}` : "resolving";
    case "adding": {
      // npm takes up each tarball (from its cache or the registry), unpacks them all (it says
      // nothing meanwhile: on a big tree that is the longest wait), then lists what it added.
      const total = phase.packages;
      if (phase.added > 0)
        return total > 0 ? `adding ${phase.added}/${n(total, "package")}` : `adding ${phase.added}`;
      if (total > 0 && phase.downloaded >= total) return `fetching and unpacking ${n(total, "package")}`;
      return total > 0
        ? `fetching ${phase.downloaded}/${n(total, "package")}`
        : `fetching ${phase.downloaded}`;
    }
    case "scripts":
      return `running ${phase.script ?? "a script"}`;
  }
}

export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
}

/** Keep a line within the terminal's width (ANSI colour codes take no room). */
function clip(text: string, columns: number | undefined): string {
  if (!columns || columns < 20) return text;
  const visible = text.replace(/\u001b\[[0-9;]*m/g, "");
  if (visible.length < columns) return text;
  let out = "";
  let shown = 0;
  for (const part of text.split(/(\u001b\[[0-9;]*m)/)) {
    if (part.startsWith("\u001b[")) out += part;
    else {
      const room = columns - 2 - shown;
      if (room <= 0) continue;
      out += part.slice(0, room);
      shown += Math.min(part.length, room);
    }
  }
  return `${out}…${text.includes("\u001b[") ? "\u001b[0m" : ""}`;
}
