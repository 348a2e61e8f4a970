/**
 * `mcp-twin completion <shell>`: print the completion script for bash, zsh, fish or PowerShell,
 * which completes commands, flags, and server, client and environment names as you type.
 */

import { assertKnown } from "../core/selectors.js";
import { completionScript, SHELLS, type Shell } from "./complete/scripts.js";
import type { completionCommand } from "./completion-flags.js";
import type { ContextOf } from "./shared/command.js";

export async function run(ctx: ContextOf<typeof completionCommand>): Promise<number> {
  const shell = ctx.args[0] ?? "";
  const known = Object.keys(SHELLS);
  assertKnown({
    code: "bad-shell",
    given: "completion",
    name: shell,
    isNot: "not a shell mcp-twin has a completion script for",
    knownAs: "Shells",
    known,
  });
  ctx.terminal.stdout.write(completionScript(shell as Shell));
  return 0;
}
