/** Windsurf: ~/.codeium/windsurf/mcp_config.json; remote servers use `serverUrl`, not `url`. */
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
  name: "Windsurf",
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
  toolBudget: { limit: { tools: 100, source: "https://docs.windsurf.com/windsurf/cascade/mcp" } },
  reading: { variables: EDITOR, urlKey: "serverUrl" },
};
