/**
 * Claude Code: every environment. User scope lives in ~/.claude.json, a hot app-state file the CLI
 * rewrites often, so only `mcpServers` is touched and writes are compare-and-swap.
 */

import { defineClient } from "./define-client.js";
import { TYPED } from "./entry-shapes.js";
import { claudeCodePlugins } from "./plugin-servers.js";
import { SHELL_BRACES } from "./variables.js";

// Its file sits in the home folder itself: installed where it or ~/.claude is, or `claude` is.
const FILE = {
  base: "home",
  path: [".claude.json"],
  presentIf: [[".claude.json"], [".claude"]],
  program: "claude",
} as const;

/**
 * Project scope is `.mcp.json`, where values are `${VAR}` references. Entries always carry `type`:
 * an entry with `url` but no `type` is read as a broken stdio entry; `"type": "sse"` is the older
 * HTTP+SSE transport.
 */
export const claudeCode = defineClient({
  id: "claude-code",
  name: "Claude Code",
  judge: "`claude mcp list`",
  docs: {
    where: "everywhere (Windows, WSL, macOS, Linux)",
    shapes:
      "`type` always written: `stdio` with `command`, `args`, `env`; `http` or `sse` with `url`, `headers`",
  },
  sources: [
    { fact: "scopes, files, entry shapes", url: "https://docs.anthropic.com/en/docs/claude-code/mcp" },
    {
      fact: "its own entry fields (bundled schema, 2.1.330)",
      url: "https://www.npmjs.com/package/@anthropic-ai/claude-code",
    },
  ],
  files: { windows: FILE, wsl: FILE, macos: FILE, linux: FILE },
  serversPath: ["mcpServers"],
  // Its own entry fields in 2.1.330's bundled schema (stdio and http/sse entries).
  keptKeys: [
    "alwaysLoad",
    "timeout",
    "headersHelper",
    "oauth",
    "tools",
    "toolPermissions",
    "displayName",
    "bareElicitationCapability",
    "discoveryCache",
  ],
  projectConfig: [".mcp.json"],
  entry: TYPED,
  workingFolder: "${PWD}",
  app: "cli",
  /** MCP_TIMEOUT (ms) in the environment it starts from; 30 s by default (its docs). */
  startupSetting: { env: "MCP_TIMEOUT", unit: "ms" },
  startupTimeoutMs(_entry, env) {
    const ms = Number(env.MCP_TIMEOUT);
    return Number.isFinite(ms) && ms > 0 ? ms : 30_000;
  },
  processes: { windows: ["claude.exe"], posix: ["claude"] },
  // On native Windows it starts servers without a shell: `npx.cmd` is not found.
  windowsBatch: "no-shell",
  ownBackups: "~/.claude/backups",
  pluginServers: claudeCodePlugins,
  dropsPluginDuplicates: true,
  toolBudget: {
    searches: {
      how: "its tool search",
      source: "https://code.claude.com/docs/en/mcp",
      when: { entry: (entry) => entry.alwaysLoad !== true, words: '"alwaysLoad": true loads them' },
    },
    // No per-tool field in its entries: `tools` there is a per-tool permission policy, not a filter.
    noField: "no per-tool field (its `tools` is a permission list)",
  },
  variables: SHELL_BRACES,
  reading: {
    type: "strict",
    // ~/.claude.json is the CLI's own state, rewritten with JSON.stringify and read with JSON.parse.
    strictJson: (scope) => scope === "user",
    // Local scope: `projects["<dir>"].mcpServers` in ~/.claude.json.
    localScope(top, project, windows) {
      const key = projectKey(top.projects, project, windows);
      return key === undefined ? undefined : ["projects", key, "mcpServers"];
    },
  },
});

/** The key of `projects` in ~/.claude.json for a folder (Windows keys use forward slashes). */
function projectKey(projects: unknown, dir: string, windows: boolean): string | undefined {
  if (!projects || typeof projects !== "object") return undefined;
  const norm = (p: string) => {
    const s = p.replace(/\\/g, "/").replace(/\/+$/, "");
    return windows ? s.toLowerCase() : s;
  };
  const want = norm(dir);
  return Object.keys(projects).find((k) => norm(k) === want);
}
