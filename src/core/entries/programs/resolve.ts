/**
 * Gathering (I/O): where an entry's program and script are, in the environment they run in, and how to
 * start the entry from here exactly as its client would.
 */
import { existsSync, readdirSync } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import type { EntryView, Target } from "../../clients/types.js";
import { isWindowsAbsolute } from "../../environments/launch-paths.js";
import type { Machine } from "../../environments/machine.js";
import { cmdQuote } from "../../environments/path-translation.js";
import { isBatchFile } from "../../environments/program.js";
import type { Environment } from "../../environments/types.js";
import { findOnPath, isExecutableFile } from "../../environments/which.js";
import { getEnv } from "../../system/host.js";
import { nodeScript } from "../launch/node-script.js";
import { shellCall, wslCall } from "../launch/wrappers.js";

interface PathFact {
  path: string;
  /** undefined: cannot tell from here. */
  exists: boolean | undefined;
  env: string;
}

export interface SpawnPlan {
  file: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Windows: pass the command line as is (cmd.exe /d /s /c "…"). */
  verbatim?: boolean;
}

export interface Resolved {
  /** The command as written, where it runs, and what it resolves to. */
  command: PathFact & { found?: string };
  /** For `wsl.exe …` entries: the program started inside the distro. */
  inner?: PathFact & { found?: string; distro: string };
  script?: PathFact;
  spawn?: SpawnPlan;
  noSpawn?: string;
}

/** The PATH a `wsl.exe --exec` (or non-login shell) program sees before ~/.bashrc. */
const WSL_EXEC_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const POSIX_WHITELIST = ["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER"];

async function exists(env: Environment, nativePath: string): Promise<boolean | undefined> {
  const local = env.access(nativePath);
  if (!local) return undefined;
  try {
    await stat(local);
    return true;
  } catch {
    return false;
  }
}

/**
 * Windows paths are case-insensitive (`C:\Windows\system32` on PATH is the `System32` folder), but
 * seen from Linux a DrvFs folder may be case-sensitive (per-directory flag, or a copy of it): find
 * the real spelling, one folder at a time, only when the exact one is missing.
 */
export function matchCase(local: string): string {
  if (existsSync(local)) return local;
  const parts = local.split("/");
  let current = parts[0] === "" ? "/" : (parts[0] ?? "");
  for (const part of parts.slice(1)) {
    if (!part) continue;
    const exact = path.posix.join(current, part);
    if (existsSync(exact)) {
      current = exact;
      continue;
    }
    let names: string[];
    try {
      names = readdirSync(current);
    } catch {
      return local;
    }
    const hit = names.find((n) => n.toLowerCase() === part.toLowerCase());
    if (!hit) return local;
    current = path.posix.join(current, hit);
  }
  return current;
}

/** Find a program on a PATH of an environment (file stats through its access path). */
export async function lookup(env: Environment, name: string, pathValue: string): Promise<string | undefined> {
  if (env.style === "win32")
    return findOnPath(name, pathValue, {
      pathext: env.vars.PATHEXT ?? ".COM;.EXE;.BAT;.CMD",
      access: (p) => {
        const local = env.access(p);
        return local && !env.local ? matchCase(local) : local;
      },
    });
  if (env.local) return findOnPath(name, pathValue, { posix: true });
  for (const dir of pathValue.split(":").filter(Boolean)) {
    const candidate = `${dir.replace(/\/+$/, "")}/${name}`;
    const local = env.access(candidate);
    if (local && (await isExecutableFile(local, false))) return candidate;
  }
  return undefined;
}

export interface ResolveContext {
  machine: Machine;
  envs: readonly Environment[];
  /** The project folder (Claude Code's working directory). */
  project: string;
  /** The top level of the target's file (Gemini CLI's own allow and block lists of variables). */
  settings?: Readonly<Record<string, unknown>>;
}

function pathOf(env: Environment, machine: Machine): string {
  if (env.style === "win32") return env.vars.PATH ?? "";
  if (env.local) return getEnv(machine.host.env, "PATH") ?? "";
  return WSL_EXEC_PATH;
}

function distroEnv(envs: readonly Environment[], distro: string | undefined): Environment | undefined {
  const wsl = envs.filter((e) => e.kind === "wsl");
  if (distro) return wsl.find((e) => e.distro?.toLowerCase() === distro.toLowerCase());
  return wsl.find((e) => e.local) ?? wsl[0];
}

/**
 * The same command, arguments and environment, in the client's environment. A Windows client's
 * entry run from WSL goes through interop (`C:\…\node.exe` becomes the drive-mount path; variables
 * cross via WSLENV); `wsl.exe …` entries run as written; a WSL client's entry run from Windows goes
 * through `wsl.exe --exec`.
 */
