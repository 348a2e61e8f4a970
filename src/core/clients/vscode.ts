/**
 * VS Code (Copilot agent mode): servers under `servers` (not `mcpServers`), `type` required.
 * User file: Code/User/mcp.json in the platform's config folder; project: .vscode/mcp.json; and in
 * WSL, the remote user file a window connected to it reads, `~/.vscode-server/data/User/mcp.json`.
 */
import { joinNative } from "../environments/native-paths.js";
import type { Environment } from "../environments/types.js";
import { defineClient } from "./define-client.js";
import { TYPED } from "./entry-shapes.js";
import { inHome, listIn, readTextIn } from "./locate.js";
import { EDITOR } from "./variables.js";

/**
 * A window connected to WSL reads both user files: the Windows one's servers start on Windows, the
 * remote one's in WSL, and a remote entry replaces the Windows entry of the same name
 * (microsoft/vscode@05a7e3aa src/vs/workbench/contrib/mcp/browser/mcpWorkbenchService.ts:
 * getEnabledLocalMcpServers keys servers by name, User then RemoteUser then Workspace;
 * getRemoteMcpConfigPath gives the remote file's collection the window's remoteAuthority;
 * src/vs/workbench/services/mcp/common/mcpWorkbenchManagementService.ts@071528f1, getInstalled,
 * reads the remote file through the remote's `mcpManagement` channel). The remote file is
 * `~/.vscode-server/data/User/mcp.json` for the default profile (src/vs/server/node/server.main.ts,
 * APP_SETTINGS_HOME). Its `inputs` are not read in remote windows (microsoft/vscode#256546, fix
 * open in #324124): mcp-twin writes values, never `${input:…}`.
 */
export const vscode = defineClient({
  id: "vscode",
  name: "VS Code",
  docs: {
    file: "`Code/User/mcp.json` in the platform's config folder; WSL: `~/.vscode-server/data/User/mcp.json`, read by a window connected to WSL (only servers that start in WSL)",
    shapes: "`type` required: `stdio` with `command`, `args`, `env`; `http` or `sse` with `url`, `headers`",
  },
  sources: [
    {
      fact: "mcp.json, `servers`, its variables",
      url: "https://code.visualstudio.com/docs/copilot/customization/mcp-servers",
    },
    {
      fact: "a remote window reads the remote user mcp.json, its entries replacing the local file's by name",
      url: "https://github.com/microsoft/vscode/blob/05a7e3aa/src/vs/workbench/contrib/mcp/browser/mcpWorkbenchService.ts",
    },
    {
      fact: "the remote user folder `~/.vscode-server/data/User`",
      url: "https://github.com/microsoft/vscode/blob/main/src/vs/server/node/server.main.ts",
    },
    {
      fact: "1.140: its Copilot harness reads `~/.copilot/mcp-config.json` and is given the profile mcp.json's servers",
      url: "https://github.com/microsoft/vscode-docs/blob/03f341de/release-notes/v1_140.md",
    },
    {
      fact: "1.141 (7 Oct 2026) rolls the Copilot harness out as the default",
      url: "https://github.com/microsoft/vscode-docs/blob/00ba590e/release-notes/v1_141.md",
    },
    {
      fact: "a remote window does not read the remote file's `inputs`",
      url: "https://github.com/microsoft/vscode/issues/256546",
    },
  ],
  files: {
    windows: { base: "appdata", path: ["Code", "User", "mcp.json"] },
    macos: { base: "app-support", path: ["Code", "User", "mcp.json"] },
    linux: { base: "xdg-config", path: ["Code", "User", "mcp.json"] },
    wsl: {
      base: "home",
      path: [".vscode-server", "data", "User", "mcp.json"],
      presentIf: [[".vscode-server"]],
      note: "a VS Code window connected to WSL",
    },
  },
  // In WSL its file is the remote windows', there only once VS Code's server is (~/.vscode-server).
  createWhenNamed: ["windows", "macos", "linux"],
  remoteOverlay: ["wsl"],
  serversPath: ["servers"],
  // Its documented fields of an entry beside the launch: the sandbox of a stdio server, dev mode.
  keptKeys: ["sandboxEnabled", "sandbox", "dev"],
  projectConfig: [".vscode", "mcp.json"],
  referenceStyle: (name) => `\${env:${name}}`,
  entry: TYPED,
  // Its predefined variables in mcp.json (documented, not tried here): the open workspace's folder.
  workingFolder: "${workspaceFolder}",
  app: "editor",
  processes: { windows: ["Code.exe"], posix: ["code"] },
  // Which tools it loads is chosen in its tools picker, not in mcp.json.
  toolBudget: {
    // It sends the model about 30 tools a turn and finds the rest on demand (embeddings, virtual
    // tools), so its 128-tools-a-request limit is never reached: no limit here.
    searches: {
      how: "its progressive tool discovery (about 30 tools a turn)",
      source: "https://code.visualstudio.com/blogs/2026/04/24/solving-mcp-tool-overload",
    },
    noField: "none in `mcp.json` (its tools picker)",
  },
  variables: EDITOR,
  reading: { type: "required" },
  // Its Copilot harness (from 1.140; 1.141 rolls it out as the default) reads Copilot CLI's file, and VS Code gives it the
  // profile mcp.json's servers as well: one written to both would reach a session twice.
  harness: { since: "1.140.0", name: "Copilot", reads: "copilot-cli", version: installedVersion },
});

/**
 * The version of the VS Code installed in an environment (its `resources/app/product.json`; on
 * Windows also one folder down, where an install keeps each update in a folder of its own). In WSL
 * the window is the Windows app's: undefined there, as where none is found.
 */
async function installedVersion(env: Environment): Promise<string | undefined> {
  const k = env.kind;
  const programs = env.vars.PROGRAMFILES ?? env.vars.ProgramFiles;
  const dirs =
    k === "windows"
      ? [
          env.vars.LOCALAPPDATA && joinNative(k, env.vars.LOCALAPPDATA, "Programs", "Microsoft VS Code"),
          programs && joinNative(k, programs, "Microsoft VS Code"),
        ]
      : k === "macos"
        ? [
            "/Applications/Visual Studio Code.app/Contents/Resources",
            inHome(env, "Applications", "Visual Studio Code.app", "Contents", "Resources"),
          ]
        : k === "linux"
          ? ["/usr/share/code", "/snap/code/current/usr/share/code", "/opt/visual-studio-code"]
          : [];
  for (const dir of dirs) {
    if (!dir) continue;
    const below = k === "windows" ? (await listIn(env, dir)).map((n) => joinNative(k, dir, n)) : [];
    for (const root of [dir, ...below]) {
      const app = k === "macos" ? joinNative(k, root, "app") : joinNative(k, root, "resources", "app");
      const text = await readTextIn(env, joinNative(k, app, "product.json"));
      const version = text ? versionIn(text) : undefined;
      if (version) return version;
    }
  }
  return undefined;
}

function versionIn(text: string): string | undefined {
  try {
    const v = (JSON.parse(text) as { version?: unknown }).version;
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}
