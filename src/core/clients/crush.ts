/**
 * Crush (charmbracelet/crush): its JSON config, ~/.config/crush/crush.json (the same under
 * %USERPROFILE% on Windows), servers under `mcp`, `type` required. Facts: docs/clients.md#client-by-client.
 */

import { defineClient } from "./define-client.js";
import { TYPED } from "./entry-shapes.js";
import type { VariableSyntax } from "./variables.js";

const FILE = {
  base: "xdg-config",
  path: ["crush", "crush.json"],
  movedBy: "CRUSH_GLOBAL_CONFIG",
  program: "crush",
} as const;

/**
 * Sources (charmbracelet/crush@37f36e9): internal/config/load.go (`GlobalConfig`: $CRUSH_GLOBAL_CONFIG,
 * else $XDG_CONFIG_HOME or ~/.config, then crush/crush.json, on every platform; project
 * `.crush.json` and `crush.json` from the working folder up to the git root; `json.Valid` on each
 * file), internal/config/config.go (`MCPConfig`), internal/agent/tools/mcp/init.go (transports,
 * `mcpTimeout`), internal/config/resolve.go and internal/shell/expand.go (expansion), README.md
 * and docs/config/README.md (JSON is the deprecated format; `crushrc`, which is Bash, is read
 * beside it and wins; mcp-twin writes the JSON).
 * - An entry: `type` "stdio" (`command`, `args`, `env`), "http" (Streamable HTTP) or "sse" (`url`,
 *   `headers`); any other or no `type` fails that server ("unsupported mcp type").
 * - Strict JSON: a comment, a trailing comma or a byte-order mark and Crush refuses to start
 *   ("invalid JSON in config file").
 * - It expands `$VAR`, `${VAR}`, `${VAR:-default}` and `$(command)` (shell here-doc rules: `\$`
 *   is a literal `$`) in `command`, `args`, `env`, `url` and `headers`; unset is empty.
 * - A stdio server gets Crush's whole environment plus `env`, in Crush's working folder.
 * - Tool rules (issue 55): `disabled_tools` (block list), `enabled_tools` (allow list), `disabled`;
 *   an agent's `allowed_mcp` (server → tools) scopes them per agent; no documented tool limit.
 */
export const crush = defineClient({
  id: "crush",
  name: "Crush",
  files: { windows: FILE, wsl: FILE, macos: FILE, linux: FILE },
  serversPath: ["mcp"],
  docs: {
    file: "`$CRUSH_GLOBAL_CONFIG/crush.json`, default `$XDG_CONFIG_HOME/crush/crush.json` or `~/.config/crush/crush.json` (the same under `%USERPROFILE%` on Windows)",
    project: "`.crush.json` (read before `crush.json`)",
    shapes: "`type` required: `stdio` with `command`, `args`, `env`; `http` or `sse` with `url`, `headers`",
    variables: "`$VAR`, `${VAR}`, `${VAR:-default}` (shell expansion)",
  },
  sources: [
    {
      fact: "its files (`GlobalConfig`: `$CRUSH_GLOBAL_CONFIG`, `$XDG_CONFIG_HOME` or `~/.config`; project `.crush.json`, `crush.json` up to the git root), strict JSON (`json.Valid`)",
      url: "https://github.com/charmbracelet/crush/blob/37f36e93824e5c4f892e4a817f7f628e2682fe14/internal/config/load.go",
    },
    {
      fact: "an entry's fields (`MCPConfig`)",
      url: "https://github.com/charmbracelet/crush/blob/37f36e93824e5c4f892e4a817f7f628e2682fe14/internal/config/config.go",
    },
    {
      fact: "`type` stdio, http or sse, any other fails the server; its 10 s `mcpTimeout`",
      url: "https://github.com/charmbracelet/crush/blob/37f36e93824e5c4f892e4a817f7f628e2682fe14/internal/agent/tools/mcp/init.go",
    },
    {
      fact: "its expansion: `$VAR`, `${VAR}`, `${VAR:-default}`, `$(command)`, here-doc escapes",
      url: "https://github.com/charmbracelet/crush/blob/37f36e93824e5c4f892e4a817f7f628e2682fe14/internal/shell/expand.go",
    },
    {
      fact: "the JSON config is deprecated for `crushrc` (Bash), which is read beside it and wins",
      url: "https://github.com/charmbracelet/crush/blob/37f36e93824e5c4f892e4a817f7f628e2682fe14/docs/config/README.md",
    },
  ],
  toolBudget: {
    // Exact names: `enabled_tools` keeps only those, then `disabled_tools` drops (filterTools).
    filter: {
      keys: ["enabled_tools", "disabled_tools"],
      fields: (names) =>
        names.allow ? { enabled_tools: [...names.allow] } : { disabled_tools: [...names.deny] },
      source:
        "https://github.com/charmbracelet/crush/blob/37f36e93824e5c4f892e4a817f7f628e2682fe14/internal/agent/tools/mcp/tools.go",
    },
  },
  // Its `MCPConfig` fields beside the launch (`oauth_token` is its own, kept in its data file).
  keptKeys: [
    "disabled",
    "disabled_tools",
    "enabled_tools",
    "timeout",
    "oauth",
    "oauth_client_id",
    "oauth_client_secret",
    "oauth_callback_port",
    "oauth_token",
  ],
  projectConfig: [".crush.json"],
  entry: TYPED,
  app: "cli",
  /** An entry's own `timeout` (seconds); 10 s by default (`mcpTimeout`). */
  startupSetting: { key: "timeout", unit: "s" },
  startupTimeoutMs(entry) {
    const t = entry && typeof entry === "object" ? (entry as { timeout?: unknown }).timeout : undefined;
    return typeof t === "number" && t > 0 ? t * 1000 : 10_000;
  },
  processes: "crush",
  variables: shellExpansion(),
  reading: {
    type: "required",
    strictJson: () => true,
    strictJsonDialect: { comments: false, bom: false },
  },
});

/**
 * Crush's expansion as far as a value written by hand uses it: `$VAR`, `${VAR}`, `${VAR:-default}`
 * and a backslash before `$`, a backquote or a backslash (here-doc rules); a `$(command)` is left as written (doctor does not run it).
 */
function shellExpansion(): VariableSyntax {
  return {
    bare: true,
    expand: (text, ctx, found) =>
      text.replace(
        /\\([\\$`])|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
        (_whole, escaped?: string, braced?: string, dflt?: string, bare?: string) => {
          if (escaped) return escaped;
          const name = braced ?? bare ?? "";
          const v = ctx.vars(name);
          if (v !== undefined && !(v === "" && dflt !== undefined)) return v;
          if (dflt !== undefined) return dflt;
          found.unset.push(name);
          return "";
        },
      ),
  };
}
