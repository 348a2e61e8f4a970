/**
 * `mcp-twin sync`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, flag } from "./shared/command.js";

export const syncCommand = commandLine({
  name: "sync",
  description: "install each server's package where a client runs it and write every client config",
  flags: {
    force: flag(
      "--force",
      "also overwrite entries edited by hand (drift), take over same-named entries mcp-twin did not write, and write read-only files",
    ),
    update: flag("--update", "move unpinned packages to their newest versions"),
    prune: flag("--prune", "uninstall packages of servers removed from the manifest"),
    autostart: flag(
      "--autostart",
      "also install the bridge's start at logon where sync only offers it (Linux without systemd: an XDG autostart entry)",
    ),
  },
  shared: {
    json: true,
    yes: "trust a project manifest that runs programs without asking",
    dryRun: "show unified diffs (keys masked); install nothing, write nothing",
    manifest: true,
    env: true,
    client: "only this client; naming one also creates its config file where it lives (repeatable)",
    project: true,
  },
});
