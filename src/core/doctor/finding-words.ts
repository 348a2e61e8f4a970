/**
 * The words several checks' findings share: counts, durations, and the fixes they give alike (run
 * sync, a documented fix as a sentence, a uvx server installed once).
 */
import { uvxTool } from "../entries/launch/runners.js";

/** The fix of a finding that sync repairs. */
export const SYNC_FIX = "Run `mcp-twin sync`.";

/** A check's documented fix as a → line, for a failure whose cause brought no fix of its own. */
export function docFix(fix: string): string {
  return `${fix.charAt(0).toUpperCase()}${fix.slice(1)}`.replace(/([^.])$/, "$1.");
}

/**
 * The fix for a `uvx` server that fetches its package on every start, naming the package and the
 * program it installs (uvx's arguments tell both): install it once, start the program itself.
 */
export function uvInstallOnce(uvxArgs: readonly string[]): string {
  const tool = uvxTool(uvxArgs);
  return tool
    ? `Install it once (\`uv tool install ${tool.install}\`) and start the installed program (\`${tool.program}\`) instead of uvx`
    : "Install its package once (`uv tool install`) and start the installed program instead of uvx";
}

/** "1 secret", "2 secrets": a count and its noun. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** Seconds with one decimal below 10 s, else whole seconds. */
export function seconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}
