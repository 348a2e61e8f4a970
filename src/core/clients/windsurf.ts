/**
 * Devin Desktop, formerly Windsurf (id `windsurf`): its Cascade agent reads
 * ~/.codeium/windsurf/mcp_config.json; remote servers use `serverUrl`, not `url`.
 */
import { defineClient } from "./define-client.js";
import { commandEntry, urlEntry } from "./entry-shapes.js";
import { EDITOR } from "./variables.js";

const FILE = { base: "home", path: [".codeium", "windsurf", "mcp_config.json"] } as const;

export const windsurf = defineClient({
  id: "windsurf",
  name: "Devin Desktop (Windsurf)",
  docs: {
    file: "`~/.codeium/windsurf/mcp_config.json` (read by its Cascade agent)",
    shapes: "`command`, `args`, `env`; remote (either transport): `serverUrl`, `headers`",
  },
  sources: [
    { fact: "mcp_config.json and `serverUrl`", url: "https://docs.windsurf.com/windsurf/cascade/mcp" },
    {
      fact: "Windsurf became Devin Desktop (2026-06); Cascade keeps this file",
      url: "https://windsurf.com/changelog",
    },
  ],
  files: { windows: FILE, macos: FILE, linux: FILE },
  serversPath: ["mcpServers"],
  referenceStyle: (name) => `\${env:${name}}`,
  entry: {
    stdio: (launch) => commandEntry(launch),
    remote: (remote) => urlEntry(remote, {}, "serverUrl"),
    // One key for both transports: Windsurf tells them apart itself.
    sse: (remote) => urlEntry(remote, {}, "serverUrl"),
  },
  app: "desktop",
  processes: { windows: ["Windsurf.exe"], posix: ["windsurf"] },
  // Tools are switched on and off on each server's settings page, not in mcp_config.json.
  toolBudget: {
    noField: "none in `mcp_config.json` (its settings page)",
    limit: { tools: 100, source: "https://docs.windsurf.com/windsurf/cascade/mcp" },
  },
  variables: EDITOR,
  reading: { urlKey: "serverUrl" },
});
