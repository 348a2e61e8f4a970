/**
 * VS Code (Copilot agent mode): servers under `servers` (not `mcpServers`), `type` required.
 * User file: Code/User/mcp.json in the platform's config folder; project: .vscode/mcp.json.
 */
import { joinNative } from "../environments/types.js";
import { existsIn, inHome } from "./locate.js";
import {
  type ClientModule,
  stdioWithoutEmptyEnv,
  UNDOCUMENTED_STARTUP_TIMEOUT_MS,
  withHeaders,
} from "./types.js";
import { EDITOR } from "./variables.js";

export const vscode: ClientModule = {
  id: "vscode",
  name: "VS Code",
  docs: {
    file: "`Code/User/mcp.json` in the platform's config folder",
    shapes: "`type` required: `stdio` with `command`, `args`, `env`; `http` or `sse` with `url`, `headers`",
  },
  sources: [
    {
      fact: "mcp.json, `servers`, its variables",
      url: "https://code.visualstudio.com/docs/copilot/customization/mcp-servers",
    },
  ],
  kinds: ["windows", "macos", "linux"],
  serversPath: ["servers"],
  // Its documented fields of an entry beside the launch: the sandbox of a stdio server, dev mode.
  keptKeys: ["sandboxEnabled", "sandbox", "dev"],
  async userConfig(env) {
    const dir =
      env.kind === "windows"
        ? env.vars.APPDATA && joinNative("windows", env.vars.APPDATA, "Code", "User")
        : env.kind === "macos"
          ? inHome(env, "Library", "Application Support", "Code", "User")
          : joinNative("linux", env.vars.XDG_CONFIG_HOME ?? inHome(env, ".config"), "Code", "User");
    if (!dir) return undefined;
    return { path: joinNative(env.kind, dir, "mcp.json"), present: await existsIn(env, dir) };
  },
  projectConfig: [".vscode", "mcp.json"],
  referenceStyle: (name) => `\${env:${name}}`,
  stdioEntry: (launch) => stdioWithoutEmptyEnv(launch, { type: "stdio" }),
  remoteEntry: (remote) => withHeaders({ type: "http", url: remote.url }, remote.headers),
  // Its predefined variables in mcp.json (documented, not tried here): the open workspace's folder.
  workingFolder: "${workspaceFolder}",
  sseEntry: (remote) => withHeaders({ type: "sse", url: remote.url }, remote.headers),
  restartToApply: false,
  gui: true,
  startupTimeoutMs: () => UNDOCUMENTED_STARTUP_TIMEOUT_MS,
  processNames: { windows: ["Code.exe"], posix: ["code"] },
  // Which tools it loads is chosen in its tools picker, not in mcp.json.
  toolBudget: {
    limit: { tools: 128, source: "https://github.com/microsoft/vscode-copilot-release/issues/11653" },
  },
  reading: { variables: EDITOR, type: "required" },
};