export async function resolveEntry(target: Target, view: EntryView, ctx: ResolveContext): Promise<Resolved> {
  const env = target.env;
  const written = view.command ?? "";
  const command: Resolved["command"] = { path: written, exists: undefined, env: env.id };
  if (/[\\/]/.test(written)) {
    command.exists = await exists(env, written);
    command.found = written;
  } else {
    const found = await lookup(env, written, pathOf(env, ctx.machine));
    command.exists = found !== undefined;
    if (found) command.found = found;
  }
  const out: Resolved = { command };

  // What finally runs, and where.
  const wsl = env.kind === "windows" ? wslCall(written, view.args) : undefined;
  let runEnv = env;
  let program = { command: written, args: view.args };
  if (wsl?.command) {
    const inside = distroEnv(ctx.envs, wsl.distro);
    const distro = wsl.distro ?? inside?.distro ?? "(default)";
    program = { command: wsl.command, args: wsl.args };
    const inner: NonNullable<Resolved["inner"]> = {
      path: wsl.command,
      exists: undefined,
      env: inside?.id ?? `wsl:${distro}`,
      distro,
    };
    if (inside && !shellCall(wsl.command, wsl.args)) {
      runEnv = inside;
      if (wsl.command.startsWith("/")) {
        inner.exists = await exists(inside, wsl.command);
        inner.found = wsl.command;
      } else {
        const found = await lookup(inside, wsl.command, WSL_EXEC_PATH);
        inner.exists = found !== undefined ? true : undefined;
        if (found) inner.found = found;
      }
    }
    out.inner = inner;
  }
  const script = nodeScript(program.command, program.args);
  if (script && (script.startsWith("/") || isWindowsAbsolute(script))) {
    const scriptEnv = isWindowsAbsolute(script)
      ? (ctx.envs.find((e) => e.kind === "windows") ?? runEnv)
      : runEnv;
    out.script = { path: script, exists: await exists(scriptEnv, script), env: scriptEnv.id };
  }
  Object.assign(out, await spawnPlan(target, view, command.found, ctx));
  return out;
}

/** How to start the entry from here, as its client would. */
async function spawnPlan(
  target: Target,
  view: EntryView,
  found: string | undefined,
  ctx: ResolveContext,
): Promise<Pick<Resolved, "spawn" | "noSpawn">> {
  const { machine } = ctx;
  const host = machine.host;
  const env = target.env;
  const written = view.command ?? "";
  const gui = target.client.gui;
  const names = Object.keys(view.env).filter((n) => n !== "WSLENV");

  if (env.local && env.style === "posix") {
    // A desktop app passes a small environment; Codex its own allow-list (the entry's forwarded
    // variables are in view.env already); a terminal client all of its own.
    // Gemini CLI its own less the variables named like secrets.
    const keep = gui ? POSIX_WHITELIST : target.client.serverEnv?.posix;
    const filter = gui ? undefined : target.client.serverEnvFilter;
    const base = keep
      ? Object.fromEntries(keep.flatMap((k) => (host.env[k] !== undefined ? [[k, host.env[k]]] : [])))
      : filter
        ? filter(host.env, ctx.settings)
        : { ...host.env };
    return {
      spawn: {
        file: written,
        args: view.args,
        env: { ...base, ...view.env },
        cwd: gui ? env.home : ctx.project,
      },
    };
  }

  if (env.kind === "windows") {
    if (!env.local && !machine.local.interop)
      return {
        noSpawn: `Windows programs cannot be started from here: ${machine.local.interopReason ?? "interop is off"}`,
      };
    if (!found) return { noSpawn: `${written} is not found on the Windows PATH` };
    const reached = env.access(found);
    const local = reached && !env.local ? matchCase(reached) : reached;
    if (!local) return { noSpawn: `${found} cannot be reached from here` };
    const cwd = env.local ? undefined : env.access(env.vars.USERPROFILE ?? "C:\\");
    const own =
      env.local && target.client.serverEnvFilter ? target.client.serverEnvFilter(host.env) : host.env;
    const crossing = env.local
      ? { ...own, ...view.env }
      : {
          ...host.env,
          ...view.env,
          WSLENV: [host.env.WSLENV, ...names.map((n) => `${n}/w`), view.env.WSLENV].filter(Boolean).join(":"),
        };
    if (isBatchFile(found)) {
      // A batch file only runs inside cmd.exe (the SDK's cross-spawn does the same; the lint says
      // whether the client does).
      const comspec = `${env.vars.SYSTEMROOT ?? "C:\\Windows"}\\System32\\cmd.exe`;
      const cmdLocal =
        env.local && !host.sysroot ? (getEnv(host.env, "ComSpec") ?? "cmd.exe") : env.access(comspec);
      if (!cmdLocal) return { noSpawn: "cmd.exe cannot be reached from here" };
      const line = [found, ...view.args].map(cmdQuote).join(" ");
      return env.local
        ? { spawn: { file: cmdLocal, args: ["/d", "/s", "/c", `"${line}"`], env: crossing, verbatim: true } }
        : {
            spawn: {
              file: cmdLocal,
              // No /s: cmd then keeps the quotes interop puts around a path with spaces.
              args: ["/d", "/c", found, ...view.args],
              env: crossing,
              ...(cwd ? { cwd } : {}),
            },
          };
    }
    return { spawn: { file: local, args: view.args, env: crossing, ...(cwd ? { cwd } : {}) } };
  }

  if (env.kind === "wsl" && !env.local) {
    const wslExe = machine.windows?.access(
      `${getEnv(host.env, "SystemRoot") ?? "C:\\Windows"}\\System32\\wsl.exe`,
    );
    return {
      spawn: {
        file: host.sysroot ? "wsl.exe" : (wslExe ?? "wsl.exe"),
        args: ["-d", env.distro ?? "", "--exec", written, ...view.args],
        env: {
          ...host.env,
          ...view.env,
          WSLENV: [host.env.WSLENV, ...names.map((n) => `${n}/u`)].filter(Boolean).join(":"),
        },
      },
    };
  }
  return { noSpawn: `cannot start programs of ${env.id} from here` };
}
