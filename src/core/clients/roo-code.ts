/**
 * Roo Code and its successor Zoo Code, VS Code-family extensions: one user file per editor that
 * runs them, `<User>/globalStorage/<id>/settings/mcp_settings.json`; project `.roo/mcp.json`.
 */
import { defineClient } from "./define-client.js";
import { commandEntry, urlEntry } from "./entry-shapes.js";
import { commonRooEntry, ROO_OWN, rooKeys } from "./extension-entries.js";
import { envColon } from "./variables.js";

const ROO_HUB = "https://github.com/RooCodeInc/Roo-Code/blob/cb836567/src/services/mcp/McpHub.ts";

/**
 * Facts (RooCodeInc/Roo-Code@cb836567, 3.52.1; Zoo-Code-Org/Zoo-Code src/services/mcp/McpHub.ts@0902c660):
 * - Ids: Roo Code `RooVeterinaryInc.roo-cline` (src/package.json), shut down on 2026-05-15; Zoo Code,
 *   the community fork that continues it, `ZooCodeOrganization.zoo-code` (Zoo src/package.json@00eb15fd).
 *   The folder is the id lowercased (microsoft/vscode extHostStoragePaths.ts@03ed7529, globalValue).
 * - The user file is `settings/mcp_settings.json` in the extension's globalStorage folder, unless
 *   its `customStoragePath` setting moves it (src/utils/storage.ts; not read by mcp-twin). A Remote-WSL
 *   window runs it in WSL, with the globalStorage of `~/.vscode-server/data/User`.
 * - Project file `.roo/mcp.json`; Zoo Code reads `.zoo/mcp.json` first and `.roo/mcp.json` when
 *   there is none (Zoo src/services/mcp/__tests__/McpHub.zooMigration.spec.ts@10d91aaf).
 * - JSON.parse, no comments; entries `command`/`args`/`env`/`cwd`, or `url`/`headers` with `type`
 *   "streamable-http" or "sse" (required with a url); its own keys `disabled`, `timeout` (seconds,
 *   default 60), `alwaysAllow`, `watchPaths`, `disabledTools`; it rewrites the file when it changes a
 *   server (McpHub.ts, BaseConfigSchema, updateServerConfig).
 * - `disabledTools` is the tools it leaves out of the model's prompt and refuses to call: exact
 *   names as the server lists them (fetchToolsList's `enabledForPrompt`; Zoo Code's McpHub.ts@4f83a751
 *   the same); its own tool switches write it too (toggleToolEnabledForPrompt).
 * - `${env:VAR}` and `${workspaceFolder}` are expanded (src/utils/config.ts injectVariables).
 * - On Windows it starts every stdio command through `cmd.exe /c` (McpHub.ts connectToServer).
 * - It watches both files and reconnects on a change.
 */
/** No user file of its own: its file is each editor's that has the extension (`extension` below). */
const IN_EDITORS = async () => undefined;

export const rooCode = defineClient({
  id: "roo-code",
  name: "Roo Code",
  notice:
    "Roo Code shut down on 2026-05-15; Zoo Code continues it with the same folders, and mcp-twin writes both (`--client roo-code`).",
  docs: {
    where:
      "in each editor that has the extension (VS Code, Insiders, Cursor, Windsurf, VSCodium), and their WSL servers",
    file: "`<editor User folder>/globalStorage/<id>/settings/mcp_settings.json` per editor (`rooveterinaryinc.roo-cline`, `zoocodeorganization.zoo-code`)",
    shapes:
      "`command`, `args`, `env`; remote: `type: streamable-http` or `sse` with `url`, `headers`; plain JSON only",
    variables: "`${env:VAR}`, `${workspaceFolder}`",
  },
  sources: [
    {
      fact: "the file in globalStorage, entry schema, `type` values, own keys, `cmd.exe /c` on Windows",
      url: ROO_HUB,
    },
    {
      fact: "`disabledTools`: exact tool names left out of the prompt (`enabledForPrompt`) and refused on a call",
      url: `${ROO_HUB}#L1030`,
    },
    {
      fact: "Zoo Code reads `disabledTools` the same way",
      url: "https://github.com/Zoo-Code-Org/Zoo-Code/blob/4f83a75109658757f57a5e32aa7b59cc3924b553/src/services/mcp/McpHub.ts",
    },
    {
      fact: "the extension's id",
      url: "https://github.com/RooCodeInc/Roo-Code/blob/cb836567/src/package.json",
    },
    {
      fact: "`${env:VAR}` and `${workspaceFolder}` expanded",
      url: "https://github.com/RooCodeInc/Roo-Code/blob/cb836567/src/utils/config.ts",
    },
    {
      fact: "Zoo Code, the fork that continues it, and its id",
      url: "https://github.com/Zoo-Code-Org/Zoo-Code",
    },
    {
      fact: "globalStorage folder named by the id lowercased",
      url: "https://github.com/microsoft/vscode/blob/main/src/vs/workbench/api/common/extHostStoragePaths.ts",
    },
    {
      fact: "a remote window's user folder `~/.vscode-server/data/User`",
      url: "https://github.com/microsoft/vscode/blob/main/src/vs/server/node/server.main.ts",
    },
  ],
  files: { windows: IN_EDITORS, wsl: IN_EDITORS, macos: IN_EDITORS, linux: IN_EDITORS },
  // Its files are the extension's, in each editor that has it: `--client` creates none elsewhere.
  createWhenNamed: [],
  serversPath: ["mcpServers"],
  keptKeys: ROO_OWN,
  extension: {
    ids: ["RooVeterinaryInc.roo-cline", "ZooCodeOrganization.zoo-code"],
    file: ["settings", "mcp_settings.json"],
    names: { "RooVeterinaryInc.roo-cline": "Roo Code", "ZooCodeOrganization.zoo-code": "Zoo Code" },
  },
  // Asked only for a client without extension files (targets.ts): the files are per editor.
  projectConfig: [".roo", "mcp.json"],
  referenceStyle: (name) => `\${env:${name}}`,
  entry: {
    stdio: (launch) => commandEntry(launch),
    remote: (remote) => urlEntry(remote, { type: "streamable-http" }),
    sse: (remote) => urlEntry(remote, { type: "sse" }),
  },
  app: "editor",
  // It loads a changed file itself: nothing to find running.
  processes: { windows: [], posix: [] },
  // `cmd.exe /c <command> <args>`: cmd parses the line again, so a path with a space may split.
  windowsSpaces: "may-split",
  toolBudget: {
    // A deny list only: an allow rule is said as the rest of the server's list.
    filter: {
      keys: ["disabledTools"],
      fields: (names) => (names.allow ? undefined : { disabledTools: [...names.deny] }),
      source: `${ROO_HUB}#L1030`,
    },
  },
  variables: envColon(true),
  reading: {
    commonKeys: rooKeys,
    commonEntry: commonRooEntry,
    strictJson: () => true,
    // JSON.parse on the text as read: a byte-order mark is refused too.
    strictJsonDialect: { comments: false, bom: false },
  },
});
