/**
 * `mcp-twin restore`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, flag, value } from "./shared/command.js";

export const restoreCommand = commandLine({
  name: "restore",
  description:
    "put back mcp-twin's entries of a target as they were before its last change, or from a chosen backup",
  args: [
    {
      name: "[target]",
      description: "a config file's path, env:client or a client (default: the files the last change wrote)",
    },
  ],
  flags: {
    list: flag("--list", "show the backups of each target (the original first, then newest first)"),
    from: value(
      "--from <backup>",
      "put back mcp-twin's entries as of this backup (a name or path --list shows)",
    ),
    original: flag(
      "--original",
      "put back mcp-twin's entries as of the original (before mcp-twin first changed the file)",
    ),
    force: flag("--force", "also write a read-only file (it stays read-only)"),
  },
  shared: {
    json: true,
    yes: "do not ask first (without a terminal, needed to undo what was changed since mcp-twin last wrote a file)",
    dryRun: "show what would be put back (diffs, keys masked); write nothing",
  },
});
