/**
 * Codex (OpenAI's CLI, IDE extension and desktop app, which share one file): `config.toml` in
 * `$CODEX_HOME` (default ~/.codex; %USERPROFILE%\.codex on Windows), servers as `[mcp_servers.<name>]`
 * tables.
 */
import { defineClient } from "./define-client.js";
import { stringMap } from "./entry-fields.js";
import { codexPlugins } from "./plugin-servers.js";
import type { EntryView, Launch, Remote } from "./types.js";
import { NO_EXPANSION } from "./variables.js";

/** The keys of an entry that say how to start the server: mcp-twin's. */
const OWNED = [
  "command",
  "args",
  "env",
  "env_vars",
  "url",
  "http_headers",
  "bearer_token_env_var",
  "env_http_headers",
  // The manifest's tool rules (toolBudget.filter): mcp-twin's too.
  "enabled_tools",
  "disabled_tools",
];

/** `${NAME}`: how a project file's entry says "this variable, from Codex's environment". */
const REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const BEARER_REFERENCE = /^Bearer \$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

const FILE = {
  base: "home",
  path: [".codex", "config.toml"],
  movedBy: "CODEX_HOME",
  program: "codex",
} as const;

/**
 * A project's `.codex/config.toml` is read only once the user has trusted the project
 * (`[projects."<dir>"] trust_level = "trusted"` in the user file).
 *
 * - Codex starts a server with a small environment (HOME, PATH, … plus the entry's `env`), and
 *   names in `env_vars` are passed on from its own. Values are never expanded: project files
 *   reference a variable by forwarding it (`env_vars`, `bearer_token_env_var`).
 * - A remote server's headers go in `http_headers`; an inline `bearer_token` makes Codex refuse
 *   the whole file, so it is never written.
 * - Codex writes into entries itself (per-tool approvals under `[mcp_servers.<name>.tools.…]`,
 *   `enabled`, timeouts): mcp-twin owns only the launch keys, and keeps the rest.
 * - A `url` is Streamable HTTP only: an SSE remote gets the `connect` relay (no `sseEntry`).
 * - It waits `startup_timeout_sec` (default 10 s) for a server to start.
 */
