/**
 * Is the program of a raw `command` server (uvx, python, docker, …) there, in the environment the
 * entry runs in? File stats on that environment's PATH, never a process.
 */
import { stat } from "node:fs/promises";
import { type Restarts, startAgain } from "../../clients/restarts.js";
import type { Target } from "../../clients/types.js";
import { isAbsoluteAny } from "../../environments/launch-paths.js";
import { programName } from "../../environments/program.js";
import { installAdvice, programHint, sharedStartsAfter } from "../../environments/program-hints.js";
import { findSharedProgram } from "../../environments/program-search.js";
import type { Environment } from "../../environments/types.js";
import { getEnv } from "../../system/host.js";
import type { BuiltEntry } from "../target-entry.js";
import type { MissingProgram } from "./missing-programs.js";
import { lookup } from "./resolve.js";

/**
 * Where a client's shell-less start looks for a program in each environment. Local POSIX: this
 * process's PATH (a terminal client's own). Windows: its PATH. A distro reached from Windows:
 * entries start through a login shell there, whose PATH cannot be read without a process, so
 * only a hit in the usual places counts (a miss is "cannot tell", never "missing").
 */
function searchPath(env: Environment, hostEnv: Readonly<Record<string, string | undefined>>) {
  if (env.style === "win32") return { path: env.vars.PATH ?? env.vars.Path ?? "", sure: true };
  if (env.local) return { path: getEnv(hostEnv, "PATH") ?? "", sure: true };
  const home = env.home.replace(/\/+$/, "");
  return {
    path: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${home}/.local/bin:${home}/.cargo/bin`,
    sure: false,
  };
}

/**
 * true: found; false: surely missing; undefined: cannot tell from here. `shared`: the bridge starts
 * it, and the bridge of this side looks where the program's installer puts it too (program-search.ts).
 */
async function programThere(
  env: Environment,
  program: string,
  hostEnv: Readonly<Record<string, string | undefined>>,
  shared: boolean,
): Promise<boolean | undefined> {
  if (shared && env.local && !isAbsoluteAny(program))
    return (
      (await findSharedProgram(program, { kind: env.kind, vars: hostEnv, home: env.home })) !== undefined
    );
  if (isAbsoluteAny(program)) {
    const local = env.access(program);
    if (!local) return undefined;
    return stat(local).then(
      (s) => s.isFile(),
      () => false,
    );
  }
  const where = searchPath(env, hostEnv);
  if (await lookup(env, program, where.path)) return true;
  return where.sure ? false : undefined;
}

/** How to get a missing program in one environment (no full stop: a sentence goes on after it). */
function installStep(program: string, env: Pick<Environment, "id" | "kind">): string {
  return programHint(program, env.kind)
    ? installAdvice(program, env).replace(/\.$/, "")
    : `Install ${programName(program)} there, or set "command" to its absolute path`;
}

/** The problem for an entry whose program is missing where it runs (the message names the fix). */
function missingProgram(
  program: string,
  env: Pick<Environment, "id" | "kind">,
  client: Restarts | undefined,
  shared: boolean,
): { code: string; message: string; missing: MissingProgram } {
  const where = isAbsoluteAny(program) ? "" : " (not on its PATH)";
  const install = installStep(program, env);
  const then = shared
    ? sharedStartsAfter(program, env.kind)
    : client
      ? startAgain([client])
      : "restart the client";
  return {
    code: "program-missing",
    message: `\`${program}\` is not found in ${env.id}${where}, so this entry cannot start there; it is written, and starts once the program is there. ${install}; then ${then}.`,
    missing: {
      program,
      env: env.id,
      install,
      ...(shared ? { shared: true as const, startsAfter: then } : {}),
    },
  };
}

/**
 * Mark every built entry whose program is missing where it runs (each program looked up once per
 * environment). Mutates the entries' `problems`.
 *
 * An entry whose program is missing is still written (it starts once the program is installed),
 * but the target's report says so, with the install command for that environment and what then
 * starts it (a restart or a new session: not another sync, which would change nothing): "+time"
 * alone would be untrue.
 */
export async function checkPrograms(
  desired: ReadonlyMap<string, ReadonlyMap<string, BuiltEntry>>,
  envs: readonly Environment[],
  hostEnv: Readonly<Record<string, string | undefined>>,
  targets: readonly Pick<Target, "key" | "client">[] = [],
): Promise<void> {
  const seen = new Map<string, Promise<boolean | undefined>>();
  for (const [key, entries] of desired) {
    const client = targets.find((t) => t.key === key)?.client;
    for (const built of entries.values()) {
      if (!built.ok || !built.program) continue;
      const env = envs.find((e) => e.id === built.runsIn);
      if (!env) continue;
      const shared = built.shared === true;
      const id = `${env.id}\0${built.program}\0${shared}`;
      if (!seen.has(id)) seen.set(id, programThere(env, built.program, hostEnv, shared));
      if ((await seen.get(id)) === false)
        built.problems = [
          ...(built.problems ?? []),
          missingProgram(built.program, env, client, built.shared === true),
        ];
    }
  }
}
