/**
 * The built binary as a process of its own, and its peak resident memory: its own high mark (VmHWM,
 * written as it exits) and /proc/<pid>/status's VmHWM, polled to stop a runaway run.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BIN } from "./fake-machine.js";

export interface MeasuredRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The highest resident set size seen, in MiB. */
  peakMiB: number;
  /** Killed for passing `killAboveMiB` (its peak is then at least that). */
  killed: boolean;
}

// At exit, the process's own high mark: VmHWM (its memory since exec). getrusage's maxRSS is the
// fallback where /proc is not: on Linux it carries over across the fork and exec that started the
// process, so it says at least the size of the test's worker at the time, not the size of mcp-twin.
const PRELOAD = `
const { readFileSync, writeFileSync } = require("node:fs");
process.on("exit", () => {
  let kib = 0;
  try { kib = Number(/^VmHWM:\\s+(\\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))[1]); } catch {}
  writeFileSync(process.env.MCP_TWIN_TEST_PEAK_FILE, String(kib || process.resourceUsage().maxRSS));
});
`;

function vmHwmKiB(pid: number): number {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // gone, or not Linux
  }
}

/** `mcp-twin <args>` with `env`, killed (and said so) once it holds more than `killAboveMiB`. */
export function runMeasured(
  args: string[],
  env: Record<string, string>,
  options: { killAboveMiB: number; timeoutMs?: number },
): Promise<MeasuredRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mcp-twin-rss-"));
  const preload = path.join(dir, "peak.cjs");
  const peakFile = path.join(dir, "peak");
  writeFileSync(preload, PRELOAD);
  const child = spawn(process.execPath, ["--require", preload, BIN, ...args], {
    env: { ...env, MCP_TWIN_TEST_PEAK_FILE: peakFile },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  let polledKiB = 0;
  let killed = false;
  const poll = setInterval(() => {
    polledKiB = Math.max(polledKiB, vmHwmKiB(child.pid!));
    if (polledKiB > options.killAboveMiB * 1024 && !killed) {
      killed = true;
      child.kill("SIGKILL");
    }
  }, 5);
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 60_000);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      let reportedKiB = 0;
      try {
        reportedKiB = Number(readFileSync(peakFile, "utf8"));
      } catch {
        // killed before it could say
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({
        code,
        stdout,
        stderr,
        peakMiB: Math.round(Math.max(polledKiB, reportedKiB) / 1024),
        killed,
      });
    });
  });
}
