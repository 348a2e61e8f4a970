/**
 * How a relay entry starts: `node <these options> <mcp-twin> connect …`, the entry every client
 * session runs (one relay per session, for as long as the session lives).
 */

/**
 * One V8 worker thread instead of Node's four: a relay's heap is a few MB and its code is warm
 * after its first hundred messages, so what the other three would compile or mark in parallel is
 * not worth the memory they hold — 1.0–1.2 MB of RSS per relay after 5,000 calls, for 0.02–0.09 ms
 * more per call at c=1 (3–17 %, four runs; bench/relay.ts, docs/dev/performance.md). Only at the
 * command line: V8 makes its worker pool when the process starts, so the relay cannot set it for
 * itself.
 */
export const RELAY_NODE_FLAGS: readonly string[] = ["--v8-pool-size=1"];

/** A relay entry's arguments to node: its options, mcp-twin's script, `connect` and what follows. */
export function relayArgs(script: string, ...connect: string[]): string[] {
  return [...RELAY_NODE_FLAGS, script, "connect", ...connect];
}