export const codex = defineClient({
  id: "codex",
  name: "Codex",
  judge: "`codex mcp list`",
  docs: {
    where: "everywhere (CLI, IDE extension and desktop app share the file)",
    file: "`$CODEX_HOME/config.toml`, default `~/.codex/config.toml` (`%USERPROFILE%\\.codex\\config.toml` on Windows)",
    shapes:
      "`[mcp_servers.<name>]` tables: `command`, `args`, `env`, `env_vars`; remote: `url`, `http_headers`, `bearer_token_env_var`",
    variables: "passed on by name (`env_vars`, `bearer_token_env_var`)",
  },
  sources: [
    { fact: "config.toml's mcp_servers", url: "https://github.com/openai/codex/blob/main/docs/config.md" },
  ],
  files: { windows: FILE, wsl: FILE, macos: FILE, linux: FILE },
  serversPath: ["mcp_servers"],
  format: "toml",
  ownedKeys: OWNED,
  // What the manifest's clientFields may set: the entry keys its docs give beside the launch
  // (every key but OWNED is kept all the same).
  keptKeys: ["startup_timeout_sec", "startup_timeout_ms", "tool_timeout_sec", "enabled"],
  projectConfig: [".codex", "config.toml"],
  referenceStyle: (name) => `\${${name}}`,
  entry: { stdio, remote: remoteEntry },
  // A whole-value reference becomes `env_http_headers` (seen with 0.169.0): PWD from its environment.
  workingFolder: "${PWD}",
  projectEntryProblem(value) {
    const left = JSON.stringify(value).match(/\$\{[A-Za-z_][A-Za-z0-9_]*\}/g);
    return left
      ? `Codex does not expand ${[...new Set(left)].join(", ")} inside a value: a project file can only pass a variable on whole (an env value that is exactly \${secret:NAME} under its own name, or a bearer token)`
      : undefined;
  },
  app: "cli",
  /** `startup_timeout_sec` (seconds, may be fractional) or `startup_timeout_ms`; 10 s by default. */
  startupSetting: { key: "startup_timeout_sec", unit: "s" },
  startupTimeoutMs(entry) {
    const e = entry && typeof entry === "object" ? (entry as Record<string, unknown>) : {};
    if (typeof e.startup_timeout_sec === "number" && e.startup_timeout_sec > 0)
      return e.startup_timeout_sec * 1000;
    if (typeof e.startup_timeout_ms === "number" && e.startup_timeout_ms > 0) return e.startup_timeout_ms;
    return 10_000;
  },
  serverEnv: {
    posix: [
      "HOME",
      "LOGNAME",
      "PATH",
      "SHELL",
      "USER",
      "__CF_USER_TEXT_ENCODING",
      "LANG",
      "LC_ALL",
      "TERM",
      "TMPDIR",
      "TZ",
    ],
    // codex-rs WINDOWS_CORE_ENV_VARS
    windows: [
      "PATH",
      "PATHEXT",
      "SHELL",
      "COMSPEC",
      "SYSTEMROOT",
      "WINDIR",
      "SYSTEMDRIVE",
      "USERNAME",
      "USERDOMAIN",
      "USERPROFILE",
      "HOMEDRIVE",
      "HOMEPATH",
      "PROGRAMFILES",
      "PROGRAMFILES(X86)",
      "PROGRAMW6432",
      "PROGRAMDATA",
      "LOCALAPPDATA",
      "APPDATA",
      "TEMP",
      "TMP",
      "TMPDIR",
      "POWERSHELL",
      "PWSH",
    ],
    forwardKey: "env_vars",
  },
  processes: "codex",
  pluginServers: codexPlugins,
  // `codex mcp list` (0.169.0) shows config.toml's entry and skips a plugin's server of its name.
  pluginNameClash: "entry-wins",
  toolBudget: {
    // Its MCP tools go straight to the model below 100, behind its tool_search (BM25) from 100 on.
    searches: {
      how: "its tool_search",
      source: "https://github.com/openai/codex/blob/main/codex-rs/core/src/mcp_tool_exposure.rs",
      when: { entry: (_entry, total) => total >= 100, words: "from 100 tools" },
    },
    // Names only; `disabled_tools` applies after `enabled_tools` (seen with 0.169.0: `codex mcp get --json`).
    filter: {
      keys: ["enabled_tools", "disabled_tools"],
      fields: (names) =>
        names.allow ? { enabled_tools: [...names.allow] } : { disabled_tools: [...names.deny] },
      source: "https://developers.openai.com/codex/mcp",
    },
  },
  // Values are never expanded: variables are passed on by name (env_vars, bearer_token_env_var).
  variables: NO_EXPANSION,
  reading: { commonKeys: codexKeys, commonEntry: commonCodexEntry },
});

function stdio(launch: Launch): Record<string, unknown> {
  const env: Record<string, string> = {};
  const forward: string[] = [];
  for (const [name, value] of Object.entries(launch.env)) {
    // `${NAME}` under its own name: a project file's reference, passed on by Codex.
    if (REFERENCE.exec(value)?.[1] === name) forward.push(name);
    else env[name] = value;
  }
  return {
    command: launch.command,
    args: launch.args,
    ...(Object.keys(env).length > 0 ? { env } : {}),
    ...(forward.length > 0 ? { env_vars: forward } : {}),
  };
}

function remoteEntry(remote: Remote): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const fromEnv: Record<string, string> = {};
  let bearer: string | undefined;
  for (const [header, value] of Object.entries(remote.headers)) {
    const token = header.toLowerCase() === "authorization" ? BEARER_REFERENCE.exec(value)?.[1] : undefined;
    const whole = REFERENCE.exec(value)?.[1];
    if (token) bearer = token;
    else if (whole) fromEnv[header] = whole;
    else headers[header] = value;
  }
  return {
    url: remote.url,
    ...(bearer ? { bearer_token_env_var: bearer } : {}),
    ...(Object.keys(headers).length > 0 ? { http_headers: headers } : {}),
    ...(Object.keys(fromEnv).length > 0 ? { env_http_headers: fromEnv } : {}),
  };
}

