/**
 * `mcp-twin completion`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine } from "./shared/command.js";

export const completionCommand = commandLine({
  name: "completion",
  description:
    "print the shell completion script for bash, zsh, fish or powershell (see --help to install it)",
  args: [{ name: "<shell>", description: "bash, zsh, fish or powershell" }],
  flags: {},
  shared: {},
});
