/**
 * Ending a bridge for good in a test. A bridge mcp-twin starts itself runs under its keeper
 * (src/core/bridge-control/supervisor.ts), which starts it again after a SIGKILL: a test that
 * kills only the bridge leaves the keeper, and the bridge it starts next, running after the test.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { keptBy, WAIT_LOOP } from "../../src/core/bridge-control/supervisor.js";
import { isAlive as alive } from "../../src/core/system/process-alive.js";

/** The state folder a keeper keeps, from its command line. */
const keeps = (argv: readonly string[]) => keptBy(argv, () => undefined);

/** A process's parent, from /proc (undefined where it cannot be read). */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/** The keeper a bridge runs under (its parent, when that is one). */
export function startLoopOf(pid: number): number | undefined {
  const parent = parentOf(pid);
  if (parent === undefined) return undefined;
  try {
    return keeps(readFileSync(`/proc/${parent}/cmdline`, "utf8").split("\0")) !== undefined
      ? parent
      : undefined;
  } catch {
    return undefined;
  }
}

const signal = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch {
    // gone
  }
};

/**
 * A loop and the bridge it runs now, whichever that is by then: the loop first, then the bridge
 * (SIGTERM lets it stop its own servers).
 */
export function endStartLoop(loop: number, bridgeSignal: NodeJS.Signals = "SIGKILL"): void {
  const children = readdirSync("/proc").filter((d) => /^\d+$/.test(d) && parentOf(Number(d)) === loop);
  signal(loop, "SIGKILL");
  for (const child of children) signal(Number(child), bridgeSignal);
}

/** SIGKILL a bridge and, first, the start loop it runs in (so nothing starts it again). */
export function killBridge(pid: number): void {
  const loop = startLoopOf(pid);
  if (loop !== undefined) endStartLoop(loop);
  signal(pid, "SIGKILL");
}

/**
 * Every start loop whose bridge keeps its state under `root` (a test machine's) ended, its bridge
 * told to stop (the machine's cleanup then waits for it).
 */
export function endStartLoopsUnder(root: string): void {
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    // argv: /bin/sh -c <loop> mcp-twin-bridge <state folder> <bridge's command line…>
    if (keeps(argv)?.startsWith(`${root}/`)) endStartLoop(Number(d), "SIGTERM");
  }
}

/**
 * SIGTERM a bridge (a stop: exit 0, so its keeper ends after it) and wait until both are gone. The
 * keeper holds the port's socket until it has ended too, so a test that binds the port next waits
 * for it, not only for the bridge's pid.
 */
export async function stopBridgeAndLoop(pid: number, ms = 30_000): Promise<void> {
  const loop = startLoopOf(pid);
  signal(pid, "SIGTERM");
  const deadline = Date.now() + ms;
  while (alive(pid) || (loop !== undefined && alive(loop))) {
    if (Date.now() > deadline)
      throw new Error(`the bridge (pid ${pid}) or its keeper still runs after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The 30 s `sleep` of each WSL task's wait loop (supervisor.ts's WAIT_LOOP) that `mine` picks, by
 * the keeper file the loop watches and, for a loop in another mount namespace (the WSL simulation),
 * the namespace: SIGKILLed, so the loop looks at its keeper now instead of at the end of the 30 s
 * (an ended sleep is all it is: with the keeper still running, it sleeps again). True when one was.
 */
export function endWaitLoopSleep(mine: (keeperFile: string, mountNs: string) => boolean): boolean {
  let ended = false;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, "utf8") !== "sleep\u000030\u0000") continue;
      const loop = parentOf(Number(d));
      // argv: /bin/sh -c <WAIT_LOOP> mcp-twin-bridge <keeper.json> <the start's command line…>
      const sh = readFileSync(`/proc/${loop}/cmdline`, "utf8").split("\0");
      if (sh[0] !== "/bin/sh" || sh[2] !== WAIT_LOOP || sh[3] !== "mcp-twin-bridge") continue;
      if (!mine(sh[4] ?? "", readlinkSync(`/proc/${d}/ns/mnt`))) continue;
      process.kill(Number(d), "SIGKILL");
      ended = true;
    } catch {
      // gone, or not ours
    }
  }
  return ended;
}
