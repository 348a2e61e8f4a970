/**
 * Is a shared server's program there, where the bridge runs it (this side: the bridge is started
 * from here)? File stats on this process's PATH, never a process; the install step when it is not.
 */
import { isAbsoluteAny } from "../environments/launch-paths.js";
import type { Machine } from "../environments/machine.js";
import { installAdvice } from "../environments/program-hints.js";
import { findOnPath, isExecutableFile } from "../environments/which.js";
import { getEnv } from "../system/host.js";

/** A program a shared server runs, missing where the bridge runs it. */
export interface MissingSharedProgram {
  program: string;
  env: string;
  /** How to get it there (a sentence, with its full stop). */
  install: string;
}

export async function missingSharedProgram(
  machine: Machine,
  program: string,
): Promise<MissingSharedProgram | undefined> {
  const env = machine.local;
  const vars = machine.host.env;
  const path = getEnv(vars, "PATH") ?? "";
  const found = isAbsoluteAny(program)
    ? await isExecutableFile(program, env.kind !== "windows")
    : env.kind === "windows"
      ? (await findOnPath(program, path, {
          pathext: getEnv(vars, "PATHEXT") ?? ".COM;.EXE;.BAT;.CMD",
          access: (p) => p,
        })) !== undefined
      : (await findOnPath(program, path, { posix: true })) !== undefined;
  return found ? undefined : { program, env: env.id, install: installAdvice(program, env) };
}
