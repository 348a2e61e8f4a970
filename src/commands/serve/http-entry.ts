/**
 * The lean way into `serve --http` (bin/mcp-twin.js runs it without commander): the bridge keeps
 * every module it loads at start for days; what this does not take goes to the full command line.
 */
import { setMaxListeners } from "node:events";
import { ExitCode, InterruptedError } from "../../core/errors.js";
import { processHost } from "../../core/system/host.js";
import { journalMark } from "../../core/system/journal.js";
import { abortableRunner } from "../../core/system/run.js";
import { createOutput, processTerminal } from "../../ui/output.js";
import { run } from "../serve.js";
import { serveCommand } from "../serve-flags.js";
import type { CommandContext, OptionsOf } from "../shared/command.js";
import { leanArgv } from "../shared/lean-argv.js";

/** `serve --http`'s options as commander gives them. */
type ServeArgv = OptionsOf<typeof serveCommand>;

/**
 * `serve --http`'s options as commander would give them; null without `--http`. Every flag but the
 * token's (`--print-token`, `--rotate-token`: commander's) is read here, as serve-flags.ts declares it.
 */
export function parseServeArgv(args: readonly string[]): ServeArgv | null {
  const parsed = leanArgv(serveCommand, args, ["printToken", "rotateToken"]);
  return !parsed || parsed.positionals.length > 0 || parsed.options.http !== true ? null : parsed.options;
}

/** `argv`: process.argv (`node`, the script, `serve`, …). The exit code, or undefined. */
export async function fastServe(argv: readonly string[]): Promise<number | undefined> {
  const options = parseServeArgv(argv.slice(3));
  if (!options) return undefined;
  // As the command line's run loop does for serve (cli/run-loop.ts): SIGINT aborts the run, a
  // second one ends it at once; serve takes SIGTERM itself.
  const abort = new AbortController();
  // Each process the run starts listens for its stop (the runner), as in the run loop's bound.
  setMaxListeners(256, abort.signal);
  const mark = journalMark();
  const onSignal = () => {
    if (abort.signal.aborted) process.exit(ExitCode.interrupted);
    abort.abort(new InterruptedError());
  };
  process.on("SIGINT", onSignal);
  const host = processHost();
  const terminal = processTerminal();
  const output = createOutput(
    { json: options.json ?? false, color: options.color ?? true, verbose: options.verbose ?? false },
    host.env,
    terminal,
  );
  const ctx = {
    host: { ...host, runner: abortableRunner(host.runner, abort.signal) },
    output,
    options,
    args: [],
    signal: abort.signal,
    terminal,
    heldCaches: [],
  } satisfies CommandContext<ServeArgv>;
  try {
    return await run(ctx);
  } catch (error) {
    const { reportError } = await import("../../ui/report-error.js");
    return reportError(error, output, abort.signal.aborted, { mark });
  } finally {
    process.removeListener("SIGINT", onSignal);
  }
}
