/**
 * stdout carries the result (one JSON document with --json, or the human report); stderr carries
 * everything else: progress, warnings, errors. Secrets are masked before anything is written.
 */

import { secretMasker } from "../core/secrets/mask.js";
import type { Progress } from "../core/system/progress.js";
import { jsonPrintable, printable } from "../core/text/control-chars.js";
import { colorEnabled } from "./color-mode.js";
import { createProgress } from "./spinner.js";
import { makeTheme, type Theme } from "./theme.js";

interface OutputOptions {
  json: boolean;
  color: boolean;
  verbose: boolean;
  interactive: boolean;
}

export interface Output extends OutputOptions {
  theme: Theme;
  /** Values to mask in everything printed from now on. */
  addSecrets(values: Iterable<string>): void;
  /**
   * A file as the user's system shows it (the machine's rule: inside WSL, a file on a Windows drive
   * as Windows writes it). Every renderer names files through this; the command sets the rule
   * once it knows the machine (commands/shared/open-machine.ts), and an error naming a file uses it too.
   */
  shown(file: string): string;
  showPathsAs(rule: (file: string) => string): void;
  /** A line of the human result (stdout). Ignored with --json. */
  print(line?: string): void;
  /** The JSON result (stdout). */
  result(data: unknown): void;
  info(line: string): void;
  /** A line on stderr without a mark: what continues the line above it (a list under a warning). */
  note(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  debug(line: string): void;
  progress: Progress;
}

export interface Streams {
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(s: string): unknown; isTTY?: boolean; columns?: number };
}

/** What a run talks to: this process's own streams, or a test's (`main(argv, host, terminal)`). */
export interface Terminal extends Streams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

export function processTerminal(): Terminal {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

export function createOutput(
  flags: { json?: boolean; color?: boolean; verbose?: boolean },
  env: Readonly<Record<string, string | undefined>>,
  streams: Streams = { stdout: process.stdout, stderr: process.stderr },
): Output {
  const json = Boolean(flags.json);
  const color = colorEnabled(env, Boolean(streams.stderr.isTTY), flags.color === false);
  const theme = makeTheme(color);
  const secrets = new Set<string>();
  // Made again only when a secret is added: a report masks each of its lines.
  let masker: ((text: string) => string) | undefined;
  const maskSecrets = (s: string) => {
    if (!masker) masker = secretMasker(secrets);
    return masker(s);
  };
  let shown = (file: string) => file;
  // The one place output is masked: every line of every stream (core/secrets/mask.ts says what it
  // hides); and no control or bidi character in it reaches the terminal but our own line breaks,
  // tabs and colours (core/text/control-chars.ts; one value from elsewhere is `untrusted` too).
  const mask = (s: string) => printable(maskSecrets(s));
  // A terminal that reports no width (a bare pseudo-terminal) cannot host a spinner.
  const columns = (streams.stderr as { columns?: number }).columns;
  const interactive =
    Boolean(streams.stderr.isTTY) && !json && env.CI === undefined && (columns === undefined || columns > 0);
  const err = (s: string) => streams.stderr.write(`${mask(s)}\n`);
  const out: Output = {
    json,
    color,
    verbose: Boolean(flags.verbose),
    interactive,
    theme,
    addSecrets(values) {
      for (const v of values)
        if (v && !secrets.has(v)) {
          secrets.add(v);
          masker = undefined;
        }
    },
    shown: (file) => shown(file),
    showPathsAs(rule) {
      shown = rule;
    },
    print(line = "") {
      if (!json) streams.stdout.write(`${mask(line)}\n`);
    },
    result(data) {
      streams.stdout.write(`${jsonPrintable(maskSecrets(JSON.stringify(data, null, 2)))}\n`);
    },
    info: (line) => err(`${theme.info} ${line}`),
    note: (line) => err(line),
    warn: (line) => err(`${theme.warn} ${line}`),
    error: (line) => err(`${theme.fail} ${line}`),
    debug: (line) => {
      if (flags.verbose) err(theme.c.dim(line));
    },
    progress: createProgress({
      interactive,
      quiet: json,
      verbose: Boolean(flags.verbose),
      theme,
      write: err,
      stream: streams.stderr,
      mask,
    }),
  };
  return out;
}
