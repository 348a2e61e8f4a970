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

/** `serve --http`'s options as commander gives them. */
type ServeArgv = OptionsOf<typeof serveCommand>;

/**
 * The flags every start of the bridge passes (bridge start, a relay, sync, its keeper: `--http`,
 * `--port`, `--host`, `--listen-fd`, `--ok-if-running`, `--keep`, `--listen-ipc`), those of its HTTP face (`--share`, `--session-grace`,
 * `--allow-origin`, `--allow-remote`, `--no-plugins`) and the output flags; `--http` required.
 */
function parseServeArgv(args: readonly string[]): ServeArgv | null {
  const o: ServeArgv = {
    http: undefined,
    port: undefined,
    host: undefined,
    allowRemote: undefined,
    allowOrigin: [],
    share: [],
    sessionGrace: undefined,
    plugins: true,
    okIfRunning: undefined,
    listenFd: undefined,
    keep: undefined,
    listenIpc: undefined,
    printToken: undefined,
    rotateToken: undefined,
  };
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const flag = args[i] ?? "";
    // Repeatable: every value, in order (as commander's list flags).
    if (flag === "--share" || flag === "--allow-origin") {
      const v = args[++i];
      if (v === undefined || v.startsWith("-")) return null;
      (flag === "--share" ? o.share : o.allowOrigin).push(v);
      continue;
    }
    if (seen.has(flag)) return null;
    seen.add(flag);
    switch (flag) {
      case "--port":
      case "--host":
      case "--session-grace":
      case "--listen-fd": {
        const v = args[++i];
        if (v === undefined || v.startsWith("-")) return null;
        if (flag === "--port") o.port = v;
        else if (flag === "--host") o.host = v;
        else if (flag === "--listen-fd") o.listenFd = v;
        else o.sessionGrace = v;
        break;
      }
      case "--http":
        o.http = true;
        break;
      case "--allow-remote":
        o.allowRemote = true;
        break;
      case "--ok-if-running":
        o.okIfRunning = true;
        break;
      case "--keep":
        o.keep = true;
        break;
      case "--listen-ipc":
        o.listenIpc = true;
        break;
      case "--no-plugins":
        o.plugins = false;
        break;
      case "--json":
        o.json = true;
        break;
      case "--no-color":
        o.color = false;
        break;
      case "--verbose":
        o.verbose = true;
        break;
      default:
        return null;
    }
  }
  return o.http === true ? o : null;
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
