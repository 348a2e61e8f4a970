/**
 * Cursor: Windows, macOS, Linux, and inside WSL for its remote mode (~/.cursor or
 * ~/.cursor-server there). `${env:VAR}` references in project files.
 */
import { defineClient } from "./define-client.js";
import { commandEntry, urlEntry } from "./entry-shapes.js";
import { EDITOR } from "./variables.js";

const FILE = { base: "home", path: [".cursor", "mcp.json"] } as const;

export const cursor = defineClient({
  id: "cursor",
  name: "Cursor",
  docs: {
    where: "Windows, macOS, Linux (and WSL when its remote mode left `~/.cursor-server`)",
    shapes: "`command`, `args`, `env`; remote: `url`, `headers` (either transport)",
    variables: "`${env:VAR}`",
  },
  sources: [
    {
      fact: "mcp.json, its variables and `auth`",
      url: "https://docs.cursor.com/context/model-context-protocol",
    },
  ],
  files: {
    windows: FILE,
    macos: FILE,
    linux: FILE,
    // In WSL it is there once its remote mode left its server folder.
    wsl: { ...FILE, presentIf: [[".cursor"], [".cursor-server"]] },
  },
  createWhenNamed: ["windows", "macos", "linux"],
  serversPath: ["mcpServers"],
  // Its documented OAuth client (`auth`: CLIENT_ID, CLIENT_SECRET, scopes) of a url entry.
  keptKeys: ["auth"],
  projectConfig: [".cursor", "mcp.json"],
  referenceStyle: (name) => `\${env:${name}}`,
  entry: {
    stdio: (launch) => commandEntry(launch),
    remote: (remote) => urlEntry(remote),
    // One key for both: Cursor tries Streamable HTTP and falls back to SSE.
    sse: (remote) => urlEntry(remote),
  },
  // Its documented interpolation of url and headers (not tried here): the open workspace's folder.
  workingFolder: "${workspaceFolder}",
  app: "desktop",
  // Its agent gets MCP tools' names only and looks a tool up when it needs it (its blog, Jan 2026).
  toolBudget: {
    searches: {
      how: "its dynamic context discovery",
      source: "https://cursor.com/blog/dynamic-context-discovery",
    },
  },
  processes: { windows: ["Cursor.exe"], posix: ["cursor"] },
  windowsSpaces: "may-split",
  variables: EDITOR,
});
