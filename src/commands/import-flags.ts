/**
 * `mcp-twin import`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, flag, list, secretFlag } from "./shared/command.js";

export const importCommand = commandLine({
  name: "import",
  description: "copy the servers configured in any client into the manifest (and adopt them)",
  flags: {
    force: flag("--force", "replace manifest servers of the same name"),
    preferClient: list(
      "--prefer-client <client>",
      "a key with different values in different places: use the value this client holds (cursor, or windows:cursor; repeatable, first decides)",
    ),
    keepBoth: flag(
      "--keep-both",
      "a key with different values in different places: each place keeps its own",
    ),
    secret: secretFlag("a key's value for every client (settles a clash, fills a placeholder)"),
  },
  shared: {
    json: true,
    yes: "never prompt: a key with different values needs --prefer-client, --keep-both or --secret",
    dryRun: "show what would be imported and the manifest diff (keys masked); write nothing",
    manifest: true,
    env: "only read this environment's configs (repeatable)",
    client: "only read this client's configs (repeatable)",
    project: "also read the project files in <dir> and Claude Code's local scope for it",
  },
});
