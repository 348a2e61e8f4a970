/**
 * Gemini CLI: ~/.gemini/settings.json (shared with its other settings); `url` + `"type": "http"`
 * is Streamable HTTP (`httpUrl`, read as well, is deprecated), `url` + `"type": "sse"` HTTP+SSE.
 */
import { geminiServerEnv } from "./gemini-env.js";
import { anyExists, inHome } from "./locate.js";
import { geminiExtensions } from "./plugin-servers.js";
import {
  type ClientModule,
  stdioWithoutEmptyEnv,
  UNDOCUMENTED_STARTUP_TIMEOUT_MS,
  withHeaders,
} from "./types.js";
import { SHELL_BARE } from "./variables.js";

export const geminiCli: ClientModule = {
  id: "gemini-cli",
  name: "Gemini CLI",
  judge: "`gemini mcp list`",
  notice:
    "Gemini CLI stopped serving individual accounts on 2026-06-18 (enterprise accounts keep it); their successor is Antigravity. mcp-twin writes both.",
  docs: {
    where: "everywhere",
    file: "`~/.gemini/settings.json`",
    shapes: "`command`, `args`, `env`; remote: `url` + `type: http`; SSE: `url` + `type: sse`",
  },
  sources: [
    {
      fact: "settings.json's mcpServers",
      url: "https://github.com/google-gemini/gemini-cli/blob/main/docs/tools/mcp-server.md",
    },
    {
      fact: "its own entry fields (bundled MCPServerConfig, 0.61.0)",
      url: "https://www.npmjs.com/package/@google/gemini-cli",
    },
  ],
  kinds: ["windows", "wsl", "macos", "linux"],
  serversPath: ["mcpServers"],
  // Its own entry fields in 0.61.0's bundled MCPServerConfig.
  keptKeys: [
    "timeout",
    "trust",
    "description",
    "cwd",
    "oauth",
    "authProviderType",
    "targetAudience",
    "targetServiceAccount",
  ],
  async userConfig(env) {
    return {
      path: inHome(env, ".gemini", "settings.json"),
      present: await anyExists(env, [inHome(env, ".gemini")]),
    };
  },
  projectConfig: [".gemini", "settings.json"],
  referenceStyle: (name) => `\${${name}}`,
  stdioEntry: (launch) => stdioWithoutEmptyEnv(launch),
  // What `gemini mcp add --transport http` writes since 0.21, which calls `httpUrl` deprecated.
  remoteEntry: (remote) => withHeaders({ url: remote.url, type: "http" }, remote.headers),
  // Expanded in settings.json's headers (seen with 0.61.0): the folder it was started in.
  workingFolder: "${PWD}",
  // What `gemini mcp add --transport sse` writes. A `url` without `type` is read as SSE by older
  // versions but as Streamable HTTP (then SSE as a fallback) by newer ones (0.61): `type` says it.
  sseEntry: (remote) => withHeaders({ url: remote.url, type: "sse" }, remote.headers),
  // Variables named like secrets (TOKEN, KEY, SECRET, AUTH, CERT, …) reach a server only through
  // the entry's own `env` as values (0.61.0's environmentSanitization).
  serverEnvFilter: geminiServerEnv,
  restartToApply: false,
  newSessionToApply: true,
  gui: false,
  /** An entry's own `timeout` (ms); otherwise what undocumented clients allow. */
  startupTimeoutMs(entry) {
    const t = entry && typeof entry === "object" ? (entry as { timeout?: unknown }).timeout : undefined;
    return typeof t === "number" && t > 0 ? t : UNDOCUMENTED_STARTUP_TIMEOUT_MS;
  },
  processNames: { windows: ["gemini.exe"], posix: ["gemini"] },
  pluginServers: geminiExtensions,
  toolBudget: {
    // Exact names only (0.61.0's isEnabled: `excludeTools` wins over `includeTools`).
    filter: {
      keys: ["includeTools", "excludeTools"],
      fields: (names) =>
        names.allow ? { includeTools: [...names.allow] } : { excludeTools: [...names.deny] },
      source: "https://github.com/google-gemini/gemini-cli/blob/main/docs/tools/mcp-server.md",
    },
  },
  reading: {
    variables: SHELL_BARE,
    streamableUrlKey: "httpUrl",
    untypedUrlMaybeSse: { httpFirstSince: "0.61" },
  },
};
