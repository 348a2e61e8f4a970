/**
 * V8's compilers by Node major, and the module that turns them back on once a shared server works
 * hard (figures in docs/dev/performance.md).
 */

/** Maglev, V8's mid-tier compiler, is on by default from Node 24 (off in 20 and 22: never turned on). */
const MAGLEV_MAJOR = 24;

/** The optimizing compilers a node of this major runs by default, as V8 flag names. */
export function optimizingCompilers(major: number): string[] {
  return major >= MAGLEV_MAJOR ? ["turbofan", "maglev"] : ["turbofan"];
}

/** Each window, the process's CPU time is read and judged. */
export const WINDOW_MS = 5000;

/** Busy: half a core's time used within one window (a light call takes milliseconds). */
const BUSY_SHARE = 0.5;

/**
 * A module (a data: URL, for `node --import`) that reads the process's CPU time each
 * window, and the first window that was busy turns `compilers` (V8 compilers switched off) back on,
 * for good: an idle or lightly used process never pages in their code, and one that computes has
 * them again within a window. The first window holds start-up and is not judged. Its timer never
 * keeps the process alive. A data: URL, so no file of mcp-twin's has to outlive an upgrade; base64,
 * so no shell or Windows command line can read anything into it.
 */
export function compilersWhenBusy(compilers: readonly string[], windowMs = WINDOW_MS): string {
  const source = [
    `import { setFlagsFromString } from "node:v8";`,
    `let last = process.cpuUsage(), first = true;`,
    `const timer = setInterval(() => {`,
    `  const now = process.cpuUsage(), used = now.user - last.user + now.system - last.system;`,
    `  last = now;`,
    `  if (first) return void (first = false);`,
    `  if (used < ${Math.round(windowMs * 1000 * BUSY_SHARE)}) return;`,
    ...compilers.map((c) => `  setFlagsFromString("--${c}");`),
    `  clearInterval(timer);`,
    `}, ${windowMs});`,
    `timer.unref();`,
  ].join("\n");
  return `data:text/javascript;base64,${Buffer.from(source).toString("base64")}`;
}
