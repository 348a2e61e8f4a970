/**
 * Kiro (the IDE, and Kiro CLI which shares its files): ~/.kiro/settings/mcp.json, servers under
 * `mcpServers`; project file `.kiro/settings/mcp.json`. Facts from kiro.dev's MCP pages.
 */
import type { Environment } from "../environments/types.js";
import { defineClient } from "./define-client.js";
import { commandEntry, urlEntry } from "./entry-shapes.js";
import { existsIn, inHome } from "./locate.js";
import type { ConfigLocation, Target } from "./types.js";
import type { VariableSyntax } from "./variables.js";

/** Amazon Q Developer CLI's user file: Kiro CLI replaced it and reads its own, never this one. */
const AMAZON_Q = [".aws", "amazonq", "mcp.json"] as const;

/** Said once where that file is found (sync, status, doctor): what moved, where mcp-twin writes now. */
const AMAZON_Q_NOTICE =
  "Amazon Q Developer CLI is now Kiro CLI, which reads ~/.kiro/settings/mcp.json: mcp-twin writes there. `mcp-twin import` carries the servers of ~/.aws/amazonq/mcp.json, which mcp-twin never edits.";

/**
 * Its user file on macOS, Linux and WSL: there where Kiro made ~/.kiro, kiro-cli is on PATH, or
 * Amazon Q Developer CLI's file is (its successor reads this one: the location's notice says so).
 */
async function posixFile(env: Environment): Promise<ConfigLocation> {
  const path = inHome(env, ".kiro", "settings", "mcp.json");
  const former = await existsIn(env, inHome(env, ...AMAZON_Q));
  const present =
    former ||
    (await existsIn(env, inHome(env, ".kiro"))) ||
    (await env.findProgram?.("kiro-cli")) !== undefined;
  return { path, present, ...(former ? { notice: AMAZON_Q_NOTICE } : {}) };
}

/** Amazon Q Developer CLI's file beside a user target, which Kiro does not read: import reads it, sync never writes it. */
function amazonQFile(target: Target) {
  if (target.scope !== "user" || target.env.kind === "windows") return undefined;
  const path = inHome(target.env, ...AMAZON_Q);
  const file = target.env.access(path);
  const why = "Amazon Q Developer CLI's file, which Kiro CLI (its successor) does not read";
  return file ? { path, file, why } : undefined;
}

/**
 * `${VAR}` in an entry's values — expanded only for variables approved in Kiro (its popup, or the
 * CLI's `kiroAgent.mcpApprovedEnvVars`); others reach the server as written.
 */
const KIRO_VARIABLES: VariableSyntax = {
  expand: (text, ctx, found) =>
    text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
      const v = ctx.vars(name);
      if (v === undefined) found.unset.push(name);
      return v ?? whole;
    }),
};

const FILE = {
  base: "home",
  path: [".kiro", "settings", "mcp.json"],
  presentIf: [[".kiro"]],
  program: "kiro-cli",
} as const;

/**
 * - A local server is `command`, `args`, `env`; a remote one `url` (HTTPS, or HTTP on localhost) and
 *   `headers`: Streamable HTTP. No SSE form is documented, so an SSE server gets the relay.
 * - Its own fields, kept: `disabled`, `autoApprove` (tool names, or `*`), `disabledTools`, and for a
 *   remote `oauth` / `oauthScopes`; the CLI's `timeout` (ms per request).
 * - The IDE runs on Windows, macOS and Linux; Kiro CLI on macOS and Linux (WSL included) and reads
 *   the same files; a workspace's file is merged over the user's.
 */
export const kiro = defineClient({
  id: "kiro",
  name: "Kiro",
  files: { windows: FILE, macos: posixFile, linux: posixFile, wsl: posixFile },
  // In WSL only where Kiro CLI made ~/.kiro there: the Windows IDE reads its own file.
  createWhenNamed: ["windows", "macos", "linux"],
  serversPath: ["mcpServers"],
  keptKeys: ["disabled", "autoApprove", "disabledTools", "oauth", "oauthScopes", "timeout"],
  projectConfig: [".kiro", "settings", "mcp.json"],
  entry: { stdio: (launch) => commandEntry(launch), remote: (remote) => urlEntry(remote) },
  app: "editor",
  processes: { windows: ["Kiro.exe", "kiro-cli.exe"], posix: ["kiro", "kiro-cli"] },
  variables: KIRO_VARIABLES,
  reading: { ignoredFile: amazonQFile },
  docs: {
    where: "Windows, macOS, Linux (IDE); macOS, Linux, WSL (Kiro CLI, same files)",
    file: "`%USERPROFILE%\\.kiro\\settings\\mcp.json` (Windows); `~/.kiro/settings/mcp.json` (macOS, Linux, WSL)",
    shapes: "`command`, `args`, `env`; remote: `url`, `headers` (Streamable HTTP)",
    variables: "`${VAR}`, once the variable is approved in Kiro",
  },
  sources: [
    {
      fact: "the file's structure and fields (`disabled`, `autoApprove`, `disabledTools`), its user and workspace locations, the workspace's merged over the user's",
      url: "https://kiro.dev/docs/mcp/configuration",
    },
    { fact: "Kiro CLI reads the same files and fields", url: "https://kiro.dev/docs/cli/mcp/configuration" },
    { fact: "`${VAR}` expanded only for approved variables", url: "https://kiro.dev/docs/mcp/security" },
    {
      fact: "the IDE runs on macOS, Windows and Linux",
      url: "https://kiro.dev/docs/getting-started/installation",
    },
    { fact: "Kiro CLI runs on macOS and Linux", url: "https://kiro.dev/docs/cli" },
    {
      fact: "Amazon Q Developer CLI read `~/.aws/amazonq/mcp.json`; Kiro CLI, which replaced it, reads `~/.kiro/settings/mcp.json`",
      url: "https://kiro.dev/docs/cli/chat/configuration",
    },
  ],
  toolBudget: {
    // Exact names it leaves out only: an allow rule is said as the rest of the server's list.
    filter: {
      keys: ["disabledTools"],
      fields: (names) => (names.allow ? undefined : { disabledTools: [...names.deny] }),
      source: "https://kiro.dev/docs/mcp/configuration",
    },
  },
});
