/**
 * The command doctor started for a probe, as the user can start it again by hand from where they
 * are (pure): quoted for this machine's shell, in the folder it ran in, naming (never showing) the
 * variables the entry sets.
 */

import type { SpawnPlan } from "../../entries/programs/resolve.js";
import { cmdQuote, shellQuote } from "../../environments/path-translation.js";
import { MASK } from "../../secrets/mask.js";

/** A flag whose next argument is a credential (`--api-key KEY`): that argument is never shown. */
const SECRET_FLAG =
  /^--?(?:api[_-]?key|apikey|key|token|access[_-]?token|auth[_-]?token|secret|password|pass)$/i;

export interface ProbeCommand {
  /** The program doctor started, as this machine names it (inside WSL, a Windows program's `/mnt/c/…` form). */
  file: string;
  args: string[];
  /** The folder it ran in, when not the one doctor ran in. */
  cwd?: string;
  /** The variables the entry sets (their values are in the entry, never here). */
  env: string[];
  /** How they cross into the other side (`WSLENV`'s items for them), when the program runs there. */
  wslenv?: string;
  /** The whole command line for this machine's shell: sh inside WSL, Linux and macOS; cmd on Windows. */
  line: string;
}

export function probeCommand(
  plan: SpawnPlan,
  entryEnv: readonly string[],
  here: { style: "posix" | "win32"; cwd: string },
): ProbeCommand {
  const cwd = plan.cwd && plan.cwd !== here.cwd ? plan.cwd : undefined;
  const args = plan.args.map((a, i) => (i > 0 && SECRET_FLAG.test(plan.args[i - 1] ?? "") ? MASK : a));
  let line: string;
  if (here.style === "win32") {
    // A verbatim line (`cmd.exe /d /s /c "…"`) is already as cmd takes it.
    const words = plan.verbatim ? [cmdQuote(plan.file), ...args] : [plan.file, ...args].map(cmdQuote);
    line = `${cwd ? `cd /d ${cmdQuote(cwd)} && ` : ""}${words.join(" ")}`;
  } else {
    const words = [plan.file, ...args].map(shellQuote).join(" ");
    // In a subshell: the user's own shell stays where it is.
    line = cwd ? `(cd ${shellQuote(cwd)} && ${words})` : words;
  }
  const crossing = (plan.env.WSLENV ?? "")
    .split(":")
    .filter((item) => entryEnv.includes(item.replace(/\/[a-z]*$/, "")));
  return {
    file: plan.file,
    args,
    ...(cwd ? { cwd } : {}),
    env: [...entryEnv],
    ...(crossing.length > 0 ? { wslenv: crossing.join(":") } : {}),
    line,
  };
}

/** The command as one line of a report: the line, and the variables it needs (named, not shown). */
export function commandText(command: ProbeCommand): string {
  if (command.env.length === 0) return command.line;
  const names = command.env.join(", ");
  return `${command.line}  (with ${names} set as the entry sets ${command.env.length === 1 ? "it" : "them"}${
    command.wslenv
      ? `, and WSLENV=${command.wslenv} to pass ${command.env.length === 1 ? "it" : "them"} on`
      : ""
  })`;
}
