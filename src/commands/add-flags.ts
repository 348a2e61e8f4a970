/**
 * `mcp-twin add`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import {
  commandLine,
  EDIT_THEN_SYNC,
  flag,
  flagOrNot,
  list,
  oneOf,
  registryFlag,
  secretFlag,
  value,
} from "./shared/command.js";

export const addCommand = commandLine({
  name: "add",
  description:
    "add a server to the manifest: a catalogue entry, an MCP Registry server, an npm package or a remote URL",
  args: [
    {
      name: "[server]",
      description:
        "a catalogue name (see --list), an MCP Registry name (io.github.owner/server[@version]), an npm package spec or a remote server's URL (https://…)",
    },
  ],
  flags: {
    list: flag("--list", "show the catalogue"),
    name: value("--name <name>", "the server's name in the manifest"),
    arg: list("--arg <name=value>", "an answer for the template's inputs (repeatable)"),
    secret: secretFlag(),
    force: flag("--force", "replace a server of the same name"),
    registry: registryFlag(),
    use: oneOf("--use <way>", "for a registry server offering several: how to run it", [
      "npm",
      "remote",
      "pypi",
      "oci",
    ]),
    sync: flagOrNot(
      "--sync",
      "sync right after adding (write every client config; an npm package is installed first)",
      "--no-sync",
      "do not offer to sync",
    ),
  },
  shared: {
    ...EDIT_THEN_SYNC,
    project: "with --sync: the project files in <dir> instead of user files",
  },
});
