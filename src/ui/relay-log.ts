/**
 * A relay's stderr as output.ts's `info` writes it (same mark, mask and escaping of others' text),
 * without the colour library or the spinner: a relay runs per client session, its cost counts.
 */

import { maskText } from "../core/secrets/mask.js";
import { printable } from "../core/text/control-chars.js";
import { colorEnabled } from "./color-mode.js";

export interface RelayLog {
  info(line: string): void;
  /** A failure, marked as output.ts's `error` marks it (✖). */
  error(line: string): void;
  addSecrets(values: Iterable<string>): void;
  /** Every secret added, for an error reported through output.ts later. */
  readonly secrets: ReadonlySet<string>;
}

export function relayLog(
  env: Readonly<Record<string, string | undefined>>,
  stderr: NodeJS.WritableStream & { isTTY?: boolean },
  noColorFlag: boolean,
): RelayLog {
  const color = colorEnabled(env, Boolean(stderr.isTTY), noColorFlag);
  const mark = color ? "\u001b[36mℹ\u001b[39m" : "ℹ";
  const fail = color ? "\u001b[31m✖\u001b[39m" : "✖";
  const secrets = new Set<string>();
  return {
    info: (line) => {
      stderr.write(`${printable(maskText(`${mark} ${line}`, secrets))}\n`);
    },
    error: (line) => {
      stderr.write(`${printable(maskText(`${fail} ${line}`, secrets))}\n`);
    },
    addSecrets(values) {
      for (const v of values) if (v) secrets.add(v);
    },
    secrets,
  };
}
