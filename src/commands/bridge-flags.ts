/**
 * `mcp-twin bridge`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, flag, value } from "./shared/command.js";

export const bridgeCommand = commandLine({
  name: "bridge",
  description:
    "the bridge's lifecycle: status (where it runs, port, pid, uptime, clients), start, stop, restart; one shared server's status, restart or logs",
  args: [
    { name: "[action]", description: "status (default), start, stop, restart or logs" },
    {
      name: "[name]",
      description:
        "status, restart, logs: that shared server only (its processes, its last error, its own log)",
    },
  ],
  flags: {
    lines: value("-n, --lines <n>", "logs: how many of the last lines to show (default 50)"),
    follow: flag("-f, --follow", "logs: then keep showing lines as they are written (Ctrl-C ends)"),
  },
  shared: { json: true, manifest: "the manifest whose bridge settings (port, host) are used" },
});
