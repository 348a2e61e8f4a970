/** Whether a process of this pid runs (signal 0: asked, not sent); a zombie (Linux) does not. */
import { readFileSync } from "node:fs";

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Its state follows the command's name, which is in parentheses (and may hold any).
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.charAt(stat.lastIndexOf(")") + 2) !== "Z";
  } catch {
    // No /proc here (or gone meanwhile): signal 0 is all there is to go by.
    return true;
  }
}
