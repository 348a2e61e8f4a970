/**
 * The run loop: one run's signals (Ctrl-C, SIGTERM and SIGHUP stop it alike), one command's flags
 * checked, its module loaded and run, its caches kept; what parsing throws, as an exit code.
 */
import { setMaxListeners } from "node:events";
import { type Command, CommanderError } from "commander";
import type { CommandContext } from "../commands/shared/command.js";
import { ExitCode, InterruptedError, UsageError } from "../core/errors.js";
import type { Host } from "../core/system/host.js";
import { journalMark } from "../core/system/journal.js";
import { abortableRunner } from "../core/system/run.js";
import { createOutput, type Output, type Terminal } from "../ui/output.js";
import { reportError } from "../ui/report-error.js";
import {
  checkShared,
  type Loader,
  localPathOptions,
  type MergedOptions,
  mergedOptions,
} from "./build-program.js";

/** What one run's steps share: its host and terminal, its abort, and whether a signal came. */
export interface Run {
  /** The host commands get: every process they start is stopped by the abort. */
  host: Host;
  terminal: Terminal;
  abort: AbortController;
  interrupted: boolean;
  /** `serve` and `connect` handle SIGTERM themselves. */
  ownsSignals: boolean;
  /** Where the journal stood at the start: what this run changes from here on is what a Ctrl-C says holds. */
  mark: number;
  /** Stop listening for signals. */
  stop: () => void;
}

/** More processes than any run has going at once, each listening for Ctrl-C (see startRun). */
const MAX_PROCESSES_AT_ONCE = 256;

/**
 * Ctrl-C, SIGTERM and SIGHUP (a hang-up) stop a run the same way: every process it
 * started is stopped (the runner; they run in process groups of their own, which a hang-up does
 * not reach), the prompt on screen ends (ui/prompts.ts), nothing is written after the signal, exit
 * 130. `on`, not `once`: execa's signal-exit re-raises SIGINT when it is the only listener left,
 * which would kill us before the interrupted command cleans up. The bridge (`serve`, `connect`)
 * handles SIGTERM itself.
 */
export function startRun(host: Host, terminal: Terminal, invoked: string | undefined): Run {
  const abort = new AbortController();
  // Every process the run has going listens for its stop, and stops listening when it ends (the
  // runner): a sync resolving a dozen packages at once has a dozen listeners, no leak, where Node
  // warns past 10 (MaxListenersExceededWarning) to the user. Past this bound it still warns: no run
  // has that many going at once, so that many listeners would be a leak.
  setMaxListeners(MAX_PROCESSES_AT_ONCE, abort.signal);
  const ownsSignals = invoked === "serve" || invoked === "connect";
  const signals: NodeJS.Signals[] = ownsSignals ? ["SIGINT"] : ["SIGINT", "SIGTERM", "SIGHUP"];
  const run: Run = {
    host: { ...host, runner: abortableRunner(host.runner, abort.signal) },
    terminal,
    abort,
    interrupted: false,
    ownsSignals,
    mark: journalMark(),
    stop: () => {
      for (const s of signals) process.removeListener(s, onSignal);
    },
  };
  function onSignal() {
    if (run.interrupted) process.exit(ExitCode.interrupted); // a second one: stop waiting
    run.interrupted = true;
    abort.abort(new InterruptedError());
  }
  for (const s of signals) process.on(s, onSignal);
  return run;
}

/** One command: its flags checked, its module loaded and run; its exit code (errors reported). */
export async function runCommand(run: Run, load: Loader, cmd: Command, args: string[]): Promise<number> {
  const options = mergedOptions(cmd);
  const output = createOutput(
    { json: options.json ?? false, color: options.color ?? true, verbose: options.verbose ?? false },
    run.host.env,
    run.terminal,
  );
  const ctx: CommandContext<MergedOptions> = {
    host: run.host,
    output,
    options,
    args,
    signal: run.abort.signal,
    terminal: run.terminal,
    heldCaches: [],
  };
  try {
    checkShared(cmd);
    await localPathOptions(run.host, options);
    // Every command alike, before any work: a --client or --env no one knows is exit 2.
    const clients = options.client ?? [];
    const envs = options.env ?? [];
    if (clients.length > 0 || envs.length > 0)
      (await import("../core/selectors.js")).checkSelectors({ clients, envs });
    const { run: runIt } = await load();
    let code = await runIt(ctx);
    // What it learnt about the machine is kept only by a run that got past its checks.
    if (code !== ExitCode.usage && !run.interrupted)
      for (const caches of ctx.heldCaches ?? []) await caches.flush();
    // A command that finished anyway after the signal (nothing it did could be stopped) still
    // reports the interruption: on stderr, its result (maybe JSON) being printed already.
    if (run.interrupted && !run.ownsSignals && code !== ExitCode.interrupted) {
      output.error("Interrupted.");
      code = ExitCode.interrupted;
    }
    return code;
  } catch (error) {
    return reportError(error, output, run.interrupted, {
      mark: run.mark,
      ...(ctx.afterInterrupt ? { next: ctx.afterInterrupt } : {}),
    });
  }
}

/** Commander's output to the terminal (help, version), its errors thrown to be reported our way. */
export function quietProgram(program: Command, terminal: Terminal, wantsJson: boolean): void {
  program.exitOverride();
  const outputConfig = {
    writeOut: (s: string) => terminal.stdout.write(s),
    writeErr: (s: string) => {
      if (!wantsJson) terminal.stderr.write(s);
    },
    // Commander's own "error: …" line: the error is reported once, below, our way.
    outputError: () => {},
  };
  program.configureOutput(outputConfig);
  for (const c of program.commands) c.exitOverride().configureOutput(outputConfig);
}

/** What parsing threw: help or version shown (exit 0), a usage error (exit 2), or another failure. */
export function parseFailure(
  error: unknown,
  early: Output,
  run: Run,
  knownCommand: string | undefined,
): number {
  if (!(error instanceof CommanderError))
    return reportError(error, early, run.interrupted, { mark: run.mark });
  if (
    error.code === "commander.helpDisplayed" ||
    error.code === "commander.version" ||
    error.code === "commander.help"
  )
    return ExitCode.ok;
  return reportError(
    new UsageError(error.code.replace("commander.", ""), error.message.replace(/^error: /, ""), {
      // A known command's own help lists its arguments and flags: point at that one.
      hint:
        knownCommand !== undefined
          ? `Run \`mcp-twin ${knownCommand} --help\` for usage.`
          : "Run `mcp-twin --help` (or `mcp-twin <command> --help`) for usage.",
    }),
    early,
    false,
  );
}
