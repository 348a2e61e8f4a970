/**
 * `mcp-twin share`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, EDIT_THEN_SYNC, flagOrNot } from "./shared/command.js";

export const shareCommand = commandLine({
  name: "share",
  description: "run a server once in the bridge for every client session: machine, project, session or off",
  args: [
    { name: "<server>", description: "the server's name in the manifest" },
    { name: "<mode>", description: "machine, project, session or off" },
  ],
  flags: {
    sync: flagOrNot(
      "--sync",
      "sync right after (rewrite every client's entry)",
      "--no-sync",
      "do not offer to sync",
    ),
  },
  shared: EDIT_THEN_SYNC,
});
