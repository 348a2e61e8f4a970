/**
 * `mcp-twin secret`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, flag } from "./shared/command.js";

export const secretCommand = commandLine({
  name: "secret",
  description: "manage secrets: set NAME (value from a masked prompt or stdin), list, rm NAME",
  args: [
    { name: "<action>", description: "set, list or rm" },
    { name: "[name]", description: "the secret's name, e.g. TAVILY_API_KEY" },
  ],
  flags: {
    force: flag(
      "--force",
      "set: store a value that looks like a placeholder or fails the catalogue's format check",
    ),
  },
  shared: {
    json: true,
    yes: "set: never prompt (the value must come on stdin)",
    dryRun: "set, rm: say what would change; write nothing",
    manifest: "list: the manifest whose references are shown",
  },
});
