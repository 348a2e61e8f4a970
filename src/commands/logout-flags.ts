/**
 * `mcp-twin logout`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine } from "./shared/command.js";

export const logoutCommand = commandLine({
  name: "logout",
  description: "revoke mcp-twin's login to a remote server at its provider (where offered) and forget it",
  args: [{ name: "<server>", description: "the manifest server" }],
  flags: {},
  shared: {
    json: true,
    dryRun: "say whether there is a login to forget and whether it would be revoked; change nothing",
  },
});
