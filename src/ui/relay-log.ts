/**
 * A relay's stderr as output.ts's `info` writes it (same mark, mask and escaping of others' text),
 * without the colour library or the spinner: a relay runs per client session, its cost counts.
 */

import { maskText } from "../core/secrets/mask.js";
import { printable } from "../core/text/control-chars.js";
import { colorEnabled } from "./color-mode.js";

/** What may wait in stderr's buffer, unread by the client, before log lines are dropped. */
const MAX_BACKLOG = 1024 * 1024;

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
  // A client that does not read stderr cannot make the relay hold its log: past this backlog,
  // lines are dropped.
  const write = (line: string) => {
    if (((stderr as { writableLength?: number }).writableLength ?? 0) > MAX_BACKLOG) return;
    stderr.write(`${printable(maskText(line, secrets))}\n`);
  };
  return {
    info: (line) => write(`${mark} ${line}`),
    error: (line) => write(`${fail} ${line}`),
    addSecrets(values) {
      for (const v of values) if (v) secrets.add(v);
    },
    secrets,
  };
}
