/**
 * `mcp-twin adopt`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, value } from "./shared/command.js";

export const adoptCommand = commandLine({
  name: "adopt",
  description: "take an entry edited by hand (drift) into the manifest, so every client gets the edit",
  args: [{ name: "<server>", description: "the manifest server whose edited entry to take" }],
  flags: {
    from: value(
      "--from <target>",
      "which entry, when several differ: env:client (e.g. windows:cursor), a client or the file's path",
    ),
  },
  shared: {
    json: true,
    yes: "never prompt: with several edited entries, --from names one",
    dryRun: "show the manifest diff (keys masked); write nothing",
    manifest: true,
    env: "only look at this environment's configs (repeatable)",
    client: "only look at this client's configs (repeatable)",
    project: "the project files in <dir> instead of user files",
  },
});
