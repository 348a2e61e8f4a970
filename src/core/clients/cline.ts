/**
 * Cline (its VS Code extension, CLI and JetBrains plugin share one file):
 * `~/.cline/data/settings/cline_mcp_settings.json` in the environment where it runs.
 */
import { defineClient } from "./define-client.js";
import { commandEntry, urlEntry } from "./entry-shapes.js";
import { CLINE_OWN, clineKeys, commonClineEntry } from "./extension-entries.js";
import { envColon } from "./variables.js";

// Its variables that move the file (CLINE_DIR, CLINE_DATA_DIR, CLINE_MCP_SETTINGS_PATH) are not
// among those mcp-twin gathers of an environment: the default place is the one written.
const FILE = {
  base: "home",
  path: [".cline", "data", "settings", "cline_mcp_settings.json"],
  presentIf: [[".cline"]],
  program: "cline",
} as const;

/**
 * Facts, from cline/cline@21cb8d25 (2026-08-22):
 * - The file: `$CLINE_MCP_SETTINGS_PATH`, else `$CLINE_DATA_DIR/settings/…`, else
 *   `$CLINE_DIR/data/settings/…` with `CLINE_DIR` defaulting to `~/.cline`
 *   (sdk/packages/shared/src/storage/paths.ts, resolveMcpSettingsPath). The extension uses it too
 *   since 4.0.0 (apps/vscode/src/sdk/SdkController.ts; CHANGELOG 4.0.0 "Migrate legacy MCP files
 *   … into the shared settings file"): its older file,
 *   `<editor User>/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json`, is
 *   copied in once and then no longer read (apps/vscode/src/hosts/vscode/mcp-settings-legacy-migration.ts).
 *   A Remote-WSL window runs the extension in WSL, so it reads WSL's `~/.cline`.
 * - It reads the file with JSON.parse (no comments, no trailing comma, no byte-order mark) and
 *   checks every entry against one schema: one bad entry and no server loads
 *   (apps/vscode/src/services/mcp/McpHub.ts readAndValidateMcpSettingsFile); it rewrites the whole
 *   file (2-space JSON) when it changes a server itself (config-loader.ts, atomicWriteSettingsFile).
 * - Entries: `command`/`args`/`env` (`type` "stdio" optional), or `url`/`headers` with `type`
 *   "streamableHttp" or "sse" — a url without `type` is SSE (schemas.ts); its own keys `disabled`,
 *   `autoApprove`, `timeout` (seconds, default 60), and what it records itself (`oauth`, `metadata`, …).
 * - Start-up: without `timeout`, the CLI gives a stdio server 3 s to answer initialize
 *   (sdk/packages/core/src/extensions/mcp/client.ts, DEFAULT_MCP_CONNECT_TIMEOUT_MS), the extension
 *   60 s (apps/vscode/src/services/mcp/timeout.ts); a `timeout` sets both.
 * - `${env:VAR}` is expanded in every value (apps/vscode/src/utils/envExpansion.ts).
 * - It watches the file and reconnects on a change (McpHub.ts watchMcpSettingsFile).
 */
export const cline = defineClient({
  id: "cline",
  name: "Cline",
  docs: {
    where:
      "Windows, WSL, macOS, Linux: where its CLI, JetBrains plugin or an editor's Cline extension runs (a Remote-WSL window runs it in WSL)",
    file: "`~/.cline/data/settings/cline_mcp_settings.json`, one file for the extension (since 4.0), the CLI and JetBrains",
    shapes:
      "`command`, `args`, `env`; remote: `type: streamableHttp` or `sse` with `url`, `headers`; plain JSON only (one comment and no server loads)",
  },
  sources: [
    {
      fact: "the file and the variables that move it",
      url: "https://github.com/cline/cline/blob/21cb8d25/sdk/packages/shared/src/storage/paths.ts",
    },
    {
      fact: "the extension reads the shared file since 4.0; its globalStorage file is copied in once",
      url: "https://github.com/cline/cline/blob/21cb8d25/apps/vscode/src/hosts/vscode/mcp-settings-legacy-migration.ts",
    },
    {
      fact: "JSON.parse and one schema for every entry; it rewrites the file; it watches it",
      url: "https://github.com/cline/cline/blob/21cb8d25/apps/vscode/src/services/mcp/McpHub.ts",
    },
    {
      fact: "entry shapes, `type` values, a url without `type` is SSE",
      url: "https://github.com/cline/cline/blob/21cb8d25/apps/vscode/src/services/mcp/schemas.ts",
    },
    {
      fact: "`${env:VAR}` expanded",
      url: "https://github.com/cline/cline/blob/21cb8d25/apps/vscode/src/utils/envExpansion.ts",
    },
    {
      fact: "the CLI's 3 s connect timeout",
      url: "https://github.com/cline/cline/blob/21cb8d25/sdk/packages/core/src/extensions/mcp/client.ts",
    },
    {
      fact: "judged with the `cline` CLI (a stand-in model endpoint)",
      url: "https://www.npmjs.com/package/cline",
    },
  ],
  judge: "the `cline` CLI with a stand-in model endpoint: it offers each loaded server's tools",
  files: { windows: FILE, wsl: FILE, macos: FILE, linux: FILE },
  serversPath: ["mcpServers"],
  keptKeys: CLINE_OWN,
  // Found where its folder is, its CLI is on the PATH, or an editor there has the extension.
  extension: { ids: ["saoudrizwan.claude-dev"] },
  referenceStyle: (name) => `\${env:${name}}`,
  entry: {
    stdio: (launch) => commandEntry(launch),
    remote: (remote) => urlEntry(remote, { type: "streamableHttp" }),
    sse: (remote) => urlEntry(remote, { type: "sse" }),
  },
  app: "editor",
  startupSetting: { key: "timeout", unit: "s" },
  startupTimeoutMs: (entry) => {
    const e = entry as { timeout?: unknown; command?: unknown } | null;
    const t = e?.timeout;
    if (typeof t === "number" && Number.isFinite(t)) return Math.min(Math.max(t, 1), 3600) * 1000;
    // Its CLI gives an unconfigured stdio server 3 s to answer initialize; the extension, 60 s.
    return typeof e?.command === "string" ? 3000 : 60_000;
  },
  // It loads a changed file itself (restartToApply: false): nothing to find running.
  processes: { windows: [], posix: [] },
  variables: envColon(false),
  reading: {
    commonKeys: clineKeys,
    commonEntry: commonClineEntry,
    strictJson: () => true,
    // JSON.parse on the text as read: a byte-order mark is refused too.
    strictJsonDialect: { comments: false, bom: false },
  },
});
