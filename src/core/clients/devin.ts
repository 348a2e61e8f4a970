/**
 * Devin for Terminal (Devin Local): its config ~/.config/devin/config.json (%APPDATA%\devin on
 * Windows), the CLI's whole settings with servers under `mcpServers`. Facts from docs.devin.ai.
 */
import { joinNative } from "../environments/types.js";
import { inHome, installed } from "./locate.js";
import {
  type ClientModule,
  stdioWithoutEmptyEnv,
  UNDOCUMENTED_STARTUP_TIMEOUT_MS,
  withHeaders,
} from "./types.js";
import { NO_EXPANSION } from "./variables.js";

/**
 * - JSON with comments; the file holds its other settings (agent, permissions, hooks…), kept as
 *   they are.
 * - A local server is `command`, `args`, `env`; a remote one `url` and `headers`, Streamable HTTP by
 *   default (falling back to SSE on a 4xx answer), `"transport": "sse"` for SSE.
 * - Not written: its project files (`.devin/config.json`, `.devin/config.local.json`): its docs say
 *   nothing of variables in them, so a project entry could only carry secrets as values.
 * - It documents no expansion of variables in an entry: values are read as written.
 */
export const devin: ClientModule = {
  id: "devin",
  name: "Devin for Terminal",
  kinds: ["windows", "wsl", "macos", "linux"],
  serversPath: ["mcpServers"],
  async userConfig(env) {
    let dir: string | undefined;
    if (env.kind === "windows") {
      const appdata = env.vars.APPDATA;
      if (!appdata) return undefined;
      dir = joinNative("windows", appdata, "devin");
    } else dir = inHome(env, ".config", "devin");
    const present = await installed(env, [dir], "devin");
    return { path: joinNative(env.kind, dir, "config.json"), present };
  },
  referenceStyle: (name) => `\${${name}}`,
  stdioEntry: (launch) => stdioWithoutEmptyEnv(launch),
  remoteEntry: (remote) => withHeaders({ url: remote.url }, remote.headers),
  sseEntry: (remote) => withHeaders({ url: remote.url, transport: "sse" }, remote.headers),
  restartToApply: false,
  newSessionToApply: true,
  gui: false,
  startupTimeoutMs: () => UNDOCUMENTED_STARTUP_TIMEOUT_MS,
  processNames: { windows: ["devin.exe"], posix: ["devin"] },
  reading: { variables: NO_EXPANSION, commonKeys: commonDevinKeys, commonEntry: commonDevinKeys },
  docs: {
    file: "`~/.config/devin/config.json` (`%APPDATA%\\devin\\config.json` on Windows), its whole settings",
    project: "– (`.devin/config.json` is not written: no references documented)",
    shapes:
      "`command`, `args`, `env`; remote: `url`, `headers` (Streamable HTTP, SSE on a 4xx answer); SSE: `url` + `transport: sse`",
  },
  sources: [
    {
      fact: "devin mcp add scopes: user ~/.config/devin/config.json, %APPDATA%\\devin\\config.json on Windows; stdio and remote fields; Streamable HTTP, SSE fallback on 4xx, transport: sse",
      url: "https://docs.devin.ai/cli/extensibility/mcp/configuration.md",
    },
    {
      fact: "JSON with comments; file locations; mcpServers among its settings",
      url: "https://docs.devin.ai/cli/reference/configuration/config-file.md",
    },
    {
      fact: "the same page on Devin for Terminal's own site",
      url: "https://cli.devin.ai/docs/extensibility/mcp/configuration",
    },
  ],
  // No per-server tool field: its `permissions` allow/deny/ask rules match `mcp__<server>__<tool>`.
};

/** Its `transport` in the other clients' vocabulary (`type`), so doctor and import read its SSE entries. */
function commonDevinKeys(raw: unknown): Record<string, unknown> {
  const e = raw as Record<string, unknown>;
  if (!e || typeof e !== "object" || Array.isArray(e)) return e;
  const { transport, ...rest } = e;
  return typeof transport === "string" && rest.type === undefined ? { ...rest, type: transport } : e;
}
