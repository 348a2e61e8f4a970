/**
 * Progress for core steps: an ora spinner on a TTY, one line per finished step elsewhere, nothing
 * with --json (stdout must stay one JSON document; stderr stays quiet for scripts).
 */
import ora from "ora";
import type { Progress, Step } from "../core/progress.js";
import type { Theme } from "./theme.js";

export function createProgress(options: {
  interactive: boolean;
  quiet: boolean;
  theme: Theme;
  write: (line: string) => void;
  stream: { write(s: string): unknown };
  mask: (s: string) => string;
}): Progress {
  const { theme, write, mask } = options;
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
    const spinner = ora({
      text: mask(text),
      stream: options.stream as NodeJS.WritableStream,
      color: "cyan",
    }).start();
    return {
      update: (t) => {
        spinner.text = mask(t);
      },
      succeed: (t) => {
        spinner.stopAndPersist({ symbol: theme.ok, text: mask(t ?? text) });
      },
      fail: (t) => {
        spinner.stopAndPersist({ symbol: theme.fail, text: mask(t ?? text) });
      },
      stop: () => {
        spinner.stop();
      },
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
