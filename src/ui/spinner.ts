/**
 * Progress for core steps: an ora spinner on a TTY, one line per finished step elsewhere, nothing
 * with --json (stdout must stay one JSON document; stderr stays quiet for scripts). ora is loaded
 * only when a spinner is really shown, so runs that show none do not pay for it.
 */
import type { Progress, Step } from "../core/progress.js";
import type { Theme } from "./theme.js";

type Ora = typeof import("ora").default;

export function createProgress(options: {
  interactive: boolean;
  quiet: boolean;
  theme: Theme;
  write: (line: string) => void;
  stream: { write(s: string): unknown };
  mask: (s: string) => string;
}): Progress {
  const { theme, write, mask } = options;
  let ora: Promise<Ora> | undefined;
  const step = (text: string): Step => {
    if (options.quiet) return { update() {}, succeed() {}, fail() {}, stop() {} };
    if (!options.interactive) {
      return {
        update() {},
        succeed: (t) => write(`${theme.ok} ${t ?? text}`),
        fail: (t) => write(`${theme.fail} ${t ?? text}`),
        stop() {},
      };
    }
    ora ??= import("ora").then((m) => m.default);
    let current = text;
    let done = false;
    let spinner: ReturnType<Ora> | undefined;
    void ora.then((make) => {
      if (!done)
        spinner = make({
          text: mask(current),
          stream: options.stream as NodeJS.WritableStream,
          color: "cyan",
        }).start();
    });
    const finish = (symbol: string | undefined, t: string | undefined) => {
      done = true;
      if (spinner && symbol) spinner.stopAndPersist({ symbol, text: mask(t ?? current) });
      else if (spinner) spinner.stop();
      else if (symbol) write(`${symbol} ${t ?? current}`);
    };
    return {
      update: (t) => {
        current = t;
        if (spinner) spinner.text = mask(t);
      },
      succeed: (t) => finish(theme.ok, t),
      fail: (t) => finish(theme.fail, t),
      stop: () => finish(undefined, undefined),
    };
  };
  return {
    step,
    warn: (line) => {
      if (!options.quiet) write(`${theme.warn} ${line}`);
    },
    info: (line) => {
      if (!options.quiet) write(`${theme.info} ${line}`);
    },
  };
}
