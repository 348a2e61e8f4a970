/**
 * Goose (block/goose, its CLI and desktop app): `extensions.<name>` in its config.yaml, beside its
 * other settings; `cmd` and `args`, `envs`, `type: stdio` or `streamable_http` with a `uri`.
 */
import { defineClient } from "./define-client.js";
import { NO_EXPANSION } from "./variables.js";

/** Where its `available_tools` is applied to an extension's tools (its source, as read). */
const GOOSE_TOOLS =
  "https://github.com/block/goose/blob/4ff60c9d70582a9316e1ba5b9d6b22b7c1433cbc/crates/goose/src/agents/extension_manager/tools.rs";

/**
 * - config.yaml: ~/.config/goose on macOS and Linux, %APPDATA%\Block\goose\config on Windows.
 * - An extension is `type: stdio` (`cmd`, `args` — required —, `envs`) or `type: streamable_http`
 *   (`uri`, `headers`); SSE is no longer supported (kept only for old files): an SSE remote gets
 *   mcp-twin's relay. Every extension also carries `name`, `enabled`, `timeout` (seconds) and a
 *   `description`: written on a new entry, then Goose's (`enabled: false` stays).
 * - Its own extensions sit in the same map, with no `cmd` or `uri`: `type: builtin` (the `developer`
 *   a first run writes), `type: platform` (developer, todo, extensionmanager, skills…: written at
 *   start-up by its config migration), `frontend` (tools its desktop app provides), `inline_python`
 *   (`code` it runs with uvx). They are Goose's own (`ownEntry`), never servers mcp-twin checks or imports.
 * - It refuses `envs` that set PATH, LD_PRELOAD, NODE_OPTIONS and other such variables.
 * - `available_tools` (every extension type) is the tools it offers the model: exact names as the
 *   server lists them, before it prefixes them with the extension's name; empty or absent: all
 *   (ExtensionConfig::is_tool_available, applied in fetch_all_tools and again on a call).
 * - It reads the file when a session starts.
 */
export const goose = defineClient({
  id: "goose",
  name: "Goose",
  notice:
    "Goose 1.49 removed the `sse`, `frontend` and `inline_python` extension types: one you wrote by hand no longer loads; mcp-twin writes an SSE server as a relay to it, a remote one as `streamable_http`.",
  // Doctor warns only where an extension of a removed type is written (by hand: mcp-twin writes none).
  noticeWhen: (text) => /^\s*type:\s*["']?(sse|frontend|inline_python)["']?\s*$/m.test(text),
  files: {
    windows: { base: "appdata", path: ["Block", "goose", "config", "config.yaml"], program: "goose" },
    wsl: { base: "xdg-config", path: ["goose", "config.yaml"], program: "goose" },
    macos: { base: "home", path: [".config", "goose", "config.yaml"], program: "goose" },
    linux: { base: "xdg-config", path: ["goose", "config.yaml"], program: "goose" },
  },
  format: "yaml",
  serversPath: ["extensions"],
  entry: {
    stdio: (launch) => ({
      type: "stdio",
      cmd: launch.command,
      args: launch.args,
      ...(Object.keys(launch.env).length > 0 ? { envs: launch.env } : {}),
    }),
    remote: (remote) => ({
      type: "streamable_http",
      uri: remote.url,
      ...(Object.keys(remote.headers).length > 0 ? { headers: remote.headers } : {}),
    }),
  },
  entryDefaults: (name) => ({ name, enabled: true, timeout: 300, description: "" }),
  keptKeys: [
    "name",
    "enabled",
    "timeout",
    "description",
    "bundled",
    "display_name",
    "available_tools",
    "env_keys",
  ],
  ownEntry: gooseOwnExtension,
  variables: NO_EXPANSION,
  toolBudget: {
    // An allow list only, and an empty one means every tool: a rule that leaves none is not said.
    filter: {
      keys: ["available_tools"],
      fields: (names) =>
        names.allow && names.allow.length > 0 ? { available_tools: [...names.allow] } : undefined,
      source: GOOSE_TOOLS,
    },
  },
  common: commonGooseEntry,
  app: "cli",
  processes: { windows: ["goose.exe", "Goose.exe", "goosed.exe"], posix: ["goose", "goosed", "Goose"] },
  startupSetting: { key: "timeout", unit: "s" },
  startupTimeoutMs: (entry) => {
    const t = entry && typeof entry === "object" ? (entry as { timeout?: unknown }).timeout : undefined;
    return (typeof t === "number" && t > 0 ? t : 300) * 1000;
  },
  docs: {
    shapes:
      "`type: stdio` with `cmd`, `args`, `envs`; `type: streamable_http` with `uri`, `headers`; SSE through the relay",
  },
  sources: [
    {
      fact: "config.yaml's place and its extensions",
      url: "https://block.github.io/goose/docs/guides/config-files",
    },
    {
      fact: "extension shapes (ExtensionConfig), disallowed envs",
      url: "https://github.com/block/goose/blob/main/crates/goose/src/agents/extension.rs",
    },
    {
      fact: "`available_tools`: exact names, empty or absent for every tool (is_tool_available)",
      url: "https://github.com/block/goose/blob/d4c86e9367654c4a3d0f1106eca07c00675f35a2/crates/goose/src/agents/extension.rs",
    },
    {
      fact: "`available_tools` checked against the server's own tool names, before the extension's prefix",
      url: GOOSE_TOOLS,
    },
    {
      fact: "its own extensions written at start-up (platform) and by a first run (builtin developer)",
      url: "https://github.com/aaif-goose/goose/blob/main/crates/goose/src/config/migrations.rs",
    },
    {
      fact: "its platform extensions and their defaults (PLATFORM_EXTENSIONS)",
      url: "https://github.com/aaif-goose/goose/blob/main/crates/goose/src/agents/platform_extensions/mod.rs",
    },
  ],
});

/** Goose's extension types that are its own, not a server started from the entry, in words. */
const OWN_TYPES: Readonly<Record<string, string>> = {
  builtin: "built-in extension",
  platform: "platform extension",
  frontend: "desktop app's extension (frontend)",
  inline_python: "inline Python extension",
};

/** "Goose's own built-in extension", for an extension of one of those types; undefined for a server's. */
function gooseOwnExtension(entry: unknown): string | undefined {
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) return undefined;
  const type = (entry as { type?: unknown }).type;
  return typeof type === "string" && Object.hasOwn(OWN_TYPES, type)
    ? `Goose's own ${OWN_TYPES[type]}`
    : undefined;
}

/** Its extension in the other clients' vocabulary (`cmd` → `command`, `envs` → `env`, `uri` → `url`). */
function commonGooseEntry(e: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (e.type === "stdio") {
    out.command = e.cmd;
    out.args = e.args;
    if (e.envs !== undefined) out.env = e.envs;
  } else if (e.type === "streamable_http" || e.type === "sse") {
    out.url = e.uri;
    out.type = e.type === "sse" ? "sse" : "http";
    if (e.headers !== undefined) out.headers = e.headers;
  } else out.type = e.type;
  if (e.enabled === false) out.disabled = true;
  return out;
}
