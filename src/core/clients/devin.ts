/**
 * Devin Local and Devin for Terminal (one CLI): `mcpServers` in ~/.config/devin/mcp_config.json
 * (%APPDATA%\devin on Windows), the file its versions since 3000.3 read servers from.
 */
import { defineClient } from "./define-client.js";
import { commandEntry, urlEntry } from "./entry-shapes.js";

import { NO_EXPANSION } from "./variables.js";

/**
 * As of Devin CLI v3000.3.22 / Desktop v3.6.21 (2026-07-29): from its changelog and MCP docs as
 * quoted by rulesync#2510/#2523 and context7#3090 (checked there with Devin CLI 3000.6.2), and
 * codegraph#1860 — docs only, none run here; the docs.devin.ai pages read here predate the move.
 * - Its servers live in `mcp_config.json` beside its settings' `config.json`; at start-up it moves
 *   any `mcpServers` left in `config.json` into `mcp_config.json` (`movedFrom`). Sync never writes
 *   `config.json`; what an earlier mcp-twin wrote there is still its own where it still is.
 * - The file's schema takes no other keys (`additionalProperties: false`): a local server is
 *   `command`, `args`, `env`; a remote one `url` and `headers`, Streamable HTTP by default (SSE on
 *   a 4xx answer), `"transport": "sse"` for SSE. A `type` key is refused, so none is written.
 * - Not written: its project files (`.devin/mcp_config.json`, and `.devin/mcp_config.local.json`,
 *   a person's own): its docs name `${env:VAR}` only for OAuth secrets (`oauthClientSecret`), so a
 *   project entry could carry a server's secrets only as values (a third party saw `headers`
 *   expanded, which its docs do not promise, and nothing of `env` or `args`).
 * - Values of the user file are read as written (NO_EXPANSION): mcp-twin writes no reference there.
 * - Devin before 3000.3 reads only `config.json`, and none of the servers sync writes.
 */
export const devin = defineClient({
  id: "devin",
  name: "Devin for Terminal",
  files: {
    windows: { base: "appdata", path: ["devin", "mcp_config.json"], program: "devin" },
    wsl: { base: "home", path: [".config", "devin", "mcp_config.json"], program: "devin" },
    macos: { base: "home", path: [".config", "devin", "mcp_config.json"], program: "devin" },
    linux: { base: "home", path: [".config", "devin", "mcp_config.json"], program: "devin" },
  },
  movedFrom: "config.json",
  serversPath: ["mcpServers"],
  entry: {
    stdio: (launch) => commandEntry(launch),
    remote: (remote) => urlEntry(remote),
    sse: (remote) => urlEntry(remote, { transport: "sse" }),
  },
  variables: NO_EXPANSION,
  common: commonDevinKeys,
  // Its schema refuses a `type`: doctor says so of an entry that has one (written by hand or by another tool).
  reading: {
    commonKeys: (e, view) => {
      if (Object.hasOwn(e, "type"))
        view.problems.push(
          'has "type", a key its mcp_config.json schema refuses (it names SSE in "transport")',
        );
      return commonDevinKeys(e);
    },
  },
  app: "cli",
  processes: "devin",
  docs: {
    where: "Windows, WSL, macOS, Linux (Devin Local and Devin for Terminal, version 3000.3 or later)",
    project: "– (`.devin/mcp_config.json` not written: `${env:VAR}` is for OAuth)",
    shapes:
      "`command`, `args`, `env`; remote: `url`, `headers` (Streamable HTTP, SSE on a 4xx answer); SSE: `url` + `transport: sse`; no `type`",
  },
  sources: [
    {
      fact: 'CLI v3000.3.22 / Desktop v3.6.21 (2026-07-29): "MCP servers now live in dedicated config files instead of `config.json` `mcpServers` key. Existing entries auto-migrated on startup." (its stable changelog, quoted)',
      url: "https://github.com/dyoshikawa/rulesync/issues/2510",
    },
    {
      fact: "user `~/.config/devin/mcp_config.json`, project `.devin/mcp_config.json`, a person's own `.devin/mcp_config.local.json` (gitignored, never written by a tool); import falls back to `config.json`'s `mcpServers`",
      url: "https://github.com/dyoshikawa/rulesync/pull/2523",
    },
    {
      fact: "Windows: `%APPDATA%\\devin\\mcp_config.json`; the `mcpServers` of `config.json` is legacy, moved out at start-up; a remote entry `{ transport, url }` read by Devin CLI 3000.6.2 (`devin mcp get`)",
      url: "https://github.com/upstash/context7/pull/3090",
    },
    {
      fact: "its mcp_config schema is `additionalProperties: false`: `{command, args}` only, a `type: stdio` entry is rejected; a `mcpServers` entry left in `config.json` comes back after an uninstall, moved in at start-up",
      url: "https://github.com/colbymchenry/codegraph/pull/1860",
    },
    {
      fact: "stdio and remote fields; Streamable HTTP by default, SSE on a 4xx answer, `transport: sse`",
      url: "https://docs.devin.ai/cli/extensibility/mcp/configuration.md",
    },
    {
      fact: "its docs name `${env:VAR}` expansion for sensitive fields such as `oauthClientSecret` (quoted); not documented for `env`, `args` or `headers`",
      url: "https://github.com/ThiagoPanini/overpower/issues/87",
    },
    {
      fact: "measured by a third party (3000.6.14 to 3000.10.31): `${VAR}` and `${env:VAR}` expanded in `headers`, an unset one sent empty; its docs describe only `${env:VAR}`",
      url: "https://github.com/awslabs/aidlc-workflows/pull/996",
    },
    {
      fact: "`config.json` (JSON with comments) holds its other settings: agent, theme, permissions, sandbox…",
      url: "https://docs.devin.ai/cli/reference/configuration/config-file.md",
    },
  ],
  // No per-server tool field: its `permissions` allow/deny/ask rules match `mcp__<server>__<tool>`.
});

/** Its `transport` in the other clients' vocabulary (`type`), so doctor and import read its SSE entries. */
function commonDevinKeys(e: Record<string, unknown>): Record<string, unknown> {
  const { transport, ...rest } = e;
  return typeof transport === "string" && rest.type === undefined ? { ...rest, type: transport } : e;
}
