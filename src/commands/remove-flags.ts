/**
 * `mcp-twin remove`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, EDIT_THEN_SYNC, flagOrNot } from "./shared/command.js";

export const removeCommand = commandLine({
  name: "remove",
  description: "take a server out of the manifest",
  args: [{ name: "<name>", description: "the server's name" }],
  flags: {
    sync: flagOrNot(
      "--sync",
      "sync right after removing (take it out of every client config)",
      "--no-sync",
      "do not offer to sync",
    ),
  },
  shared: {
    ...EDIT_THEN_SYNC,
    project: "with --sync: the project files in <dir> instead of user files",
  },
});
