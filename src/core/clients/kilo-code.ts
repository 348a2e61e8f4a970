/**
 * The Kilo CLI (`kilo`, a fork of opencode): `mcp.<name>` in ~/.config/kilo/kilo.jsonc (or kilo.json,
 * opencode.jsonc, opencode.json). The Kilo Code VS Code extension's own settings file is not this
 * module's: the editor extensions are written where their editor runs them (see docs/clients.md).
 */
import { defineClient } from "./define-client.js";
import { entryTimeout } from "./opencode.js";
import {
  commonOpencodeEntry,
  importedOpencodeEntry,
  OPENCODE_KEPT,
  OPENCODE_SHAPES,
} from "./opencode-shape.js";
import { OPENCODE } from "./variables.js";

const USER = {
  base: "xdg-config",
  path: ["kilo", "kilo.jsonc"],
  alternatives: ["kilo.json", "opencode.jsonc", "opencode.json"],
  program: "kilo",
} as const;

/**
 * - It reads every one of those files in ~/.config/kilo (the later winning), and writes the first
 *   that exists; on its first run it creates kilo.jsonc with a `$schema` (its own edit, not drift).
 * - In a project it reads `kilo.jsonc`, `kilo.json`, `opencode.json(c)` and the same under `.kilo/`
 *   and `.kilocode/`; `kilo mcp add` writes `.kilo/kilo.jsonc` there, and so does sync.
 * - Entries, `{env:VAR}` and the url's transports are opencode's (7.7.7).
 */
export const kiloCode = defineClient({
  id: "kilo-code",
  name: "Kilo CLI",
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
  startupTimeoutMs: (entry) => entryTimeout(entry) ?? 30_000,
  judge: "`kilo mcp list` (✓ connected / ✗ failed)",
  docs: {
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
      fact: "judged with @kilocode/cli 7.7.7 (`kilo mcp list`)",
      url: "https://www.npmjs.com/package/@kilocode/cli",
    },
  ],
});
