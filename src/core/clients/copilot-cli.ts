/**
 * GitHub Copilot CLI: `mcp-config.json` in `$COPILOT_HOME` (default ~/.copilot; %USERPROFILE%\.copilot
 * on Windows), servers under `mcpServers`. Facts seen with 1.0.102 (docs/clients.md#client-by-client).
 */
import { defineClient } from "./define-client.js";
import { TYPED } from "./entry-shapes.js";
import { copilotPlugins } from "./plugin-servers.js";
import { SHELL_BARE } from "./variables.js";

/**
 * Every tool of the server: what `copilot mcp add` writes by default, and what it writes into every
 * entry of the file when it rewrites it, so an entry that says it already stays as sync wrote it.
 */
const ALL_TOOLS = ["*"];

const FILE = {
  base: "home",
  path: [".copilot", "mcp-config.json"],
  movedBy: "COPILOT_HOME",
  program: "copilot",
} as const;

/**
 * - `type` is optional (a command is `local`, a url `http`); sync writes it, as `copilot mcp add`
 *   does: `stdio` (its synonym of `local`), `http`, `sse`.
 * - It expands `${VAR}` and `$VAR` in `command`, `args`, `env` and `headers`, and starts a server
 *   with its own whole environment plus the entry's `env`, in the folder it runs in (or `cwd`).
 * - Comments and trailing commas are read; `copilot mcp add` rewrites the file without them.
 * - A workspace `.mcp.json` (else `.github/mcp.json`) is read in folders it was told to trust:
 *   Claude Code's project file, which sync writes, so Copilot has no project file of its own here.
 */
export const copilotCli = defineClient({
  id: "copilot-cli",
  name: "GitHub Copilot CLI",
  judge: "`copilot mcp list --json`",
  docs: {
    where: "everywhere",
    file: "`$COPILOT_HOME/mcp-config.json`, default `~/.copilot/mcp-config.json` (`%USERPROFILE%\\.copilot\\…` on Windows)",
    project: "`.mcp.json` (Claude Code's)",
    shapes:
      "typed entries with `tools`: `stdio` with `command`, `args`, `env`; `http` or `sse` with `url`, `headers`",
  },
  sources: [
    {
      fact: "mcp-config.json",
      url: "https://docs.github.com/en/copilot/how-tos/use-copilot-agents/use-copilot-cli",
    },
    { fact: "seen with 1.0.102", url: "https://www.npmjs.com/package/@github/copilot" },
  ],
  files: { windows: FILE, wsl: FILE, macos: FILE, linux: FILE },
  serversPath: ["mcpServers"],
  // Every entry names the tools it loads: "*" until a rule says which.
  entry: {
    stdio: (launch) => ({ ...TYPED.stdio(launch), tools: ALL_TOOLS }),
    remote: (remote) => ({ ...TYPED.remote?.(remote), tools: ALL_TOOLS }),
    sse: (remote) => ({ ...TYPED.sse?.(remote), tools: ALL_TOOLS }),
  },
  workingFolder: "${PWD}",
  app: "cli",
  /** An entry's own `timeout` (ms); 30 s by default (its changelog: tool discovery's default). */
  startupTimeoutMs(entry) {
    const t = entry && typeof entry === "object" ? (entry as { timeout?: unknown }).timeout : undefined;
    return typeof t === "number" && t > 0 ? t : 30_000;
  },
  processes: "copilot",
  pluginServers: copilotPlugins,
  // `copilot mcp list` (1.0.102) lists a plugin's server, not mcp-config.json's entry of its name.
  pluginNameClash: "plugin-wins",
  toolBudget: {
    // Tool search from about 30 tools on (supported models), unless the entry says deferTools "never".
    searches: {
      how: "its tool search",
      source: "https://docs.github.com/en/copilot/concepts/agents/copilot-cli/tool-search",
      when: {
        entry: (entry, total) => entry.deferTools !== "never" && total >= 30,
        words: 'from about 30 tools, with the models it searches for; "deferTools": "never" loads them',
      },
    },
    // `tools` lists the tools it loads ("*": all); it has no list of those it leaves out.
    filter: {
      keys: ["tools"],
      fields: (names) => (names.allow ? { tools: [...names.allow] } : undefined),
      source: "https://docs.github.com/en/copilot/how-tos/copilot-cli/customize-copilot/add-mcp-servers",
    },
    limit: { tools: 128, source: "https://github.com/microsoft/vscode-copilot-release/issues/11653" },
  },
  variables: SHELL_BARE,
  reading: { commonEntry: commonCopilotEntry },
  // Its JSON carries env values and headers unmasked: only the names are read from it, never shown.
  ownList: { program: "copilot", args: ["mcp", "list", "--json"], names: userServers },
});

/** The servers `copilot mcp list --json` says come from the user file (`"source": "user"`). */
function userServers(stdout: string): string[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  const servers = (parsed as { mcpServers?: unknown } | null)?.mcpServers;
  if (!servers || typeof servers !== "object" || Array.isArray(servers)) return undefined;
  return Object.entries(servers as Record<string, { source?: unknown } | null>)
    .filter(([, s]) => s?.source === "user")
    .map(([name]) => name);
}

/**
 * Its entry in the other clients' vocabulary (import): `local` is `stdio`, and `tools: ["*"]` (all of
 * them, its default) says nothing; a narrower `tools` list stays, a key the manifest cannot express.
 */
function commonCopilotEntry(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const { tools, ...rest } = raw as Record<string, unknown>;
  const out: Record<string, unknown> = rest;
  if (out.type === "local") out.type = "stdio";
  const all = Array.isArray(tools) && tools.length === 1 && tools[0] === "*";
  return tools === undefined || all ? out : { ...out, tools };
}
