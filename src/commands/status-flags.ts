/**
 * `mcp-twin status`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine } from "./shared/command.js";

export const statusCommand = commandLine({
  name: "status",
  description: "servers × targets: synced, missing, drifted, foreign, stale",
  flags: {},
  shared: { json: true, manifest: true, env: true, client: true, project: true },
});
