/**
 * The command line's entry: `main(argv)` builds the program (cli/build-program.ts), runs the
 * command the run loop's way (cli/run-loop.ts) and returns the exit code.
 */

import { buildProgram, invokedCommand } from "./cli/build-program.js";
import { parseFailure, quietProgram, runCommand, startRun } from "./cli/run-loop.js";

/** The program, for scripts/completion-table.mjs (it reads the built one: dist/cli.js). */
export { buildProgram };

import { ExitCode } from "./core/errors.js";
import { type Host, processHost, runOn } from "./core/system/host.js";
import { createOutput, processTerminal, type Terminal } from "./ui/output.js";

/** Run the CLI; returns the exit code. */
export function main(argv: string[], host?: Host, terminal: Terminal = processTerminal()): Promise<number> {
  // A run on a Host of its own (a test's fake machine, in-process) is that host for the code no Host
  // is handed to (the keychain: runHost). The program's own run never enters it: on Node 20 an
  // AsyncLocalStorage turns on promise hooks, ~8 ms of CPU in a no-op sync.
  return host ? runOn(host, () => mainOn(argv, host, terminal)) : mainOn(argv, processHost(), terminal);
}

async function mainOn(argv: string[], host: Host, terminal: Terminal): Promise<number> {
  const wantsJson = argv.includes("--json");
  const early = createOutput({ json: wantsJson, color: !argv.includes("--no-color") }, host.env, terminal);
  const invoked = invokedCommand(argv);
  const run = startRun(host, terminal, invoked);
  // Examples and pointers to the docs, only when help is asked for (no other run loads them).
  const words = argv.slice(2).filter((a) => !a.startsWith("-"));
  const wantsHelp =
    argv.length <= 2 || words[0] === "help" || argv.slice(2).some((a) => a === "--help" || a === "-h");
  const helpAfter = wantsHelp ? (await import("./cli/help.js")).helpAfter : undefined;

  let code: number = ExitCode.ok;
  const program = buildProgram(
    async (load, cmd, args) => {
      code = await runCommand(run, load, cmd, args);
    },
    invoked,
    helpAfter,
  );
  quietProgram(program, terminal, wantsJson);
  // `mcp-twin bogus --help` / `mcp-twin help bogus`: commander shows the program's help (exit 0);
  // a name no one knows is an unknown command (exit 2, with commander's did-you-mean) instead.
  const known = invoked === undefined || program.commands.some((c) => c.name() === invoked);
  const parsed =
    wantsHelp && !known
      ? [...argv.slice(0, 2), ...argv.slice(2).filter((a) => a !== "--help" && a !== "-h" && a !== "help")]
      : argv;
  try {
    await program.parseAsync(parsed);
  } catch (error) {
    return parseFailure(error, early, run, known ? invoked : undefined);
  } finally {
    run.stop();
  }
  return code;
}
