/**
 * `mcp-twin uninstall`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, flag } from "./shared/command.js";

export const uninstallCommand = commandLine({
  name: "uninstall",
  description:
    "remove every entry mcp-twin wrote, give back the hand-written ones it adopted and stop the bridge; then say what stays (asks first on a TTY)",
  flags: {
    packages: flag("--packages", "also uninstall the packages mcp-twin installed"),
    force: flag(
      "--force",
      "also remove (or give back) entries edited by hand since mcp-twin wrote them, and write read-only files",
    ),
  },
  shared: {
    json: true,
    yes: "do not ask first",
    dryRun: "show what would be removed or given back (diffs, keys masked); write nothing",
    env: true,
    client: true,
  },
});
