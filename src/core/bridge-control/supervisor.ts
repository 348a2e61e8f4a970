/**
 * The loop that keeps the bridge running where the service manager cannot restart it soon enough
 * (Task Scheduler: a minute at best) or at all (an XDG autostart entry, a shell's start-up). Pure.
 */
import { ExitCode } from "../errors.js";

/** The supervisor's name (`$0` of its sh, as `ps` shows it). */
const SUPERVISOR_NAME = "mcp-twin-bridge";

/** `serve --http` with the manifest's settings (port and host are read from it at each start). */
export const SERVE = ["serve", "--http"] as const;

const RUNNING = ExitCode.bridgeRunning;

/**
 * The sh loop (its arguments: the bridge's command line). Exit 0 (stopped: `bridge stop`, the
 * session's end) or 3 (another bridge of this home runs) ends it with that code; any other end is
 * a failure, and the bridge is started again after 1 s, then 2, 4 and at most 5 s while it keeps
 * failing: back within seconds after a crash, never a busy loop, never given up. No `"`-free
 * form exists for `"$@"`, so each place it is written quotes it its own way.
 */
export const SH_LOOP = `p=1; while :; do "$@"; s=$?; case $s in 0|${RUNNING}) exit $s;; esac; sleep $p; p=$((p < 3 ? p * 2 : 5)); done`;

/**
 * The loop around a bridge that mcp-twin starts itself (sync, `bridge start`, a relay), POSIX: its
 * first argument is the bridge's serve.json. As SH_LOOP, but a bridge that ends without having run
 * (no serve.json: it could not start — a port taken, a bad setting) ends the loop with its code, so
 * the starter says why at once instead of the loop trying for ever behind its back; a bridge that
 * ran and crashed (SIGKILL, an uncaught error: serve.json stays) is started again.
 */
const SH_START_LOOP = `f=$1; shift; p=1; while :; do "$@"; s=$?; case $s in 0|${RUNNING}) exit $s;; esac; [ -e "$f" ] || exit $s; sleep $p; p=$((p < 3 ? p * 2 : 5)); done`;

/** Whether a command line (argv) is the start loop's. */
export const isStartLoop = (argv: readonly string[]): boolean =>
  argv[1] === "-c" && argv[2] === SH_START_LOOP && argv[3] === SUPERVISOR_NAME;

/** `/bin/sh` and its arguments: the start loop around the bridge's command line (`argv`). */
export function shStartLoop(serveJson: string, argv: readonly string[]): [string, string[]] {
  return ["/bin/sh", ["-c", SH_START_LOOP, SUPERVISOR_NAME, serveJson, ...argv]];
}

/**
 * The supervisor's command line in a Linux environment: `/usr/bin/env` with the variables the
 * bridge must see (none: no env), then `sh -c` with the loop and the bridge's command line.
 */
export function shSupervisor(
  program: { node: string; script: string },
  carried: Readonly<Record<string, string>>,
): string[] {
  const vars = Object.entries(carried).map(([k, v]) => `${k}=${v}`);
  return [
    ...(vars.length > 0 ? ["/usr/bin/env", ...vars] : []),
    "/bin/sh",
    "-c",
    SH_LOOP,
    SUPERVISOR_NAME,
    program.node,
    program.script,
    ...SERVE,
  ];
}

/** One word for sh: as it is when it is safe, else in single quotes (`'` as `'\''`). */
function shQuote(a: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`;
}

/**
 * A line for a shell's start-up file (~/.profile) that starts the supervisor in its own session,
 * away from the terminal; another login's line ends at once with exit 3 while one runs.
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

/** A path in a batch file: in double quotes, `%` doubled (a Windows path holds no `"`). */
const batchPath = (p: string) => `"${p.replace(/%/g, "%%")}"`;

/**
 * The Windows loop (a batch file; the logon task runs it through cmd.exe): as the sh loop, but a
 * stop is no exit 0 on Windows (`bridge stop` ends the bridge with TerminateProcess: exit code 1),
 * so `stop-requested` in the bridge's state folder, written before that, ends it too. The pause is
 * `ping`'s, which needs no console input. `chcp 65001` first: cmd reads the lines after it as
 * UTF-8 (a user name with an accent is in these paths). CRLF, as cmd expects.
 */
export function cmdLoop(program: { node: string; script: string }, stopMarker: string): string {
  return [
    "@echo off",
    "chcp 65001 >nul",
    "rem Written by mcp-twin: the logon task mcp-twin-bridge runs this to keep its bridge running.",
    "rem Started again after a failure (1 s, then 2, 4 and at most 5 s later); not after exit code 0,",
    `rem nor ${RUNNING} (another bridge of this home runs), nor mcp-twin bridge stop. mcp-twin uninstall removes it.`,
    "setlocal DisableDelayedExpansion",
    "set mcp_twin_pause=1",
    ":run",
    `${batchPath(program.node)} ${batchPath(program.script)} ${SERVE.join(" ")}`,
    "set mcp_twin_exit=%errorlevel%",
    'if "%mcp_twin_exit%"=="0" exit /b 0',
    `if "%mcp_twin_exit%"=="${RUNNING}" exit /b ${RUNNING}`,
    `if exist ${batchPath(stopMarker)} exit /b 0`,
    "set /a mcp_twin_ping=mcp_twin_pause+1",
    "ping -n %mcp_twin_ping% 127.0.0.1 >nul",
    "if %mcp_twin_pause% lss 3 (set /a mcp_twin_pause=mcp_twin_pause*2) else (set mcp_twin_pause=5)",
    "goto run",
    "",
  ].join("\r\n");
}
