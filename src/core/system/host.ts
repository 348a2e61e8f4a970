/**
 * The seams between mcp-twin and the machine it runs on. Core code reads the platform, the
 * environment table, /proc and /etc, and starts processes only through a Host, so tests build
 * faithful fake machines (a temp sysroot, stand-in executables on PATH) and run the real code.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import path from "node:path";
import { dict, own } from "../plain-records.js";
import { createRunner, type Runner } from "./run.js";

type Platform = "win32" | "darwin" | "linux";

export interface Host {
  platform: Platform;
  /** The process environment table. */
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /**
   * Prefix for system paths: `/proc`, `/etc` on Linux, and drive letters / `\\wsl.localhost` on a
   * simulated Windows host. Empty on a real machine.
   */
  sysroot: string;
  runner: Runner;
  now(): Date;
  /** The executable and script of this mcp-twin, for entries that run `mcp-twin connect`. */
  self: { node: string; script: string };
}

/** The Host of this process. `MCP_TWIN_SYSROOT` / `MCP_TWIN_PLATFORM` exist for tests only. */
export function processHost(): Host {
  return hostFrom(process.env, process.cwd(), selfScript());
}

/** The Host main() runs on, for the code of its run that no Host is handed to (async_hooks: loaded at every Node start). */
const running = new AsyncLocalStorage<Host>();

/** `fn` as a run on `host`: inside it, runHost() is that host (main's, cli.ts). */
export function runOn<T>(host: Host, fn: () => T): T {
  return running.run(host, fn);
}

/**
 * The Host of the run in progress, else this process's: what the keychain reads, which no Host is
 * handed to — so a run a test drives in-process with a fake machine's environment reads that machine's.
 */
export function runHost(): Host {
  return running.getStore() ?? processHost();
}

/**
 * A Host over an environment table and working folder: this process's (above), or a run a test
 * drives in-process (`main(argv, hostFrom(env, cwd, binScript))`).
 */
export function hostFrom(
  environment: Readonly<Record<string, string | undefined>>,
  cwd: string,
  script: string,
): Host {
  return hostOver(environment, cwd, script, createRunner());
}

/**
 * The same, with a runner of the caller's: completion's starts nothing, and it never references
 * createRunner, so the completion bundle leaves the process starter out.
 */
export function hostOver(
  environment: Readonly<Record<string, string | undefined>>,
  cwd: string,
  script: string,
  runner: Runner,
): Host {
  // No prototype: `env["toString"]` must be undefined, not a function (`${env:toString}`).
  const env = dict(environment);
  const declared = env.MCP_TWIN_PLATFORM;
  const platform: Platform =
    declared === "win32" || declared === "darwin" || declared === "linux"
      ? declared
      : process.platform === "win32" || process.platform === "darwin"
        ? process.platform
        : "linux";
  return {
    platform,
    env,
    cwd,
    sysroot: env.MCP_TWIN_SYSROOT ?? "",
    runner,
    now: () => new Date(),
    self: { node: process.execPath, script },
  };
}

function selfScript(): string {
  const script = process.argv[1] ?? "";
  return script ? path.resolve(script) : "";
}

/** Case-insensitive lookup, as Windows treats environment names. */
export function getEnv(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const direct = own(env, name);
  if (direct !== undefined) return direct;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(env)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** Home directory of the local user, from the environment table first (tests point it elsewhere). */
export function localHomedir(host: Host): string {
  // node:os when used, not imported: every relay loads this module, and has HOME (bench/relay.ts).
  const os = () => process.getBuiltinModule("node:os");
  if (host.platform === "win32") return getEnv(host.env, "USERPROFILE") ?? os().homedir();
  return host.env.HOME ?? os().homedir();
}

/** A system path under the sysroot (e.g. `/proc/version`). */
export function sysPath(host: Host, absolute: string): string {
  return host.sysroot ? path.join(host.sysroot, absolute) : absolute;
}
