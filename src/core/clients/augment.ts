/**
 * Augment's CLI (Auggie): ~/.augment/settings.json (%USERPROFILE%\.augment on Windows), servers under
 * `mcpServers`, typed entries. Facts read in @augmentcode/auggie 0.36.0 and seen with its own commands.
 */
import { defineClient } from "./define-client.js";
import { TYPED } from "./entry-shapes.js";
import { SHELL_BRACES } from "./variables.js";

/**
 * - An entry is what `auggie mcp add` writes: `{"type": "stdio", "command", "args", "env"}`,
 *   `{"type": "http" | "sse", "url", "headers"}`; without `type` a `url` is http, a `command` stdio.
 * - It expands `${VAR}` and `${VAR:-default}` in command, args, env, url and headers; an unset one
 *   without a default keeps the server from loading.
 * - It starts a stdio server through a shell (`/bin/sh -c`, `cmd.exe /c`) with the command and its
 *   arguments joined by spaces: an argument with a space splits (sync writes 8.3 names on Windows).
 * - It reads comments and trailing commas, but nothing from a file that starts with a BOM.
 * - A project's `.augment/settings.json` (and `.augment/settings.local.json`) is read too.
 */
const FILE = { base: "home", path: [".augment", "settings.json"], program: "auggie" } as const;

export const augment = defineClient({
  id: "augment",
  name: "Auggie (Augment CLI)",
  files: { windows: FILE, wsl: FILE, macos: FILE, linux: FILE },
  serversPath: ["mcpServers"],
  keptKeys: ["name", "title", "disabled", "timeoutMs", "clientId", "cwd"],
  projectConfig: [".augment", "settings.json"],
  entry: TYPED,
  app: "cli",
  processes: "auggie",
  windowsSpaces: "splits",
  variables: SHELL_BRACES,
  reading: {
    strictJson: () => true,
    strictJsonDialect: { comments: true, trailingCommas: true, bom: false },
  },
  ownList: { program: "auggie", args: ["mcp", "list", "--json"], names: userServers },
  judge: "`auggie mcp list --json` (lists; does not connect)",
  docs: {
    shapes:
      "`type` always written: `stdio` with `command`, `args`, `env`; `http` or `sse` with `url`, `headers`",
    variables: "`${VAR}`, `${VAR:-default}`",
  },
  sources: [
    {
      fact: "read in 0.36.0's bundle (augment.mjs): its settings schema (`type`, `name`, `disabled`, `timeoutMs`, `command`/`args`/`env`, `url`/`headers`), the `type` a `url` or a `command` implies, a stdio server started through `/bin/sh -c` or `cmd.exe /c`, `${VAR}` and `${VAR:-default}`, `~/.augment/settings.json`",
      url: "https://www.npmjs.com/package/@augmentcode/auggie/v/0.36.0",
    },
    {
      fact: "run here: `auggie mcp add` writes typed entries, `auggie mcp list --json` lists them (0.36.0); a file with a BOM is read as nothing",
      url: "https://www.npmjs.com/package/@augmentcode/auggie/v/0.36.0",
    },
    {
      fact: "its changelog: the settings file, `${...}` expansion",
      url: "https://github.com/augmentcode/auggie/blob/f337898/CHANGELOG.md",
    },
  ],
  // No per-server tool field: its `toolPermissions` settings rules match tool names (0.36.0).
});

/** The servers `auggie mcp list --json` says come from the user file (`"source": "user"`). */
function userServers(stdout: string): string[] | undefined {
  const start = stdout.indexOf("{");
  let parsed: unknown;
  try {
    // It prints warnings (no Augment API URL) before its JSON.
    parsed = JSON.parse(start >= 0 ? stdout.slice(start) : stdout);
  } catch {
    return undefined;
  }
  const servers = (parsed as { servers?: unknown } | null)?.servers;
  if (!Array.isArray(servers)) return undefined;
  return servers
    .filter((s): s is { name: string; source?: unknown } => typeof s?.name === "string")
    .filter((s) => s.source === "user")
    .map((s) => s.name);
}
