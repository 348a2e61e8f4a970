/**
 * Kilo Code: the `kilo` CLI (a fork of opencode) and the VS Code extension, which runs the same CLI
 * bundled in it, read `mcp.<name>` in ~/.config/kilo/kilo.jsonc (or kilo.json, opencode.jsonc,
 * opencode.json) of the environment where they run.
 */
import { defineClient } from "./define-client.js";
import {
  commonOpencodeEntry,
  entryTimeout,
  importedOpencodeEntry,
  OPENCODE_KEPT,
  OPENCODE_SHAPES,
} from "./opencode.js";
import { OPENCODE } from "./variables.js";

const USER = {
  base: "xdg-config",
  path: ["kilo", "kilo.jsonc"],
  alternatives: ["kilo.json", "opencode.jsonc", "opencode.json"],
  program: "kilo",
} as const;

/**
 * - It reads every one of those files in ~/.config/kilo (the later winning), and writes the first
 *   that exists; on its first run it creates kilo.jsonc with a `$schema`, or adds `$schema` and
 *   `"permission": {"bash": "allow"}` (a one-off migration) to one already there: its own edits, not
 *   drift (measured with 7.7.7, test/fixtures/first-run/kilo-code).
 * - In a project it reads `kilo.jsonc`, `kilo.json`, `opencode.json(c)` and the same under `.kilo/`
 *   and `.kilocode/`; `kilo mcp add` writes `.kilo/kilo.jsonc` there, and so does sync.
 * - Entries, `{env:VAR}` and the url's transports are opencode's (7.7.7).
 * - The extension (`kilocode.kilo-code`) starts its bundled `kilo serve` in its extension host, so it
 *   reads this file of the side that runs it (WSL's in a Remote-WSL window). Started by the
 *   extension, kilo also reads the older extension's `Code/User/globalStorage/kilocode.kilo-code/
 *   settings/mcp_settings.json` of the desktop VS Code, below every kilo file (a `mcp` entry of the
 *   same name wins): the person's own, never written (a server is never there twice by mcp-twin).
 */
export const kiloCode = defineClient({
  id: "kilo-code",
  name: "Kilo Code",
  // Its extension in an editor of an environment (desktop or remote server) runs kilo there.
  extension: { ids: ["kilocode.kilo-code"] },
  files: {
    windows: { ...USER, base: "home", path: [".config", ...USER.path] },
    wsl: USER,
    macos: USER,
    linux: USER,
  },
  serversPath: ["mcp"],
  projectConfig: [".kilo", "kilo.jsonc"],
  referenceStyle: (name) => `{env:${name}}`,
  entry: OPENCODE_SHAPES,
  keptKeys: OPENCODE_KEPT,
  variables: OPENCODE,
  common: commonOpencodeEntry,
  reading: { commonEntry: importedOpencodeEntry },
  app: "cli",
  processes: "kilo",
  startupSetting: { key: "timeout", unit: "ms" },
  startupTimeoutMs: (entry) => entryTimeout(entry) ?? 30_000,
  judge: "`kilo mcp list` (✓ connected / ✗ failed)",
  docs: {
    where:
      "Windows, WSL, macOS, Linux: where `kilo` or an editor's Kilo Code extension runs (a Remote-WSL window runs it in WSL)",
    shapes:
      "opencode's: `type: local` with `command` as one array and `environment`; `type: remote` with `url`, `headers`",
  },
  sources: [
    {
      fact: "config files, their order, `kilo mcp add`'s file (7.7.7's bundle)",
      url: "https://github.com/Kilo-Org/kilocode",
    },
    { fact: "the CLI's MCP settings", url: "https://kilo.ai/docs/cli" },
    {
      fact: "the extension runs its bundled `kilo serve` where its extension host runs",
      url: "https://github.com/Kilo-Org/kilocode/blob/main/packages/kilo-vscode/src/services/cli-backend/server-manager.ts",
    },
    {
      fact: "the older extension's mcp_settings.json, read only when started by the extension, below the kilo files",
      url: "https://github.com/Kilo-Org/kilocode/blob/main/packages/opencode/src/kilocode/mcp-migrator.ts",
    },
    {
      fact: "judged with @kilocode/cli 7.7.7 (`kilo mcp list`)",
      url: "https://www.npmjs.com/package/@kilocode/cli",
    },
  ],
});
