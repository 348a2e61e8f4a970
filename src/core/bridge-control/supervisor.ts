/**
 * The loop that keeps the bridge running where the service manager cannot restart it soon enough
 * (Task Scheduler: a minute at best) or at all (an XDG autostart entry, a shell's start-up). Pure.
 */
import { ExitCode } from "../errors.js";

/** The keeper's name (`$0` of its sh, as `ps` shows it). */
const KEEPER_NAME = "mcp-twin-bridge";

/** `serve --http` with the manifest's settings (port and host are read from it at each start). */
export const SERVE = ["serve", "--http"] as const;

/** What every start at logon runs: the lifecycle's own start (lifecycle.ts), which keeps it running. */
export const START = ["bridge", "start"] as const;

const RUNNING = ExitCode.bridgeRunning;
const RESTART = ExitCode.bridgeRestart;

/**
 * The keeper: an sh that holds the bridge's listening socket (its fd 3, bound by the starter) for
 * as long as it runs, and starts the bridge on it (`--listen-fd 3`) again whenever it ends on a
 * failure — after 1 s, then 2, 4 and at most 5 s — so from the first start until a stop no other
 * program, of any account, can take the port the entries name: while no bridge runs, connections
 * wait in the socket's queue for the next one. Its arguments: the state folder, then the bridge's
 * command line. Exit 0 (a stop) or 3 (another bridge of this home runs) ends it with that code; 4 is
 * `bridge restart` (started again at once, on the same socket); `stop-requested` in the state
 * folder ends it (a stop while no bridge ran: crashed, failing, or in its pause); a bridge that
 * ends without having run (no serve.json: a bad setting) ends it with its code, so the starter
 * says why at once. About 0.1 MB of private memory (docs/dev/performance.md).
 */
export const KEEP_LOOP = `d=$1; shift; p=1; while :; do "$@"; s=$?; case $s in 0|${RUNNING}) exit $s;; ${RESTART}) p=1; continue;; esac; [ -e "$d/stop-requested" ] && exit 0; [ -e "$d/serve.json" ] || exit $s; sleep $p; p=$((p < 3 ? p * 2 : 5)); [ -e "$d/stop-requested" ] && exit 0; done`;

/** `/bin/sh` and its arguments: the keeper of the bridge of `stateDir`, around its command line. */
export function keeperArgv(stateDir: string, argv: readonly string[]): [string, string[]] {
  return ["/bin/sh", ["-c", KEEP_LOOP, KEEPER_NAME, stateDir, ...argv]];
}

/**
 * Which bridge a process keeps running, by its command line (argv) and, for the Node keeper, the
 * state folder its environment names (`stateOf`): the state folder, or undefined when it keeps none.
 */
export function keptBy(argv: readonly string[], stateOf: () => string | undefined): string | undefined {
  // The Node keeper (socket-keeper.ts: Windows' own, which runs anywhere): its environment says whose.
  if (argv[2] === "serve" && argv.includes("--http") && argv.includes("--keep")) return stateOf();
  if (argv[1] !== "-c" || argv[3] !== KEEPER_NAME) return undefined;
  return argv[2] === KEEP_LOOP ? argv[4] : undefined;
}

type Program = { node: string; script: string };
type Vars = Readonly<Record<string, string>>;

/**
 * The command line a start at logon runs in a Linux environment: `/usr/bin/env` with the variables
 * the bridge must see (none: no env), then mcp-twin's `bridge start`, which starts the keeper and
 * returns.
 */
export function startArgv(program: Program, carried: Vars): string[] {
  return withVars(carried, [program.node, program.script, ...START]);
}

/** `argv` run by `/usr/bin/env` with the variables `carried` (none: as it is). */
function withVars(carried: Vars, argv: readonly string[]): string[] {
  const vars = Object.entries(carried).map(([k, v]) => `${k}=${v}`);
  return [...(vars.length > 0 ? ["/usr/bin/env", ...vars] : []), ...argv];
}

/**
 * The WSL task's command line: the distro stops once no Windows program holds a process in it, so
 * the task's `wsl.exe` waits, in an sh, as long as the keeper it started (keeper.json's pid) runs:
 * `bridge start`, then a check every 30 s. A start that says it failed while a keeper runs (a
 * bridge slow to answer at a busy logon) is waited on all the same — ending the task would end the
 * distro and the bridge with it; with no keeper the task ends with the start's code. Its arguments:
 * keeper.json, then the start's command line.
 */
export const WAIT_LOOP = `k=$1; shift; "$@"; s=$?; w=; while p=$(sed -n 's/^{"pid":\\([0-9]*\\).*/\\1/p' "$k" 2>/dev/null) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; do w=1; sleep 30; done; [ -n "$w" ] || exit $s`;

/** `/usr/bin/env …` and `/bin/sh -c WAIT_LOOP`: the start, waited for while its keeper runs (WSL's task). */
export function waitingStartArgv(program: Program, carried: Vars, keeperFile: string): string[] {
  return withVars(carried, ["/bin/sh", "-c", WAIT_LOOP, KEEPER_NAME, keeperFile, ...startArgv(program, {})]);
}

/** One word for sh: as it is when it is safe, else in single quotes (`'` as `'\''`). */
const shQuote = (a: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);

/**
 * A line for a shell's start-up file (~/.profile) that starts the bridge in its own session, away
 * from the terminal; another login's start finds it running and ends.
 */
export function shellStartLine(argv: readonly string[]): string {
  return `(setsid ${argv.map(shQuote).join(" ")} </dev/null >/dev/null 2>&1 &)`;
}

/**
 * A desktop entry's Exec value (the Desktop Entry Specification): an argument with a reserved
 * character in double quotes, `"` `` ` `` `$` `\` escaped in them; `%` doubled (field codes); then
 * every `\` doubled again, as the value is a string whose escapes are read first.
 */
export function desktopExec(argv: readonly string[]): string {
  const arg = (a: string) =>
    a !== "" && !/[\s"'\\><~|&;$*?#()`]/.test(a) ? a : `"${a.replace(/["`$\\]/g, "\\$&")}"`;
  return argv.map(arg).join(" ").replace(/%/g, "%%").replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}