// Not `enabled_tools`/`disabled_tools`: those are mcp-twin's tool rules (a rewrite would drop a
// hand-written one), so an entry that has them is not taken over by import.
const CODEX_OWN = [
  "tools",
  "default_tools_approval_mode",
  "startup_timeout_sec",
  "startup_timeout_ms",
  "tool_timeout_sec",
  "required",
  "supports_parallel_tool_calls",
  "experimental_environment",
  "name",
];

/**
 * `enabled = false` is disabled, `http_headers` are headers, and the variables Codex passes on by
 * name (`env_vars`, `bearer_token_env_var`, `env_http_headers`) become `${NAME}` references (the
 * manifest's `${env:NAME}`). Keys Codex keeps for itself in the entry (tool approvals, timeouts)
 * are left out: sync never touches them, so importing the server loses nothing there.
 */
function commonCodexEntry(raw: unknown): unknown {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return raw;
  const e = { ...(raw as Record<string, unknown>) };
  const out: Record<string, unknown> = {};
  if (e.enabled === false) out.disabled = true;
  const headers: Record<string, unknown> = isTable(e.http_headers) ? { ...e.http_headers } : {};
  if (e.http_headers !== undefined && !isTable(e.http_headers)) out.headers = e.http_headers;
  if (isTable(e.env_http_headers))
    for (const [h, v] of Object.entries(e.env_http_headers))
      headers[h] = typeof v === "string" ? `\${${v}}` : v;
  if (typeof e.bearer_token_env_var === "string")
    headers.Authorization = `Bearer \${${e.bearer_token_env_var}}`;
  if (Object.keys(headers).length > 0) out.headers = headers;
  if (Array.isArray(e.env_vars)) {
    const env: Record<string, unknown> = isTable(e.env) ? { ...e.env } : {};
    for (const v of e.env_vars) {
      const name = typeof v === "string" ? v : isTable(v) ? v.name : undefined;
      if (typeof name === "string" && env[name] === undefined) env[name] = `\${${name}}`;
    }
    e.env = env;
  }
  for (const [k, v] of Object.entries(e)) {
    if (
      [
        "enabled",
        "http_headers",
        "env_http_headers",
        "bearer_token_env_var",
        "env_vars",
        ...CODEX_OWN,
      ].includes(k)
    )
      continue;
    out[k] = v;
  }
  return out;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * A Codex entry in the common vocabulary: `http_headers` as `headers`; `env_vars`,
 * `bearer_token_env_var` and `env_http_headers` as variables it passes on (into `view`).
 */
function codexKeys(e: Record<string, unknown>, view: EntryView): Record<string, unknown> {
  const { http_headers, env_vars, bearer_token_env_var, env_http_headers, bearer_token, ...rest } = e;
  if (bearer_token !== undefined)
    view.problems.push(
      'has an inline "bearer_token", which makes Codex refuse the whole file (use bearer_token_env_var)',
    );
  if (env_vars !== undefined) {
    const names = Array.isArray(env_vars)
      ? env_vars.map((v) => (typeof v === "string" ? v : (v as { name?: unknown } | null)?.name))
      : [undefined];
    if (names.every((n): n is string => typeof n === "string")) view.forward = names;
    else view.problems.push('"env_vars" must be a list of variable names');
  }
  if (typeof bearer_token_env_var === "string")
    view.headerVars.Authorization = { variable: bearer_token_env_var, prefix: "Bearer " };
  const fromEnv = stringMap(env_http_headers);
  if (fromEnv)
    for (const [h, variable] of Object.entries(fromEnv)) view.headerVars[h] = { variable, prefix: "" };
  else view.problems.push('"env_http_headers" must be a table of variable names');
  return { ...rest, ...(http_headers !== undefined ? { headers: http_headers } : {}) };
}
