/**
 * Antigravity (Google's `agy` CLI and its Antigravity 2.0 app, one file): `mcpServers` in
 * ~/.gemini/config/mcp_config.json; a remote server under `serverUrl`, strict JSON.
 */
import { defineClient } from "./define-client.js";
import { commandEntry, urlEntry } from "./entry-shapes.js";
import { NO_EXPANSION } from "./variables.js";

/**
 * - Its global servers are in `~/.gemini/config/mcp_config.json` (Antigravity's docs; agy 1.0.3 calls
 *   it the migrated path), a workspace's in `.agents/mcp_config.json`. The Antigravity IDE 1.x read
 *   `~/.gemini/antigravity/mcp_config.json`; a home with only that one is not taken as Antigravity's.
 * - A local server is Gemini CLI's `command`, `args`, `env`; a remote one `serverUrl` with `headers`
 *   (`url` and `httpUrl` are Gemini CLI's keys). Google's examples are Streamable HTTP endpoints; an
 *   SSE form is not documented, so an SSE server gets the relay.
 * - Its parser is strict JSON (Go's encoding/json): a comment or a trailing comma stops agy.
 * - No variable expansion is documented: the user file gets values, the workspace file is not written.
 * - Kept: `disabled`, `disabledTools`, `authProviderType`, `oauth`.
 */
export const antigravity = defineClient({
  id: "antigravity",
  name: "Antigravity",
  files: {
    windows: { base: "home", path: [".gemini", "config", "mcp_config.json"], program: "agy" },
    wsl: { base: "home", path: [".gemini", "config", "mcp_config.json"], program: "agy" },
    macos: { base: "home", path: [".gemini", "config", "mcp_config.json"], program: "agy" },
    linux: { base: "home", path: [".gemini", "config", "mcp_config.json"], program: "agy" },
  },
  serversPath: ["mcpServers"],
  entry: {
    stdio: (launch) => commandEntry(launch),
    remote: (remote) => urlEntry(remote, {}, "serverUrl"),
  },
  keptKeys: ["disabled", "disabledTools", "authProviderType", "oauth"],
  variables: NO_EXPANSION,
  reading: {
    urlKey: "serverUrl",
    strictJson: () => true,
    strictJsonDialect: { comments: false, bom: false },
  },
  app: "cli",
  // Its desktop app reads the same file and starts the servers from the desktop (no shell PATH).
  gui: true,
  processes: "agy",
  // `disabledTools` (names) is read by agy (a third party measured it), not documented: kept, not written.
  toolBudget: { noField: "none written: agy reads `disabledTools` (a third party's run), undocumented" },
  docs: {
    where: "Windows, WSL, macOS, Linux (the `agy` CLI; the Antigravity 2.0 app reads the same file)",
    project: "– (`.agents/mcp_config.json` is not written: no references documented)",
    shapes:
      "`command`, `args`, `env`; remote: `serverUrl`, `headers` (Streamable HTTP); SSE through the relay",
  },
  sources: [
    {
      fact: "global servers in `~/.gemini/config/mcp_config.json`, a workspace's in `.agents/mcp_config.json`; a remote server's url under `serverUrl`, not Gemini CLI's `url` or `httpUrl`",
      url: "https://antigravity.google/docs/cli/gcli-migration",
    },
    {
      fact: "the same page as published in Google's antigravity-cli repository",
      url: "https://github.com/google-antigravity/antigravity-cli/blob/4ebbda8e3215ab7d6d0b751c096204bf4641e001/docs/docs-cli-gcli-migration.md",
    },
    {
      fact: 'agy 1.0.3: its `[Disable]` button writes `config/mcp_config.json`, "the migrated path", no longer the legacy one; 1.0.2: `~/.gemini/config/` is the shared configuration folder',
      url: "https://github.com/google-antigravity/antigravity-cli/blob/18f012f4899184444a7278e0beb31552d209a693/CHANGELOG.md",
    },
    {
      fact: "Google's guide for Gemini CLI users: local entries as in Gemini CLI (`command`, `args`, `env`); a remote one `serverUrl` with `headers`, `authProviderType`, `oauth` (its path `~/.gemini/antigravity-cli/` is not the one Antigravity's own docs give)",
      url: "https://github.com/google-gemini/gemini-cli/blob/a69d422a8384c686e1ee57f591a8f0b6efd17967/docs/resources/migrating-to-antigravity-cli.md",
    },
    {
      fact: "measured by a third party with agy 1.1.25: strict JSON (Go's encoding/json; a comment or a trailing comma stops agy), `disabled` and `disabledTools` read, a server of the wrong shape dropped without a word",
      url: "https://github.com/stbenjam/skillsaw/blob/05e1db1f211b40a9ea40a12f2f2eb435df21b4fe/docs/rules/antigravity-mcp-valid.md",
    },
    {
      fact: "agy is installed by Google's script on Windows, macOS and Linux (not from the npm registry)",
      url: "https://github.com/google-gemini/gemini-cli/blob/5411f113cafae26161b4969b0237b8e1e024e2c2/packages/cli/src/ui/utils/antigravityUtils.ts",
    },
  ],
});
