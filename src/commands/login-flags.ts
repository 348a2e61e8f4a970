/**
 * `mcp-twin login`'s command line: its arguments and flags, each with its type, and the shared
 * flags it honours.
 */
import { commandLine, noFlag } from "./shared/command.js";

export const loginCommand = commandLine({
  name: "login",
  description:
    "log in once to a remote server that asks for it (OAuth): every client, on both sides, uses this login",
  args: [{ name: "<server>", description: "the manifest server, e.g. docs" }],
  flags: {
    browser: noFlag(
      "--no-browser",
      "print the address to open instead, and take the address the browser ends on, pasted back",
    ),
  },
  shared: { json: true, manifest: "the manifest that names the server" },
});
