/**
 * A real zombie (Linux): a process that has ended and that its parent never collects, for as long
 * as the test wants. The parent is `sh` turned into `sleep` by `exec`; the child ends only once its
 * parent is `sleep`, so the shell (which collects its finished children) never sees it end.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** The state letter of a process in /proc (its name, in parentheses, may hold anything). */
function procState(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.charAt(stat.lastIndexOf(")") + 2);
}

/**
 * A zombie's pid and its parent's (`ownGroup`: the zombie leads a process group of its own, as a
 * bridge under its keeper does); `stop()` ends the parent, and with it the zombie.
 */
export async function startZombie(options: { ownGroup?: boolean } = {}): Promise<{
  pid: number;
  parent: number;
  stop: () => void;
}> {
  const child = `${options.ownGroup ? "setsid " : ""}/bin/sh -c 'until grep -q "^sleep" /proc/$PPID/comm; do sleep 0.01; done'`;
  const parent = spawn("/bin/sh", ["-c", `${child} & echo $!; exec sleep 60`], {
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  const stop = () => parent.kill("SIGKILL");
  try {
    const pid = await new Promise<number>((resolve, reject) => {
      parent.once("error", reject);
      parent.stdout!.once("data", (c: Buffer) => resolve(Number(c.toString().trim())));
    });
    while (procState(pid) !== "Z") await new Promise((r) => setTimeout(r, 10));
    return { pid, parent: parent.pid!, stop };
  } catch (error) {
    stop();
    throw error;
  }
}
