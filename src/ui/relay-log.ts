/**
 * What a relay (`connect`) says on stderr, as output.ts's `info` says it (the same mark, the same
 * mask over every line), without loading the theme's colour library or the spinner: a relay runs
 * for each client session, and its start and memory count.
 */
import { maskText } from "../core/secrets/mask.js";
import { colorEnabled } from "./color-mode.js";

export interface RelayLog {
  info(line: string): void;
  addSecrets(values: Iterable<string>): void;
  /** Every secret added, for an error reported through output.ts later. */
  readonly secrets: ReadonlySet<string>;
}

export function relayLog(
  env: Readonly<Record<string, string | undefined>>,
  stderr: NodeJS.WritableStream & { isTTY?: boolean },
  noColorFlag: boolean,
): RelayLog {
  const mark = colorEnabled(env, Boolean(stderr.isTTY), noColorFlag) ? "\u001b[36mℹ\u001b[39m" : "ℹ";
  const secrets = new Set<string>();
  return {
    info: (line) => {
      stderr.write(`${maskText(`${mark} ${line}`, secrets)}\n`);
    },
    addSecrets(values) {
      for (const v of values) if (v) secrets.add(v);
    },
    secrets,
  };
}
