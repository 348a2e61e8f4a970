/**
 * `mcp-twin doctor`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, list, noFlag, value } from "./shared/command.js";

export const doctorCommand = commandLine({
  name: "doctor",
  description: "check every environment, client config and server; start each server and explain what fails",
  flags: {
    server: list("--server <name>", "only this server (repeatable)"),
    probe: noFlag("--no-probe", "static checks only: do not start the servers"),
    timeout: value(
      "--timeout <seconds>",
      "how long each server may take to answer (default: as long as its client waits, 10 to 60 s)",
    ),
  },
  shared: {
    json: true,
    yes: "trust a project's own entries (a cloned repo's .mcp.json) and start them to check them",
    manifest: true,
    env: true,
    client: true,
    project: true,
  },
});
