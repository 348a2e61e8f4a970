/**
 * `mcp-twin bridge`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine } from "./shared/command.js";

export const bridgeCommand = commandLine({
  name: "bridge",
  description:
    "the bridge's lifecycle: status (where it runs, port, pid, uptime, clients), start, stop, restart",
  args: [{ name: "[action]", description: "status (default), start, stop or restart" }],
  flags: {},
  shared: { json: true, manifest: "the manifest whose bridge settings (port, host) are used" },
});
