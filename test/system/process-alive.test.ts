/**
 * Whether a process runs (process-alive.ts), as `bridge stop` waits on a bridge's: a process that
 * has ended but that its parent has not collected (a zombie) does not, nor does a process group
 * whose only process is one; a live process and its group do. Real processes, read from /proc.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, expect, test } from "vitest";
import { isAlive } from "../../src/core/system/process-alive.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

const state = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.charAt(stat.lastIndexOf(")") + 2);
};

const notLinux = process.platform !== "linux" ? "zombies are read from Linux's /proc" : undefined;
if (notLinux) console.warn(`the zombie test is skipped: ${notLinux}`);

test.skipIf(notLinux !== undefined)(
  "a zombie, and a group whose only process is a zombie, do not run; a live process and its group do",
  async () => {
    // sh starts a child in a group of its own (setsid), which ends at once, then becomes `sleep`,
    // which never collects it: the child stays a zombie for as long as `sleep` runs.
    const parent = spawn("/bin/sh", ["-c", 'setsid /bin/sh -c "exit 0" & echo $!; exec sleep 60'], {
      stdio: ["ignore", "pipe", "inherit"],
      detached: true,
    });
    children.push(parent);
    const pid = await new Promise<number>((resolve) =>
      parent.stdout!.once("data", (c: Buffer) => resolve(Number(c.toString().trim()))),
    );
    while (state(pid) !== "Z") await new Promise((r) => setTimeout(r, 10));
    // Signal 0 still finds it, in its own group.
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(() => process.kill(-pid, 0)).not.toThrow();
    expect(isAlive(pid)).toBe(false);
    expect(isAlive(-pid)).toBe(false);
    expect(isAlive(parent.pid!)).toBe(true);
    expect(isAlive(-parent.pid!)).toBe(true);
  },
);
