/**
 * Is a shared server's program there, where the bridge runs it (this side: the bridge is started
 * from here)? File stats as the bridge looks (program-search.ts), never a process; the install step when it is not.
 */
import { isAbsoluteAny } from "../environments/launch-paths.js";
import type { Machine } from "../environments/machine.js";
import { installAdvice, sharedStartsAfter } from "../environments/program-hints.js";
import { findSharedProgram } from "../environments/program-search.js";
import { isExecutableFile } from "../environments/which.js";
import { localHomedir } from "../system/host.js";

/** A program a shared server runs, missing where the bridge runs it. */
export interface MissingSharedProgram {
  program: string;
  env: string;
  /** How to get it there (a sentence, with its full stop). */
  install: string;
  /** What starts it once installed so (no full stop). */
  startsAfter: string;
}

export async function missingSharedProgram(
  machine: Machine,
  program: string,
): Promise<MissingSharedProgram | undefined> {
  const env = machine.local;
  const found = isAbsoluteAny(program)
    ? await isExecutableFile(program, env.kind !== "windows")
    : (await findSharedProgram(program, {
        kind: env.kind,
        vars: machine.host.env,
        home: localHomedir(machine.host),
      })) !== undefined;
  return found
    ? undefined
    : {
        program,
        env: env.id,
        install: installAdvice(program, env),
        startsAfter: sharedStartsAfter(program, env.kind),
      };
}
