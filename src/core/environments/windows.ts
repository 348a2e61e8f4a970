/**
 * The Windows environment, reached locally (mcp-twin on Windows) or through WSL interop, its facts
 * from at most two Windows processes and file stats through the drive mount.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { dict } from "../plain-records.js";
import { getEnv, type Host } from "../system/host.js";
import { decodeWindowsOutput, type RunResult, tail } from "../system/run.js";
import type { LocalInfo } from "./local.js";
import { NPM_INFO_ARGS, parseNodeVersion, parseNpmInfo } from "./npm-info.js";
import { windowsToWsl } from "./path-translation.js";
import { npmAdvice } from "./program-hints.js";
import { questions, readShortNames, type ShortNameQuestion, spacedPrefix, UNREADABLE } from "./shortname.js";
import type { EnvFacts, Environment, EnvRunOptions } from "./types.js";
import { findOnPath } from "./which.js";

/**
 * How this process reaches Windows (WSL interop, or Windows itself) — not the MCP bridge (`serve`).
 *
 * The two processes: `cmd.exe /d /c set` (every variable at once) and
 * `npm prefix -g --loglevel=verbose` (prefix, node path and versions).
 */
export interface WindowsInterop {
  /** Native Windows path → a path we can open here. */
  access(nativePath: string): string | undefined;
  /** `cmd.exe /d /s /c <tokens>`; tokens must not need quoting. */
  cmd(tokens: readonly string[], options?: EnvRunOptions): Promise<RunResult>;
  /** Run a Windows executable by its native path. */
  exe(nativePath: string, args: readonly string[], options?: EnvRunOptions): Promise<RunResult>;
  /** cmd.exe prints each path's 8.3 form (`%~sI`), one line each (paths from shortname.ts `questions`). */
  shortNames(paths: readonly string[]): Promise<RunResult>;
}

/** The variable carrying the paths to cmd.exe from WSL (see `shortNamesFromWsl`). */
const PATHS_VAR = "MCP_TWIN_PATHS";
const quoted = (paths: readonly string[]) => paths.map((p) => `"${p}"`).join(" ");

const SAFE_TOKEN = /^[A-Za-z0-9@/._:=+~-]+$/;

function assertSafe(tokens: readonly string[]): void {
  for (const t of tokens) {
    // cmd.exe re-parses its command line; refuse anything it could read as syntax.
    if (!SAFE_TOKEN.test(t)) throw new Error(`refusing to pass ${JSON.stringify(t)} through cmd.exe`);
  }
}

/** Variables crossing from Linux into a Windows process must be named in WSLENV. */
function withWslenv(base: Readonly<Record<string, string | undefined>>, extra: Record<string, string> = {}) {
  const names = Object.keys(extra);
  if (names.length === 0) return { ...base };
  const wslenv = [base.WSLENV, ...names.map((n) => `${n}/w`)].filter(Boolean).join(":");
  return { ...base, ...extra, WSLENV: wslenv };
}

export function windowsInteropFromWsl(host: Host, local: LocalInfo): WindowsInterop {
  const access = (p: string) => windowsToWsl(p, local.mountRoot, local.distro);
  // cmd.exe warns about (and refuses) a Linux working directory: always start it on a drive.
  const cwd = `${local.mountRoot}c`;
  return {
    access,
    cmd: (tokens, options = {}) => {
      assertSafe(tokens);
      return host.runner.run(local.cmdExe ?? "cmd.exe", ["/d", "/s", "/c", ...tokens], {
        cwd,
        env: withWslenv(host.env, options.env),
        ...pick(options),
      });
    },
    exe: (nativePath, args, options = {}) =>
      host.runner.run(access(nativePath) ?? nativePath, args, {
        cwd,
        env: withWslenv(host.env, options.env),
        ...pick(options),
      }),
    // WSL passes each argument on as it is (quoting only those with spaces): the quoted paths
    // travel in a variable that cmd.exe expands before it reads the `for` line.
    shortNames: (paths) =>
      host.runner.run(
        local.cmdExe ?? "cmd.exe",
        ["/d", "/s", "/c", "for", "%I", "in", `(%${PATHS_VAR}%)`, "do", "@echo", "%~sI"],
        { cwd, env: withWslenv(host.env, { [PATHS_VAR]: quoted(paths) }), timeoutMs: 30_000 },
      ),
  };
}

