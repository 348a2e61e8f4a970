/**
 * Qwen Code: `settings.json` in `$QWEN_HOME` (default ~/.qwen), servers under `mcpServers`; Streamable
 * HTTP only as `httpUrl`, a `url` is always SSE. Facts read in @qwen-code/qwen-code 0.24.4's bundle.
 */
import { defineClient } from "./define-client.js";
import { commandEntry, urlEntry } from "./entry-shapes.js";
import { SHELL_BARE } from "./variables.js";

/** Its discovery timeouts (mcp-discovery-timeout.ts): an entry's `discoveryTimeoutMs`, clamped. */
const STDIO_DEFAULT_MS = 30_000;
const REMOTE_DEFAULT_MS = 5_000;
const MIN_MS = 100;
const MAX_MS = 300_000;

const FILE = {
  base: "home",
  path: [".qwen", "settings.json"],
  movedBy: "QWEN_HOME",
  program: "qwen",
} as const;

/**
 * - Entries are what `qwen mcp add` writes: `command`/`args`/`env`; `httpUrl` + `headers` (Streamable
 *   HTTP); `url` + `headers` (SSE: its createTransport opens an SSE transport for any `url`, whatever
 *   `type` says). It expands `$VAR` and `${VAR}` in them from its own environment.
 * - It reads comments (strip-json-comments) and a BOM, but JSON.parse rejects a trailing comma: it
 *   then reads none of the file and copies it to `settings.json.corrupted` (a project file is also
 *   reset to `{}`).
 * - It adds `"$version"` to the file on its first run (comments kept), and its first interactive run
 *   `ui.autoModeAcknowledged`: its own keys, left alone (test/fixtures/first-run/qwen-code). That
 *   write leaves the file readable by others, so a shared server's entry carries no token here.
 * - A project's `.qwen/settings.json` servers start only once approved in Qwen.
 */
export const qwenCode = defineClient({
  id: "qwen-code",
  name: "Qwen Code",
  files: { windows: FILE, wsl: FILE, macos: FILE, linux: FILE },
  serversPath: ["mcpServers"],
  // Its own entry fields (MCPServerConfig in 0.24.4), none of them how the server starts.
  keptKeys: [
    "timeout",
    "trust",
    "description",
    "includeTools",
    "excludeTools",
    "alwaysLoadTools",
    "discoveryTimeoutMs",
    "versionNegotiation",
    "cwd",
    "oauth",
    "authProviderType",
    "targetAudience",
    "targetServiceAccount",
  ],
  projectConfig: [".qwen", "settings.json"],
  entry: {
    stdio: (launch) => commandEntry(launch),
    remote: (remote) => urlEntry(remote, {}, "httpUrl"),
    sse: (remote) => urlEntry(remote),
  },
  app: "cli",
  /** An entry's `discoveryTimeoutMs` (100 ms to 5 min); else 30 s for a program, 5 s for a url. */
  startupSetting: { key: "discoveryTimeoutMs", unit: "ms" },
  startupTimeoutMs(entry) {
    const e = entry && typeof entry === "object" ? (entry as Record<string, unknown>) : {};
    const own = e.discoveryTimeoutMs;
    if (typeof own === "number" && Number.isFinite(own)) return Math.max(MIN_MS, Math.min(own, MAX_MS));
    return typeof e.httpUrl === "string" || typeof e.url === "string" ? REMOTE_DEFAULT_MS : STDIO_DEFAULT_MS;
  },
  processes: "qwen",
  // Its first run writes the file again with "$version", mode 644 (seen with 0.24.4).
  rewritesReadable: true,
  variables: SHELL_BARE,
  reading: {
    streamableUrlKey: "httpUrl",
    commonKeys: (entry) => commonQwenEntry(entry) as Record<string, unknown>,
    commonEntry: commonQwenEntry,
    // Comments are read; a trailing comma is not (JSON.parse after stripping comments).
    strictJson: () => true,
    strictJsonDialect: { comments: true, trailingCommas: false, bom: true },
  },
  judge: "`qwen mcp list` (Connected / Disconnected)",
  docs: {
    file: "`$QWEN_HOME/settings.json`, default `~/.qwen/settings.json` (`%USERPROFILE%\\.qwen\\…` on Windows), its whole settings",
    project: "`.qwen/settings.json` (its servers start once approved in Qwen)",
    shapes:
      "`command`, `args`, `env`; Streamable HTTP: `httpUrl`, `headers`; SSE: `url`, `headers` (a `url` is SSE whatever its `type`)",
    variables: "`${VAR}` (and `$VAR`)",
  },
  sources: [
    {
      fact: "read in 0.24.4's bundle: `createTransport` (`httpUrl` Streamable HTTP, any `url` SSE), `MCPServerConfig`'s fields, its discovery timeouts, `QWEN_HOME`, `loadSettings` (comments read, a trailing comma copies the file to `.corrupted`), `$VAR`/`${VAR}` expansion",
      url: "https://www.npmjs.com/package/@qwen-code/qwen-code/v/0.24.4",
    },
    {
      fact: "run here: `qwen mcp add` (0.24.4) writes `command`/`args`/`env`, `httpUrl` (`-t http`), `url` (`-t sse`); its first run adds `$version`",
      url: "https://www.npmjs.com/package/@qwen-code/qwen-code/v/0.24.4",
    },
  ],
  toolBudget: {
    // MCP tools are deferred behind its tool_search + tool_call by default (`tools.toolSearch.enabled`,
    // true: 0.24.4's bundled settings.md); a run here offered the model those two, none of the server's.
    searches: {
      how: "its tool_search and tool_call (tools.toolSearch.enabled)",
      source: "https://www.npmjs.com/package/@qwen-code/qwen-code/v/0.24.4",
    },
    // Exact names, as Gemini CLI (its fork): `excludeTools` wins over `includeTools` (0.24.4's bundle).
    filter: {
      keys: ["includeTools", "excludeTools"],
      fields: (names) =>
        names.allow ? { includeTools: [...names.allow] } : { excludeTools: [...names.deny] },
      source: "https://www.npmjs.com/package/@qwen-code/qwen-code/v/0.24.4",
    },
  },
});

/**
 * Its entry in the other clients' vocabulary: `httpUrl` is a Streamable HTTP url, a `url` an SSE
 * one (whatever its `type`), so doctor, status and import read the transport it really uses.
 */
function commonQwenEntry(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const { httpUrl, type: _type, ...rest } = raw as Record<string, unknown>;
  if (typeof httpUrl === "string") return { ...rest, type: "http", url: httpUrl };
  if (typeof rest.url === "string") return { ...rest, type: "sse" };
  return raw;
}
