/**
 * opencode: `mcp.<name>` in ~/.config/opencode/opencode.json (or .jsonc), JSON with comments;
 * `{env:VAR}` references, replaced in the file's text before it is read.
 */
import { defineClient } from "./define-client.js";
import {
  commonOpencodeEntry,
  importedOpencodeEntry,
  OPENCODE_KEPT,
  OPENCODE_SHAPES,
} from "./opencode-shape.js";
import { OPENCODE } from "./variables.js";

const USER = {
  base: "xdg-config",
  path: ["opencode", "opencode.json"],
  alternatives: ["opencode.jsonc"],
  program: "opencode",
} as const;

/**
 * - It reads ~/.config/opencode (xdg-basedir's folder, the same on Windows), then `opencode.json`,
 *   `opencode.jsonc` or `.opencode/opencode.json` in the project and the folders above it.
 * - A `url` entry is tried as Streamable HTTP, then SSE: one entry for both.
 * - On its first run it may add `$schema` to the file: its own edit, not an entry's drift.
 */
export const opencode = defineClient({
  id: "opencode",
  name: "opencode",
  files: {
    windows: { ...USER, base: "home", path: [".config", ...USER.path] },
    wsl: USER,
    macos: USER,
    linux: USER,
  },
  serversPath: ["mcp"],
  projectConfig: ["opencode.json"],
  referenceStyle: (name) => `{env:${name}}`,
  entry: OPENCODE_SHAPES,
  keptKeys: OPENCODE_KEPT,
  variables: OPENCODE,
  common: commonOpencodeEntry,
  reading: { commonEntry: importedOpencodeEntry },
  app: "cli",
  processes: "opencode",
  // An entry's `timeout` (ms); its connect otherwise waits 30 s (1.18.33's bundle).
  startupTimeoutMs: (entry) => entryTimeout(entry) ?? 30_000,
  judge: "`opencode mcp list` (✓ connected / ✗ failed)",
  docs: {
    shapes:
      "`type: local` with `command` as one array and `environment`; `type: remote` with `url`, `headers`",
  },
  sources: [
    { fact: "config files and their order", url: "https://opencode.ai/docs/config/" },
    { fact: "entry shapes (McpLocalConfig, McpRemoteConfig)", url: "https://opencode.ai/docs/mcp-servers/" },
    { fact: "`{env:VAR}` substitution", url: "https://opencode.ai/docs/config/#variables" },
    {
      fact: "judged with opencode-ai 1.18.33 (`opencode mcp list`)",
      url: "https://www.npmjs.com/package/opencode-ai",
    },
  ],
});

export function entryTimeout(entry: unknown): number | undefined {
  const t = entry && typeof entry === "object" ? (entry as { timeout?: unknown }).timeout : undefined;
  return typeof t === "number" && t > 0 ? t : undefined;
}
