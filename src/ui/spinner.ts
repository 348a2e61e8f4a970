/**
 * Progress for core steps: an ora spinner on a TTY, one line per finished step elsewhere, nothing
 * with --json (stdout must stay one JSON document; stderr stays quiet for scripts). ora is loaded
 * only when a spinner is really shown, so runs that show none do not pay for it.
 */
import { NOOP_BOARD, type Progress, type Step } from "../core/system/progress.js";
import { createInstallBoard } from "./install-board.js";
import type { Theme } from "./theme.js";

type Ora = typeof import("ora").default;

export function createProgress(options: {
  interactive: boolean;
  quiet: boolean;
  /** --verbose: a step that ends without a line of its own is said too, with its time (on stderr). */
  verbose?: boolean;
  theme: Theme;
  write: (line: string) => void;
  stream: { write(s: string): unknown };
  mask: (s: string) => string;
}): Progress {
  const { theme, write, mask } = options;
  let ora: Promise<Ora> | undefined;
  const step = (text: string): Step => {
    const started = performance.now();
    // Once per step: a stop after its succeed (a `finally`) says nothing more.
    let ended = false;
    const said = () => {
      if (options.verbose && !ended)
        write(theme.c.dim(`· ${text} (${Math.round(performance.now() - started)} ms)`));
      ended = true;
    };
    const line = (mark: string, t: string | undefined) => {
      ended = true;
      write(`${mark} ${t ?? text}`);
    };
    if (options.quiet && !options.verbose)
      return { update() {}, succeed() {}, fail() {}, stop() {}, settle() {} };
    if (options.quiet) return { update() {}, succeed: said, fail: said, stop: said, settle: said };
    if (!options.interactive) {
      return {
        update() {},
        succeed: (t) => line(theme.ok, t),
        fail: (t) => line(theme.fail, t),
        stop: said,
        settle: said,
      };
    }
    ora ??= import("ora").then((m) => m.default);
    let current = text;
    let done = false;
    let spinner: ReturnType<Ora> | undefined;
    // ora loads on first use (a moment, longer on a busy machine): draw its first frame now, so a
    // step never starts on a blank screen; ora takes over the line when it is loaded.
    const columns = (options.stream as { columns?: number }).columns ?? 80;
    options.stream.write(
      `${theme.c.cyan("⠋")} ${(mask(text).split("\n")[0] ?? "").slice(0, Math.max(10, columns - 3))}`,
    );
    let provisional = true;
    const clearProvisional = () => {
      if (provisional) options.stream.write("\r\u001b[2K");
      provisional = false;
    };
    void ora.then((make) => {
      if (done) return;
      clearProvisional();
      spinner = make({
        text: mask(current),
        stream: options.stream as NodeJS.WritableStream,
        color: "cyan",
        // Not ora's default: discarding stdin puts the terminal in raw mode for the spinner's
        // lifetime, so Ctrl-C is a byte instead of SIGINT, and ora's stand-in for it never reads
        // a fresh stdin — a sync stayed deaf to Ctrl-C for its whole install. In cooked mode the
        // terminal itself interrupts mcp-twin (and npm, in the same process group).
        discardStdin: false,
      }).start();
    });
    const finish = (symbol: string | undefined, t: string | undefined) => {
      done = true;
      if (spinner && symbol) spinner.stopAndPersist({ symbol, text: mask(t ?? current) });
      else if (spinner) spinner.stop();
      else {
        clearProvisional();
        if (symbol) write(`${symbol} ${t ?? current}`);
      }
      if (symbol) ended = true;
      else said();
    };
    return {
      update: (t) => {
        current = t;
        if (spinner) spinner.text = mask(t);
      },
      succeed: (t) => finish(theme.ok, t),
      fail: (t) => finish(theme.fail, t),
      stop: () => finish(undefined, undefined),
      settle: (t) => finish(theme.ok, t),
    };
  };
  return {
    step,
    installs: (jobs) =>
      options.quiet
        ? NOOP_BOARD
        : createInstallBoard(jobs, {
            interactive: options.interactive,
            theme,
            write,
            step,
            columns: () => (options.stream as { columns?: number }).columns,
          }),
    warn: (line) => {
      if (!options.quiet) write(`${theme.warn} ${line}`);
    },
    info: (line) => {
      if (!options.quiet) write(`${theme.info} ${line}`);
    },
  };
}
