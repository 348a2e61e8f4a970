/**
 * Cursor: Windows, macOS, Linux, and inside WSL for its remote mode (~/.cursor or
 * ~/.cursor-server there). `${env:VAR}` references in project files.
 */
import { anyExists, inHome } from "./locate.js";
import {
  type ClientModule,
  stdioWithoutEmptyEnv,
  UNDOCUMENTED_STARTUP_TIMEOUT_MS,
  withHeaders,
} from "./types.js";
import { EDITOR } from "./variables.js";

export const cursor: ClientModule = {
  id: "cursor",
  name: "Cursor",
  docs: {
    where: "Windows, macOS, Linux (and WSL when its remote mode left `~/.cursor-server`)",
    file: "`~/.cursor/mcp.json`",
    shapes: "`command`, `args`, `env`; remote: `url`, `headers` (either transport)",
    variables: "`${env:VAR}`",
  },
  sources: [
    {
      fact: "mcp.json, its variables and `auth`",
      url: "https://docs.cursor.com/context/model-context-protocol",
    },
  ],
  kinds: ["windows", "macos", "linux", "wsl"],
  createWhenNamed: ["windows", "macos", "linux"],
  serversPath: ["mcpServers"],
  // Its documented OAuth client (`auth`: CLIENT_ID, CLIENT_SECRET, scopes) of a url entry.
  keptKeys: ["auth"],
  async userConfig(env) {
    const dir = inHome(env, ".cursor");
    const markers = env.kind === "wsl" ? [dir, inHome(env, ".cursor-server")] : [dir];
    return { path: inHome(env, ".cursor", "mcp.json"), present: await anyExists(env, markers) };
  },
  projectConfig: [".cursor", "mcp.json"],
  referenceStyle: (name) => `\${env:${name}}`,
  stdioEntry: (launch) => stdioWithoutEmptyEnv(launch),
  remoteEntry: (remote) => withHeaders({ url: remote.url }, remote.headers),
  // Its documented interpolation of url and headers (not tried here): the open workspace's folder.
  workingFolder: "${workspaceFolder}",
  // One key for both: Cursor tries Streamable HTTP and falls back to SSE.
  sseEntry: (remote) => withHeaders({ url: remote.url }, remote.headers),
  restartToApply: true,
  gui: true,
  startupTimeoutMs: () => UNDOCUMENTED_STARTUP_TIMEOUT_MS,
  processNames: { windows: ["Cursor.exe"], posix: ["cursor"] },
  windowsSpaces: "may-split",
  reading: { variables: EDITOR },
};
