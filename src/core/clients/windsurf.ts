/**
 * Devin Desktop, formerly Windsurf (id `windsurf`): its Cascade agent reads
 * ~/.codeium/windsurf/mcp_config.json; remote servers use `serverUrl`, not `url`.
 */
import { anyExists, inHome } from "./locate.js";
import {
  type ClientModule,
  stdioWithoutEmptyEnv,
  UNDOCUMENTED_STARTUP_TIMEOUT_MS,
  withHeaders,
} from "./types.js";
import { EDITOR } from "./variables.js";

export const windsurf: ClientModule = {
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
  kinds: ["windows", "macos", "linux"],
  serversPath: ["mcpServers"],
  async userConfig(env) {
    const dir = inHome(env, ".codeium", "windsurf");
    return {
      path: inHome(env, ".codeium", "windsurf", "mcp_config.json"),
      present: await anyExists(env, [dir]),
    };
  },
  referenceStyle: (name) => `\${env:${name}}`,
  stdioEntry: (launch) => stdioWithoutEmptyEnv(launch),
  remoteEntry: (remote) => withHeaders({ serverUrl: remote.url }, remote.headers),
  // One key for both transports: Windsurf tells them apart itself.
  sseEntry: (remote) => withHeaders({ serverUrl: remote.url }, remote.headers),
  restartToApply: true,
  gui: true,
  startupTimeoutMs: () => UNDOCUMENTED_STARTUP_TIMEOUT_MS,
  processNames: { windows: ["Windsurf.exe"], posix: ["windsurf"] },
  // Tools are switched on and off on each server's settings page, not in mcp_config.json.
  toolBudget: {
    noField: "none in `mcp_config.json` (its settings page)",
    limit: { tools: 100, source: "https://docs.windsurf.com/windsurf/cascade/mcp" },
  },
  reading: { variables: EDITOR, urlKey: "serverUrl" },
};
