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
import type { serveCommand } from "../serve-flags.js";
import type { CommandContext, OptionsOf } from "../shared/command.js";
import { leanArgv } from "../shared/lean-argv.js";

/** `serve --http`'s options as commander gives them. */
type ServeArgv = OptionsOf<typeof serveCommand>;

/**
 * The flags every start of the bridge passes (bridge start, a relay, sync, its keeper: `--http`,
 * `--port`, `--host`, `--listen-fd`, `--ok-if-running`, `--keep`, `--listen-ipc`), those of its
 * HTTP face (`--share`, `--session-grace`, `--allow-origin`, `--allow-remote`, `--no-plugins`) and
 * the output flags.
 */
const FLAGS = {
  http: { type: "boolean" },
  port: { type: "string" },
  host: { type: "string" },
  "listen-fd": { type: "string" },
  "ok-if-running": { type: "boolean" },
  keep: { type: "boolean" },
  "listen-ipc": { type: "boolean" },
  share: { type: "string", multiple: true },
  "session-grace": { type: "string" },
  "allow-origin": { type: "string", multiple: true },
  "allow-remote": { type: "boolean" },
  "no-plugins": { type: "boolean" },
  json: { type: "boolean" },
  "no-color": { type: "boolean" },
  verbose: { type: "boolean" },
} as const;

/** `serve --http`'s options as commander would give them; null without `--http` or past FLAGS. */
export function parseServeArgv(args: readonly string[]): ServeArgv | null {
  const parsed = leanArgv(args, FLAGS);
  if (!parsed || parsed.positionals.length > 0 || parsed.values.http !== true) return null;
  const v = parsed.values;
  return {
    http: true,
    port: v.port,
    host: v.host,
    allowRemote: v["allow-remote"],
    allowOrigin: v["allow-origin"] ?? [],
    share: v.share ?? [],
    sessionGrace: v["session-grace"],
    plugins: v["no-plugins"] !== true,
    okIfRunning: v["ok-if-running"],
    listenFd: v["listen-fd"],
    keep: v.keep,
    listenIpc: v["listen-ipc"],
    printToken: undefined,
    rotateToken: undefined,
    ...(v.json ? { json: true } : {}),
    ...(v["no-color"] ? { color: false } : {}),
    ...(v.verbose ? { verbose: true } : {}),
  };
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
