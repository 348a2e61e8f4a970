/**
 * Amp (the CLI): `"amp.mcpServers"` — one top-level key whose name holds a dot — in
 * ~/.config/amp/settings.json (JSON with comments); `${VAR}` references.
 */
import { defineClient } from "./define-client.js";
import { commandEntry, urlEntry } from "./entry-shapes.js";
import { BRACES_ONLY } from "./variables.js";

/**
 * - Its file is `$XDG_CONFIG_HOME/amp/settings.json` (default ~/.config/amp); a workspace's
 *   `.amp/settings.json` is read too, its servers started once `amp mcp approve` allowed them.
 * - `command`, `args`, `env`; a `url` with `headers` is tried as Streamable HTTP, then SSE.
 * - `${VAR}` in values is expanded; an unset one stays as written (0.0.1790142911, `amp mcp doctor`).
 * - On Windows its file's place is not documented: Amp is set up in WSL there.
 * - `includeTools` (names or globs) narrows a server only where it comes from a skill's `mcp.json`:
 *   on a server of the settings file Amp ignores it (0.0.1790142911's own code: its filter is off
 *   for a server with a source other than skills; `amp tools list` lists every tool of such a
 *   server, measured). So it stays the person's own field, and a rule is not said in it.
 */
export const amp = defineClient({
  id: "amp",
  name: "Amp",
  notice:
    "Amp's npm package is now `@ampcode/cli` (`npm install -g @ampcode/cli`); its settings file, which mcp-twin writes, is unchanged.",
  files: {
    wsl: { base: "xdg-config", path: ["amp", "settings.json"], program: "amp" },
    macos: { base: "xdg-config", path: ["amp", "settings.json"], program: "amp" },
    linux: { base: "xdg-config", path: ["amp", "settings.json"], program: "amp" },
  },
  serversPath: ["amp.mcpServers"],
  projectConfig: [".amp", "settings.json"],
  entry: {
    stdio: (launch) => commandEntry(launch),
    remote: (remote) => urlEntry(remote),
    sse: (remote) => urlEntry(remote),
  },
  keptKeys: ["includeTools", "disabled"],
  toolBudget: { noField: "none: its `includeTools` narrows only a skill's servers, not the settings file's" },
  variables: BRACES_ONLY,
  app: "cli",
  processes: "amp",
  judge: "`amp mcp doctor` (connected / error, with any `AMP_API_KEY`)",
  docs: { shapes: "`command`, `args`, `env`; remote: `url`, `headers` (either transport)" },
  sources: [
    { fact: "MCP settings, workspace settings", url: "https://ampcode.com/manual#mcp" },
    {
      fact: "`includeTools` (tool names or globs) in a skill's `mcp.json`, its tools loaded with the skill",
      url: "https://ampcode.com/news/lazy-load-mcp-with-skills",
    },
    {
      fact: "`amp mcp add` writes `amp.mcpServers`; `includeTools` on a server of the settings file is ignored: `amp tools list` lists all its tools (0.0.1790142911, run here)",
      url: "https://www.npmjs.com/package/@sourcegraph/amp",
    },
  ],
});
