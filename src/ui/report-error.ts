/**
 * How an error reaches the user: one envelope for --json; for people, the file as their system
 * shows it with line:column, the message and what to do — and after a Ctrl-C, what holds.
 */
import {
  ExitCode,
  formatLocation,
  InterruptedError,
  isTwinError,
  type TwinError,
  UnknownNameError,
  UsageErrors,
} from "../core/errors.js";
import { type Changes, changesSince, journalMark } from "../core/system/journal.js";
import { andList } from "../core/text/prose-lists.js";
import type { Output } from "./output.js";

/** One error envelope for --json; file:line:column, message and hint for people. */
export function reportError(
  error: unknown,
  output: Output,
  interrupted: boolean,
  run: { mark: number; next?: string } = { mark: journalMark() },
): number {
  if (
    interrupted ||
    (error as { name?: string })?.name === "ExitPromptError" ||
    error instanceof InterruptedError
  ) {
    const message = interruptedMessage(changesSince(run.mark), output.shown, run.next);
    if (output.json) output.result({ errors: [{ code: "interrupted", message }] });
    else output.error(message);
    return ExitCode.interrupted;
  }
  if (isTwinError(error)) {
    const list = error instanceof UsageErrors ? error.errors : [error];
    if (output.json) {
      output.result({
        errors: list.map((e) => ({
          code: e.code,
          message: e.message,
          ...(e.location.file ? { file: e.location.file } : {}),
          ...(e.location.line !== undefined ? { line: e.location.line, column: e.location.column } : {}),
          ...(e instanceof UnknownNameError ? { known: e.known, didYouMean: e.suggestions } : {}),
          // what to do about it, as a terminal shows it under the message (a script can show it too)
          ...(e.hint ? { hint: e.hint } : {}),
        })),
      });
    } else sayErrors(list, output);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (output.json) output.result({ errors: [{ code: "internal", message }] });
  else {
    output.error(`Unexpected error: ${message}`);
    if (output.verbose && error instanceof Error && error.stack) output.debug(error.stack);
  }
  return ExitCode.failed;
}

/**
 * What holds after a Ctrl-C, for this run: nothing written; or the files it wrote — each whole, as
 * every write is atomic per file — and where npm ran (a package it did not finish is installed by
 * the next run); then how to finish.
 */
function interruptedMessage(
  changed: Changes,
  shown: (file: string) => string,
  next = "Run the command again to finish.",
): string {
  if (changed.files.length === 0 && changed.npm.length === 0)
    return changed.cache
      ? "Stopped before anything but mcp-twin's cache was written."
      : "Stopped before anything was written.";
  const said = ["Interrupted."];
  const cache = changed.cache ? " (and mcp-twin's cache)" : "";
  if (changed.files.length === 0)
    said.push(changed.cache ? "It wrote nothing but mcp-twin's cache." : "It wrote no file.");
  else {
    const names = changed.files.map(shown);
    const listed =
      names.length <= 3
        ? andList(names)
        : `${names.slice(0, 2).join(", ")} and ${names.length - 2} more files`;
    said.push(
      names.length === 1
        ? `It wrote ${listed}${cache}, whole (never half-written).`
        : `It wrote ${listed}${cache}, each whole (never half-written).`,
    );
  }
  if (changed.npm.length > 0)
    said.push(`npm ran in ${andList(changed.npm)}: a package it did not finish, the next run installs.`);
  said.push(next);
  return said.join(" ");
}

/**
 * Errors for people, on stderr: each message with its file as the user's system shows it and
 * line:column, then what to do. Also what a command that goes on past them (status, tools: the
 * client configs they cannot read) says of them, with --json too (stdout holds its document).
 */
export function sayErrors(list: readonly TwinError[], output: Output): void {
  for (const e of list) {
    // The file it names, as the user's system shows it (inside WSL: C:\… for a Windows file).
    const file = e.location.file;
    const shown = (text: string) => (file ? text.split(file).join(output.shown(file)) : text);
    // The file once: a message that names it already (without a line) gets no prefix.
    const named =
      !file ||
      e.message.startsWith(formatLocation(e.location)) ||
      (e.location.line === undefined && e.message.includes(file));
    output.error(shown(named ? e.message : `${formatLocation(e.location)}: ${e.message}`));
    if (e.hint) output.info(shown(e.hint));
  }
}
