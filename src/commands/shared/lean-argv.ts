/**
 * A lean entry's command line (bin/mcp-twin.js runs `connect` and `serve --http` without
 * commander), read by Node's own parseArgs; null for what only the full command line takes.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

type Flags = NonNullable<ParseArgsConfig["options"]>;

/**
 * The flags' values and the positionals of `args`, or null — help, a flag not in `flags`, a value
 * missing or starting with a dash, a value given to a switch, `--` — for commander to say what.
 */
export function leanArgv<F extends Flags>(args: readonly string[], flags: F) {
  if (args.includes("--")) return null;
  try {
    return parseArgs({ args: [...args], options: flags, strict: true, allowPositionals: true });
  } catch {
    // parseArgs' error: the full command line's message, with its usage, says it better.
    return null;
  }
}
