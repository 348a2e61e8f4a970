/**
 * Where the bridge finds the program a shared server runs: on its PATH, else in the folder that
 * program's installer puts it (program-hints.ts). File stats only; sync, status and doctor ask the same.
 */
import { getEnv } from "../system/host.js";
import { installFolders } from "./program-hints.js";
import type { EnvKind } from "./types.js";
import { findOnPath } from "./which.js";

export interface ProgramPlace {
  /** The program's file: as found on PATH, or its path in the installer's folder. */
  file: string;
  /** Found in the installer's folder, not on PATH: the folder (put before PATH for the program). */
  folder?: string;
}

/** How the bridge's environment is searched: its kind, variables and home. */
export interface ProgramSearch {
  kind: EnvKind;
  vars: Readonly<Record<string, string | undefined>>;
  home: string;
}

/** A bare command (`uvx`) found as the bridge starts it; undefined when it is nowhere there. */
export async function findSharedProgram(
  command: string,
  s: ProgramSearch,
): Promise<ProgramPlace | undefined> {
  const win = s.kind === "windows";
  const search = win
    ? { pathext: getEnv(s.vars, "PATHEXT") ?? ".COM;.EXE;.BAT;.CMD", access: (p: string) => p }
    : ({ posix: true } as const);
  const onPath = await findOnPath(command, getEnv(s.vars, "PATH") ?? "", search);
  if (onPath) return { file: onPath };
  for (const folder of installFolders(command, s.kind, s.vars, s.home)) {
    const file = await findOnPath(command, folder, search);
    if (file) return { file, folder };
  }
  return undefined;
}

/** The kind of environment this process runs in, for the search (WSL and Linux search alike). */
export function kindOfPlatform(platform: NodeJS.Platform): EnvKind {
  return platform === "win32" ? "windows" : platform === "darwin" ? "macos" : "linux";
}
