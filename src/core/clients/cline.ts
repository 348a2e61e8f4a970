/**
 * Cline (its VS Code extension, CLI and JetBrains plugin share one file):
 * `~/.cline/data/settings/cline_mcp_settings.json` in the environment where it runs.
 */
import { joinNative } from "../environments/types.js";
import { CLINE_OWN, clineKeys, commonClineEntry } from "./extension-entries.js";
import { anyExists, inHome } from "./locate.js";
import { type ClientModule, stdioWithoutEmptyEnv, withHeaders } from "./types.js";
import { envColon } from "./variables.js";

const FILE = "cline_mcp_settings.json";

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
export const cline: ClientModule = {
  id: "cline",
  name: "Cline",
  kinds: ["windows", "wsl", "macos", "linux"],
  serversPath: ["mcpServers"],
  keptKeys: CLINE_OWN,
  // Found where its folder is, its CLI is on the PATH, or an editor there has the extension.
  extension: { ids: ["saoudrizwan.claude-dev"] },
  async userConfig(env) {
    // Its variables that move the file (CLINE_DIR, CLINE_DATA_DIR, CLINE_MCP_SETTINGS_PATH) are not
    // among those mcp-twin gathers of an environment: the default place is the one written.
    const dir = inHome(env, ".cline");
    let present = await anyExists(env, [dir]);
    if (!present && env.findProgram) present = (await env.findProgram("cline")) !== undefined;
    return { path: joinNative(env.kind, dir, "data", "settings", FILE), present };
  },
  referenceStyle: (name) => `\${env:${name}}`,
  stdioEntry: (launch) => stdioWithoutEmptyEnv(launch),
  remoteEntry: (remote) => withHeaders({ type: "streamableHttp", url: remote.url }, remote.headers),
  sseEntry: (remote) => withHeaders({ type: "sse", url: remote.url }, remote.headers),
  restartToApply: false,
  gui: true,
  startupTimeoutMs: (entry) => {
    const e = entry as { timeout?: unknown; command?: unknown } | null;
    const t = e?.timeout;
    if (typeof t === "number" && Number.isFinite(t)) return Math.min(Math.max(t, 1), 3600) * 1000;
    // Its CLI gives an unconfigured stdio server 3 s to answer initialize; the extension, 60 s.
    return typeof e?.command === "string" ? 3000 : 60_000;
  },
  // It loads a changed file itself (restartToApply: false): nothing to find running.
  processNames: { windows: [], posix: [] },
  reading: {
    variables: envColon(false),
    commonKeys: clineKeys,
    commonEntry: commonClineEntry,
    strictJson: () => true,
    bomBreaks: true,
  },
};
