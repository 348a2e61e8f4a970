/**
 * The V8 flags the bridge puts on a shared server's node command line (`node <flags> <script>`),
 * to lower what each child holds at rest; figures in docs/dev/performance.md.
 */

// Only for an installed package's bin, run with an environment's node whose version mcp-twin read:
// a `command` server runs as the manifest writes it, and a client's own entries never get them
// (the direct entries are what the gateway is measured against).

/**
 * A young generation of 1 MB semi-spaces (V8 grows them up to 16 MB and keeps them): 7–10 % less
 * RSS per process at rest on Node 20, 22 and 24, for more scavenges — +17 to +59 % CPU on calls
 * that allocate a lot, none on light calls or compute. Not `--optimize-for-size` (+70–130 % CPU on
 * 2 MB reads, no more saved), nor `--lite-mode` (it takes WebAssembly away, and with it Node's own
 * `fetch`).
 */
const MEMORY_FLAGS = ["--max-semi-space-size=1"] as const;

/** The oldest Node major these flags were measured on (each later one measured: 22, 24). */
const FIRST_MAJOR = 20;

/** Maglev, V8's mid-tier compiler, is on by default from Node 24 (off in 20 and 22: never turned on). */
const MAGLEV_MAJOR = 24;

/**
 * The optimizing compilers stay off until the server works hard: an idle server never pages in
 * their code (5–9 MB a process), and one that computes gets them back within one window.
 */
const BUSY_WINDOW_MS = 5000;

/** Busy: half a core's time used within one window (a light call takes milliseconds). */
const BUSY_SHARE = 0.5;

/**
 * The flags for a node of this version (`v22.13.0`, as `node --version` prints it): none when the
 * version is unknown or older than what was measured, as a flag node does not know makes it exit.
 */
export function sharedNodeFlags(version: string | undefined, windowMs = BUSY_WINDOW_MS): string[] {
  const major = Number(/^v?(\d+)\./.exec(version ?? "")?.[1]);
  if (!Number.isInteger(major) || major < FIRST_MAJOR) return [];
  const compilers = major >= MAGLEV_MAJOR ? ["turbofan", "maglev"] : ["turbofan"];
  return [
    ...MEMORY_FLAGS,
    ...compilers.map((c) => `--no-${c}`),
    "--import",
    compilersWhenBusy(compilers, windowMs),
  ];
}

/**
 * A module node runs before the server's script (`--import`, a data: URL, so no file of mcp-twin's
 * has to outlive an upgrade): each window it reads the process's CPU time, and the first window
 * that was busy turns the compilers back on, for good. The first window holds the server's own
 * start-up and is not judged. Its timer never keeps the server alive. Base64, so no shell or
 * Windows command line can read anything into it.
 */
function compilersWhenBusy(compilers: readonly string[], windowMs: number): string {
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
