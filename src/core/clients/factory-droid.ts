/**
 * Factory Droid (the `droid` CLI): ~/.factory/mcp.json (%USERPROFILE%\.factory on Windows), project
 * .factory/mcp.json; `type` on every entry. Facts: docs/clients.md#client-by-client (sources there).
 */

import { defineClient } from "./define-client.js";
import { TYPED } from "./entry-shapes.js";
import { SHELL_BRACES } from "./variables.js";

const FILE = { base: "home", path: [".factory", "mcp.json"], program: "droid" } as const;

/**
 * Sources: Factory-AI/factory docs/cli/configuration/mcp.mdx@a80aa7c (files, layering, schema,
 * `${VAR}` expansion, `enabledTools`/`disabledTools`, `timeoutMs`) and settings.mdx (the Windows
 * folder); `@factory/cli` 0.225.2 run here (`droid mcp add` writes, `droid mcp list` reads).
 * - `droid mcp add` writes `type` on every entry ("stdio", "http", "sse") and `"disabled": false`.
 * - A url entry without `type` is read as stdio without a command, and then no server of the
 *   file starts (0.225.2: "Error reloading MCP servers"); a command without `type` is stdio.
 * - Comments are read; a trailing comma or a byte-order mark makes it ignore the whole file
 *   ("No MCP servers configured"). `droid mcp add` rewrites the file as 2-space JSON, dropping
 *   comments, CRLF and top-level keys other than `mcpServers`.
 * - 0.225.2 expands `${VAR}` and `${VAR:-default}` in a stdio entry's `env` and a url entry's
 *   `headers` only (its docs also name `command`, `args` and `url`); an unset variable without a
 *   default fails that server. A stdio server gets droid's whole environment plus `env`.
 * - Project files load from the git root (`[project]` in `droid mcp list`); of a server named in
 *   both, 0.225.2 lists and starts the project's (its docs say the user's wins). An unset
 *   `${VAR}` there fails that server and stops the reload of every other one.
 * - Tool rules (issue 55): `enabledTools` (allow list; wins over) `disabledTools` (block list);
 *   `timeoutMs` is a per-call timeout; no documented limit on the number of tools.
 */
export const factoryDroid = defineClient({
  id: "factory-droid",
  name: "Factory Droid",
  files: { windows: FILE, wsl: FILE, macos: FILE, linux: FILE },
  serversPath: ["mcpServers"],
  judge: "`droid mcp list`",
  docs: {
    project: "`.factory/mcp.json` (at the git root)",
    shapes:
      "`type` always written: `stdio` with `command`, `args`, `env`; `http` or `sse` with `url`, `headers`",
    variables: "`${VAR}`, `${VAR:-default}` (in `env` and `headers`)",
  },
  sources: [
    {
      fact: "its files (user, project at the git root), entry fields, `${VAR}` expansion, `enabledTools`/`disabledTools`, `timeoutMs`",
      url: "https://docs.factory.ai/cli/configuration/mcp",
    },
    {
      fact: "the same page's source at a80aa7c",
      url: "https://github.com/Factory-AI/factory/blob/a80aa7c5ed560a737f313b1379c015837c99090f/docs/cli/configuration/mcp.mdx",
    },
    {
      fact: "its folder on Windows, `%USERPROFILE%\\.factory`",
      url: "https://github.com/Factory-AI/factory/blob/a80aa7c5ed560a737f313b1379c015837c99090f/docs/cli/configuration/settings.mdx",
    },
    {
      fact: "run here (droid 0.225.2: `@factory/cli` 0.225.1 with its platform binary): `droid mcp add` writes `type` on every entry, a url entry without `type` stops every server, a trailing comma or a BOM makes it ignore the file, `${VAR}` is expanded in `env` and `headers` only, 30 s to connect",
      url: "https://www.npmjs.com/package/@factory/cli/v/0.225.1",
    },
  ],
  toolBudget: {
    // Exact names: `enabledTools` (allow list) wins over `disabledTools` (block list).
    filter: {
      keys: ["enabledTools", "disabledTools"],
      fields: (names) =>
        names.allow ? { enabledTools: [...names.allow] } : { disabledTools: [...names.deny] },
      source:
        "https://github.com/Factory-AI/factory/blob/a80aa7c5ed560a737f313b1379c015837c99090f/docs/cli/configuration/mcp.mdx",
    },
  },
  // Documented entry fields beside the launch, and `connectTimeout`, which 0.225.2 reads too.
  keptKeys: ["disabled", "enabledTools", "disabledTools", "timeoutMs", "oauth", "connectTimeout"],
  projectConfig: [".factory", "mcp.json"],
  entry: TYPED,
  app: "cli",
  /** 0.225.2 waits 30 s for a server to connect (its binary; not documented). */
  timeoutMs: 30_000,
  processes: "droid",
  variables: SHELL_BRACES,
  reading: {
    type: "strict",
    strictJson: () => true,
    strictJsonDialect: { comments: true, bom: false },
  },
  // It connects to every server to say which connected; only the names of `[user]` lines are read.
  ownList: { program: "droid", args: ["mcp", "list"], names: userServers },
});

/** The servers `droid mcp list` says come from the user file ("  name  type  status  [user]"). */
function userServers(stdout: string): string[] | undefined {
  if (/No MCP servers configured/.test(stdout)) return [];
  if (!/Configured MCP servers:/.test(stdout)) return undefined;
  return stdout.split(/\r?\n/).flatMap((line) => {
    const m = /^ {2}(\S.*?) {2}\S+ {2}.*\[user\]\s*$/.exec(line);
    return m?.[1] ? [m[1]] : [];
  });
}
