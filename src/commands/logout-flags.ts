/**
 * `mcp-twin logout`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine } from "./shared/command.js";

export const logoutCommand = commandLine({
  name: "logout",
  description: "forget mcp-twin's login to a remote server (its tokens leave the home)",
  args: [{ name: "<server>", description: "the manifest server" }],
  flags: {},
  shared: { json: true, dryRun: "say whether there is a login to forget; remove nothing" },
});
