/**
 * The PATH a process started at every login carries (the bridge's start at logon): of the shell's
 * PATH, only the folders that process needs, in the shell's order (so the same program wins).
 */
import path from "node:path";
import type { Environment } from "./types.js";

/** The system's own program folders: kept wherever the shell's PATH has them. */
const SYSTEM_FOLDERS = [
  "/usr/local/sbin",
  "/usr/local/bin",
  "/usr/sbin",
  "/usr/bin",
  "/sbin",
  "/bin",
  "/opt/homebrew/bin",
  "/opt/homebrew/sbin",
];

/**
 * Of `shellPath`, node's folder, the `needed` ones and the system's, in its order; node's first when
 * it lacks it. A file that runs at every login holds no more of the shell's PATH than that (a
 * project's tools, a virtualenv, Windows' folders seen from WSL).
 */
export function carriedPath(shellPath: string, nodeFolder: string, needed: readonly string[]): string {
  const bare = (d: string) => d.replace(/\/+$/, "") || "/";
  const keep = new Set([nodeFolder, ...needed, ...SYSTEM_FOLDERS].map(bare));
  const folders = shellPath
    .split(":")
    .map(bare)
    .filter((d) => keep.has(d));
  const node = folders.includes(bare(nodeFolder)) ? [] : [bare(nodeFolder)];
  return [...new Set([...node, ...folders])].join(":");
}

/**
 * The PATH for the bridge's start at logon in `env` (POSIX): node's folder, npm's, and the folders
 * of the programs its servers run by name (`uvx`), as that environment finds them now.
 */
export async function loginPath(
  env: Pick<Environment, "findProgram">,
  shellPath: string,
  node: string,
  programs: readonly string[],
): Promise<string> {
  const names = [...new Set(["npm", ...programs.filter((p) => !p.includes("/") && !p.includes("\\"))])];
  const found = await Promise.all(names.map((p) => env.findProgram?.(p)));
  const needed = found.flatMap((f) => (f ? [path.posix.dirname(f)] : []));
  return carriedPath(shellPath, path.posix.dirname(node), needed);
}
