/** Whether a process, or a process group, still runs: signal 0, and on Linux its state in /proc. */
import { readdirSync, readFileSync } from "node:fs";

/**
 * Whether a process runs (a negative pid: any process of that group). On Linux a zombie does not:
 * it has ended — its sockets closed — and waits for its parent to collect it, which for an orphan
 * (a bridge whose keeper was stopped first) is PID 1, and in a container PID 1 may do so a second
 * later or never, so a stop waiting on it would wait out its grace and call a clean end forced.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  if (process.platform !== "linux") return true;
  return pid > 0 ? procStat(String(pid))?.state !== "Z" : groupRuns(-pid);
}

/** A process's state and group from /proc (its name, in parentheses, may hold anything). */
function procStat(pid: string): { state: string; group: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [state = "", , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state, group: Number(group) };
  } catch {
    // Gone meanwhile, or no /proc: signal 0 has said it exists.
    return undefined;
  }
}

/** Whether a process of group `group` other than a zombie is in /proc (true where it cannot be read). */
function groupRuns(group: number): boolean {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return true;
  }
  return pids.some((pid) => {
    const stat = procStat(pid);
    return stat?.group === group && stat.state !== "Z";
  });
}
