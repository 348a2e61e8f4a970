/**
 * The V8 flags the bridge puts on a shared server's node command line (`node <flags> <script>`),
 * to lower what each child holds at rest; figures in docs/dev/performance.md.
 */

import { compilersWhenBusy, optimizingCompilers, WINDOW_MS } from "../system/busy-compilers.js";

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

/**
 * The flags for a node of this version (`v22.13.0`, as `node --version` prints it): none when the
 * version is unknown or older than what was measured, as a flag node does not know makes it exit.
 */
export function sharedNodeFlags(version: string | undefined, windowMs = WINDOW_MS): string[] {
  const major = Number(/^v?(\d+)\./.exec(version ?? "")?.[1]);
  if (!Number.isInteger(major) || major < FIRST_MAJOR) return [];
  // Off until the server works hard (busy-compilers.ts turns them back on): an idle server never
  // pages in their code. Sparkplug's 0.3–1.9 MB a process costs light calls up to 73 % more CPU,
  // under 0.15 ms a call (docs/dev/performance.md).
  const compilers = ["sparkplug", ...optimizingCompilers(major)];
  return [
    ...MEMORY_FLAGS,
    ...compilers.map((c) => `--no-${c}`),
    "--import",
    compilersWhenBusy(compilers, windowMs),
  ];
}