/** mcp-twin on Windows itself. On a simulated host (tests) drives live under the sysroot. */
export function windowsInteropLocal(host: Host): WindowsInterop {
  const access = (p: string) => {
    if (!host.sysroot) return p;
    const drive = /^([A-Za-z]):[\\/]?(.*)$/.exec(p);
    if (drive)
      return path.join(
        host.sysroot,
        (drive[1] ?? "").toLowerCase(),
        ...(drive[2] ?? "").split(/[\\/]+/).filter(Boolean),
      );
    const unc = /^\\\\([^\\]+)\\(.*)$/.exec(p);
    if (unc)
      return path.join(
        host.sysroot,
        (unc[1] ?? "").toLowerCase(),
        ...(unc[2] ?? "").split(/\\+/).filter(Boolean),
      );
    return undefined;
  };
  const env = (extra: Record<string, string> = {}) => ({ ...host.env, ...extra });
  // Absolute System32 paths: no PATH search, so no planted cmd.exe in the current folder wins.
  const comspec =
    getEnv(host.env, "ComSpec") ?? `${getEnv(host.env, "SystemRoot") ?? "C:\\Windows"}\\System32\\cmd.exe`;
  const profile = getEnv(host.env, "USERPROFILE");
  const cwd = profile ? access(profile) : undefined;
  return {
    access,
    cmd: (tokens, options = {}) => {
      assertSafe(tokens);
      return host.runner.run(access(comspec) ?? comspec, ["/d", "/s", "/c", ...tokens], {
        env: env(options.env),
        ...(cwd ? { cwd } : {}),
        ...pick(options),
      });
    },
    exe: (nativePath, args, options = {}) =>
      host.runner.run(access(nativePath) ?? nativePath, args, {
        env: env(options.env),
        ...(cwd ? { cwd } : {}),
        ...pick(options),
      }),
    // The command line as cmd.exe reads it, quotes and all (Node would escape them otherwise).
    shortNames: (paths) =>
      host.runner.run(
        access(comspec) ?? comspec,
        ["/d", "/s", "/c", `"for %I in (${quoted(paths)}) do @echo %~sI"`],
        { env: env(), ...(cwd ? { cwd } : {}), timeoutMs: 30_000, verbatim: true },
      ),
  };
}

function pick(options: EnvRunOptions) {
  return {
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onOutput ? { onOutput: options.onOutput } : {}),
  };
}

/** `NAME=value` lines of `cmd /c set` → a table (names as Windows spells them). */
export function parseSetOutput(text: string): Record<string, string> {
  const vars = dict<string>();
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    vars[line.slice(0, eq)] = line.slice(eq + 1).replace(/\r$/, "");
  }
  return vars;
}

/** The variables we keep, under canonical upper-case names. */
const KEPT = [
  "APPDATA",
  "LOCALAPPDATA",
  "USERPROFILE",
  "USERNAME",
  "PATH",
  "PATHEXT",
  "PROGRAMFILES",
  "SYSTEMROOT",
  "NPM_CONFIG_PREFIX",
];

export function keepWindowsVars(all: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out = dict<string>();
  for (const name of KEPT) {
    const v = getEnv(all, name);
    if (v !== undefined && v !== "") out[name] = v;
  }
  return out;
}

/** One interop call: every Windows variable we need. */
export async function readWindowsVars(interop: WindowsInterop): Promise<Record<string, string>> {
  const result = await interop.cmd(["set"], { timeoutMs: 30_000 });
  const vars = keepWindowsVars(parseSetOutput(decodeWindowsOutput(result.stdout)));
  if (!vars.USERPROFILE || !vars.APPDATA) {
    const why = result.spawnError ?? tail(decodeWindowsOutput(result.stderr), 3);
    throw new Error(`could not read Windows environment variables through cmd.exe${why ? `: ${why}` : ""}`);
  }
  return vars;
}

export async function gatherWindowsFacts(
  interop: WindowsInterop,
  vars: Record<string, string>,
): Promise<EnvFacts> {
  const facts: EnvFacts = {
    id: "windows",
    kind: "windows",
    home: vars.USERPROFILE ?? "",
    vars,
    usable: false,
  };
  const nodeOnPath = await findOnPath("node", vars.PATH ?? "", {
    pathext: vars.PATHEXT ?? ".COM;.EXE;.BAT;.CMD",
    access: (p) => interop.access(p),
  });
  const npmRun = await interop.cmd(["npm", ...NPM_INFO_ARGS], { timeoutMs: 60_000 });
  const info = parseNpmInfo(decodeWindowsOutput(npmRun.stdout), decodeWindowsOutput(npmRun.stderr));
  const nodePath = info.nodePath ?? (nodeOnPath && /\.exe$/i.test(nodeOnPath) ? nodeOnPath : undefined);
  if (nodePath) {
    let version = info.nodeVersion;
    if (!version)
      version = parseNodeVersion(
        decodeWindowsOutput((await interop.exe(nodePath, ["--version"], { timeoutMs: 30_000 })).stdout),
      );
    facts.node = { path: nodePath, ...(version ? { version } : {}) };
  }
  if (npmRun.exitCode === 0 && info.prefix)
    facts.npm = { prefix: info.prefix, ...(info.npmVersion ? { version: info.npmVersion } : {}) };

  if (!facts.node) {
    facts.reason = "Node.js is not installed on Windows (no node.exe on the Windows PATH)";
    facts.fix = npmAdvice(facts, false);
  } else if (!facts.npm)
    facts.reason = `npm did not answer on Windows: ${tail(decodeWindowsOutput(npmRun.stderr), 2) || `exit ${npmRun.exitCode}`}`;
  else facts.usable = true;
  return facts;
}

