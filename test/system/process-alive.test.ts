/**
 * Whether a process runs (process-alive.ts), as `bridge stop` waits on a bridge's: a process that
 * has ended but that its parent has not collected (a zombie) does not, nor does a process group
 * whose only process is one; a live process and its group do. Real processes, read from /proc.
 */
import { afterEach, expect, test } from "vitest";
import { isAlive } from "../../src/core/system/process-alive.js";
import { startZombie } from "../helpers/zombie.js";

const stops: Array<() => void> = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

const notLinux = process.platform !== "linux" ? "zombies are read from Linux's /proc" : undefined;
if (notLinux) console.warn(`the zombie test is skipped: ${notLinux}`);

test.skipIf(notLinux !== undefined)(
  "a zombie, and a group whose only process is a zombie, do not run; a live process and its group do",
  async () => {
    const zombie = await startZombie({ ownGroup: true });
    stops.push(zombie.stop);
    // Signal 0 still finds it, in its own group.
    expect(() => process.kill(zombie.pid, 0)).not.toThrow();
    expect(() => process.kill(-zombie.pid, 0)).not.toThrow();
    expect(isAlive(zombie.pid)).toBe(false);
    expect(isAlive(-zombie.pid)).toBe(false);
    expect(isAlive(zombie.parent)).toBe(true);
    expect(isAlive(-zombie.parent)).toBe(true);
  },
);
