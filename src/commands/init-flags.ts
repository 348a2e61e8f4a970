/**
 * `mcp-twin init`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, flag, list, noFlag, registryFlag, secretFlag, value } from "./shared/command.js";

export const initCommand = commandLine({
  name: "init",
  description: "set up: find what is here, import existing servers, pick from the catalogue, ask keys, sync",
  flags: {
    server: list("--server <name>", "a catalogue server to add (repeatable)"),
    secret: secretFlag(),
    arg: list("--arg <[server.]name=value>", "an answer for a template's inputs (repeatable)"),
    registry: registryFlag(),
    import: flag("--import", "with --yes: import the servers already configured in any client"),
    preferClient: list(
      "--prefer-client <client>",
      "an imported key with different values in different places: use this client's (repeatable)",
    ),
    keepBoth: flag(
      "--keep-both",
      "an imported key with different values in different places: each keeps its own",
    ),
    port: value(
      "--port <port>",
      "pin the bridge's port in the manifest (bridge.port) before the sync starts it (else 7760, or the first free one above it)",
    ),
    bridge: flag("--bridge", "also enable the bridge (shared memory, notes and hand-off between sessions)"),
    sync: noFlag("--no-sync", "write the manifest and secrets, but do not sync"),
  },
  shared: {
    json: true,
    yes: true,
    dryRun: "show the plan and the manifest diff (keys masked); write and install nothing",
    manifest: true,
    env: "set up only this environment (repeatable)",
    client: "sync only this client, creating its config where it lives (repeatable)",
  },
});
