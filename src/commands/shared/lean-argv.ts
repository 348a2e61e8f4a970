/**
 * A lean entry's command line (bin/mcp-twin.js runs `connect` and `serve --http` without
 * commander), read by Node's own parseArgs from the command's one declaration of its flags.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { CommandLine, OptionsOf } from "./command.js";

type Flags = NonNullable<ParseArgsConfig["options"]>;

/** A flag's long name as parseArgs takes it: `--port <port>` is `port`, `--no-plugins` `no-plugins`. */
const longName = (flags: string) => /--([\w-]+)/.exec(flags)?.[1] ?? flags;

/**
 * `args` read as commander reads them, with the flags `command` declares (`<command>-flags.ts`)
 * but those it `leaves`, its `--json` when it honours it, `--no-color` and `--verbose`: its options
 * and positionals, or null — help, a flag not taken here, a value missing or starting with a dash,
 * a value given to a switch, `--` — for commander to say what.
 */
export function leanArgv<C extends CommandLine>(
  command: C,
  args: readonly string[],
  leaves: ReadonlyArray<keyof C["flags"]> = [],
): { options: OptionsOf<C>; positionals: string[] } | null {
  const taken = Object.entries(command.flags)
    .filter(([key]) => !leaves.includes(key))
    .map(([key, flag]) => ({ key, kind: flag.kind, long: longName(flag.flags) }));
  const config: Flags = { "no-color": { type: "boolean" }, verbose: { type: "boolean" } };
  if (command.shared.json) config.json = { type: "boolean" };
  for (const { kind, long } of taken)
    config[long] =
      kind === "list"
        ? { type: "string", multiple: true }
        : { type: kind === "value" ? "string" : "boolean" };
  if (args.includes("--")) return null;
  let values: ReturnType<typeof parseArgs>["values"];
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...args],
      options: config,
      strict: true,
      allowPositionals: true,
    }));
  } catch {
    // parseArgs' error: the full command line's message, with its usage, says it better.
    return null;
  }
  const options: Record<string, unknown> = {};
  for (const { key, kind, long } of taken)
    options[key] =
      kind === "negated" ? values[long] !== true : kind === "list" ? (values[long] ?? []) : values[long];
  if (values.json === true) options.json = true;
  if (values["no-color"] === true) options.color = false;
  if (values.verbose === true) options.verbose = true;
  // Each flag read as its declaration says; one it leaves was not given here (commander's undefined).
  return { options: options as OptionsOf<C>, positionals };
}