/**
 * The node.exe a client finds first on the Windows PATH (a bare `node.exe` command), by file
 * stats. `path` is the PATH to search (default: the one in the facts).
 */
export async function nodeExeOnPath(
  facts: Pick<EnvFacts, "vars">,
  access: (p: string) => string | undefined,
  path = facts.vars.PATH ?? "",
): Promise<string | undefined> {
  return findOnPath("node.exe", path, { pathext: "", access });
}

const askedThisRun = new WeakMap<WindowsInterop, Set<string>>();

/**
 * Asks Windows (one cmd.exe) for the 8.3 names of the folders with spaces in `paths` that the
 * facts do not know yet, and records the answers in the facts. True when they changed.
 */
export async function learnShortNames(
  interop: WindowsInterop,
  facts: EnvFacts,
  paths: ReadonlyArray<string | undefined>,
  pathValue?: string,
): Promise<boolean> {
  // Node's own folder needs no short name while that node.exe is the one found first on the
  // PATH: its entries then say `node.exe` (desired.ts).
  const nodeDir = facts.node ? spacedPrefix(facts.node.path)?.prefix.toLowerCase() : undefined;
  let nodeFirst: boolean | undefined;
  const settled = async (prefix: string) => {
    if (prefix.toLowerCase() !== nodeDir) return false;
    nodeFirst ??=
      (await nodeExeOnPath(facts, interop.access, pathValue))?.toLowerCase() ===
      facts.node?.path.toLowerCase();
    return nodeFirst;
  };
  const ask: ShortNameQuestion[] = [];
  // A folder already asked about by this run (through this interop) is not asked again: its answer
  // is in the facts, or it has none yet, which a second ask in the same run would not change.
  const asked = askedThisRun.get(interop) ?? new Set<string>();
  askedThisRun.set(interop, asked);
  for (const q of questions(paths, facts.shortNames)) {
    const k = q.prefix.toLowerCase();
    const known = facts.shortNames?.[k];
    if (asked.has(k) && known !== undefined) continue;
    if (!((known === "" || known === UNREADABLE) && (await settled(q.prefix)))) ask.push(q);
  }
  if (ask.length === 0) return false;
  for (const q of ask) asked.add(q.prefix.toLowerCase());
  const result = await interop.shortNames(ask.map((q) => q.path));
  const learned = readShortNames(ask, decodeWindowsOutput(result.stdout));
  const before = facts.shortNames ?? {};
  // An answer that could not be read is recorded as such, so that a sync with nothing to do does
  // not ask again for a folder whose short name no entry needs.
  for (const q of ask) {
    const k = q.prefix.toLowerCase();
    if (learned[k] === undefined && before[k] === undefined) learned[k] = UNREADABLE;
  }
  if (Object.entries(learned).every(([k, v]) => before[k] === v)) return false;
  facts.shortNames = { ...before, ...learned };
  return true;
}

/** A cheap fingerprint of the Windows facts: file stats only, no process. */
export async function windowsStamp(interop: WindowsInterop, facts: EnvFacts): Promise<string> {
  const at = (p: string | undefined) => (p ? interop.access(p) : undefined);
  // The prefix folder's mtime changes with every install, so only its existence counts. node.exe
  // is judged by size: a Node upgrade replaces it with a different build, while tools that
  // merely touch it (copies, backups, the WSL simulator) change its mtime.
  const [node, prefix, npmrc] = await Promise.all([
    statStamp(at(facts.node?.path)),
    statStamp(at(facts.npm?.prefix)),
    statStamp(at(facts.vars.USERPROFILE ? `${facts.vars.USERPROFILE}\\.npmrc` : undefined)),
  ]);
  return [node.replace(/^f\d+:/, "f"), prefix.startsWith("d") ? "d" : "-", npmrc].join("|");
}

/** mtime and size of a file, "missing" when absent: enough to notice an upgrade. */
export async function statStamp(file: string | undefined): Promise<string> {
  if (!file) return "-";
  try {
    const s = statSync(file);
    return `${s.isDirectory() ? "d" : "f"}${Math.trunc(s.mtimeMs)}:${s.size}`;
  } catch {
    return "missing";
  }
}

export function windowsEnvironment(facts: EnvFacts, interop: WindowsInterop, local: boolean): Environment {
  return {
    ...facts,
    local,
    style: "win32",
    access: (p) => interop.access(p),
    exec: (command, args, options) => interop.exe(command, args, options),
    runNpm: (args, options) => interop.cmd(["npm", ...args], options),
  };
}
