/**
 * Zed: `context_servers.<name>` in its settings.json, a person's whole editor settings (JSON with
 * comments and trailing commas); a command or a `url`, beside Zed's own fields.
 */
import { defineClient } from "./define-client.js";
import { commandEntry, urlEntry } from "./entry-shapes.js";
import { NO_EXPANSION } from "./variables.js";

/**
 * - Its settings folder: %APPDATA%\Zed on Windows, $XDG_CONFIG_HOME/zed (~/.config/zed) on Linux,
 *   ~/.config/zed on macOS. A project's `.zed/settings.json` holds `context_servers` too, started
 *   once the worktree is trusted.
 * - An entry is read as a command (`command`, `args`, `env`), else a `url` (Streamable HTTP, with
 *   `headers`), else an extension's settings; `enabled`, `remote`, `timeout`, `oauth` are Zed's.
 *   `"source": "custom"`, which its docs show and older versions needed, is written on a new entry.
 * - It expands no variable in an entry (none is documented): a project entry carries no reference.
 * - It reloads settings when the file changes.
 */
export const zed = defineClient({
  id: "zed",
  name: "Zed",
  files: {
    windows: { base: "appdata", path: ["Zed", "settings.json"], program: "zed" },
    macos: { base: "home", path: [".config", "zed", "settings.json"], program: "zed" },
    linux: { base: "xdg-config", path: ["zed", "settings.json"], program: "zed" },
  },
  serversPath: ["context_servers"],
  projectConfig: [".zed", "settings.json"],
  projectEntryProblem: (value) =>
    /\$\{[A-Za-z_][A-Za-z0-9_]*\}/.test(JSON.stringify(value))
      ? "Zed expands no variable in a settings file: a project entry cannot carry a reference (keep the server in your user manifest)"
      : undefined,
  entry: { stdio: (launch) => commandEntry(launch), remote: (remote) => urlEntry(remote) },
  entryDefaults: () => ({ source: "custom" }),
  // An extension's server: Zed starts it from the extension; the entry holds only its settings.
  ownEntry: (entry) => {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) return undefined;
    const e = entry as Record<string, unknown>;
    if (e.command !== undefined || e.url !== undefined) return undefined;
    return e.source === "extension" || e.settings !== undefined
      ? "a Zed extension's server (Zed starts it from the extension)"
      : undefined;
  },
  keptKeys: ["source", "enabled", "remote", "timeout", "oauth", "settings"],
  variables: NO_EXPANSION,
  app: "editor",
  processes: { windows: ["zed.exe"], posix: ["zed", "zed-editor"] },
  docs: {
    shapes: "`command`, `args`, `env`; remote: `url`, `headers` (Streamable HTTP; SSE through the relay)",
  },
  sources: [
    { fact: "custom servers in settings.json", url: "https://zed.dev/docs/ai/mcp" },
    {
      fact: "entry shapes, project settings (ContextServerSettingsContent)",
      url: "https://github.com/zed-industries/zed/blob/main/crates/settings_content/src/project.rs",
    },
    {
      fact: "settings folder per platform",
      url: "https://github.com/zed-industries/zed/blob/main/crates/paths/src/paths.rs",
    },
  ],
});
