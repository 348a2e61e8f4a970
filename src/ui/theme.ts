/**
 * Colour through one theme: a chalk instance whose level is 0 when colour is off (NO_COLOR,
 * --no-color, not a TTY), so no call site ever checks.
 */
import { Chalk, type ChalkInstance } from "chalk";

export interface Theme {
  c: ChalkInstance;
  ok: string;
  warn: string;
  fail: string;
  skip: string;
  info: string;
  /** A planned item, not done yet (✔ is only for what was done). */
  bullet: string;
}

export function makeTheme(color: boolean): Theme {
  const c = new Chalk({ level: color ? 1 : 0 });
  return {
    c,
    ok: c.green("✔"),
    warn: c.yellow("▲"),
    fail: c.red("✖"),
    skip: c.dim("–"),
    info: c.cyan("ℹ"),
    bullet: c.cyan("•"),
  };
}
