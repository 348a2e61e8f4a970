/**
 * Gemini CLI: ~/.gemini/settings.json (shared with its other settings); `url` + `"type": "http"`
 * is Streamable HTTP (`httpUrl`, read as well, is deprecated), `url` + `"type": "sse"` HTTP+SSE.
 */
import { defineClient, UNDOCUMENTED_STARTUP_TIMEOUT_MS } from "./define-client.js";
import { commandEntry, urlEntry } from "./entry-shapes.js";
import { geminiExtensions } from "./plugin-servers.js";
import { SHELL_BARE } from "./variables.js";

const FILE = { base: "home", path: [".gemini", "settings.json"] } as const;

export const geminiCli = defineClient({
  id: "gemini-cli",
  name: "Gemini CLI",
  judge: "`gemini mcp list`",
  notice:
    "Gemini CLI no longer serves individual accounts (since 2026-06-18; API-key, Vertex and enterprise users keep it): individuals moved to the Antigravity CLI (`agy`).",
  movedTo: "antigravity",
  docs: {
    where: "everywhere",
    shapes: "`command`, `args`, `env`; remote: `url` + `type: http`; SSE: `url` + `type: sse`",
  },
  sources: [
    {
      fact: "settings.json's mcpServers",
      url: "https://github.com/google-gemini/gemini-cli/blob/main/docs/tools/mcp-server.md",
    },
    {
      fact: "its own entry fields (bundled MCPServerConfig, 0.61.0)",
      url: "https://www.npmjs.com/package/@google/gemini-cli",
    },
  ],
  files: { windows: FILE, wsl: FILE, macos: FILE, linux: FILE },
  serversPath: ["mcpServers"],
  // Its own entry fields in 0.61.0's bundled MCPServerConfig.
  keptKeys: [
    "timeout",
    "trust",
    "description",
    "cwd",
    "oauth",
    "authProviderType",
    "targetAudience",
    "targetServiceAccount",
  ],
  projectConfig: [".gemini", "settings.json"],
  entry: {
    stdio: (launch) => commandEntry(launch),
    // What `gemini mcp add --transport http` writes since 0.21, which calls `httpUrl` deprecated.
    remote: (remote) => urlEntry(remote, { type: "http" }),
    // What `gemini mcp add --transport sse` writes. A `url` without `type` is read as SSE by older
    // versions but as Streamable HTTP (then SSE as a fallback) by newer ones (0.61): `type` says it.
    sse: (remote) => urlEntry(remote, { type: "sse" }),
  },
  // Expanded in settings.json's headers (seen with 0.61.0): the folder it was started in.
  workingFolder: "${PWD}",
  // Variables named like secrets (TOKEN, KEY, SECRET, AUTH, CERT, …) reach a server only through
  // the entry's own `env` as values (0.61.0's environmentSanitization).
  serverEnvFilter: geminiServerEnv,
  app: "cli",
  /** An entry's own `timeout` (ms); otherwise what undocumented clients allow. */
  startupSetting: { key: "timeout", unit: "ms" },
  startupTimeoutMs(entry) {
    const t = entry && typeof entry === "object" ? (entry as { timeout?: unknown }).timeout : undefined;
    return typeof t === "number" && t > 0 ? t : UNDOCUMENTED_STARTUP_TIMEOUT_MS;
  },
  processes: "gemini",
  pluginServers: geminiExtensions,
  toolBudget: {
    // Exact names only (0.61.0's isEnabled: `excludeTools` wins over `includeTools`).
    filter: {
      keys: ["includeTools", "excludeTools"],
      fields: (names) =>
        names.allow ? { includeTools: [...names.allow] } : { excludeTools: [...names.deny] },
      source: "https://github.com/google-gemini/gemini-cli/blob/main/docs/tools/mcp-server.md",
    },
  },
  variables: SHELL_BARE,
  reading: {
    streamableUrlKey: "httpUrl",
    untypedUrlMaybeSse: { httpFirstSince: "0.61" },
  },
});

/** Passed on whatever they look like (its ALWAYS_ALLOWED_ENVIRONMENT_VARIABLES). */
const ALWAYS = new Set([
  "PATH",
  "SYSTEMROOT",
  "COMSPEC",
  "PATHEXT",
  "WINDIR",
  "TEMP",
  "TMP",
  "USERPROFILE",
  "SYSTEMDRIVE",
  "HOME",
  "LANG",
  "SHELL",
  "TMPDIR",
  "USER",
  "LOGNAME",
  "TERM",
  "COLORTERM",
  "ADDITIONAL_CONTEXT",
  "AVAILABLE_LABELS",
  "BRANCH_NAME",
  "DESCRIPTION",
  "EVENT_NAME",
  "GITHUB_ENV",
  "IS_PULL_REQUEST",
  "ISSUES_TO_TRIAGE",
  "ISSUE_BODY",
  "ISSUE_NUMBER",
  "ISSUE_TITLE",
  "PULL_REQUEST_NUMBER",
  "REPOSITORY",
  "TITLE",
  "TRIGGERING_ACTOR",
]);

/** Never passed on (its NEVER_ALLOWED_ENVIRONMENT_VARIABLES). */
const NEVER = new Set([
  "CLIENT_ID",
  "DB_URI",
  "CONNECTION_STRING",
  "AWS_DEFAULT_REGION",
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "SLACK_WEBHOOK_URL",
  "TWILIO_ACCOUNT_SID",
  "DATABASE_URL",
  "GOOGLE_CLOUD_PROJECT",
  "GOOGLE_CLOUD_ACCOUNT",
  "FIREBASE_PROJECT_ID",
]);

/** Names it withholds (its NEVER_ALLOWED_NAME_PATTERNS), matched anywhere in the name. */
const NAME_PATTERNS = [
  /TOKEN/i,
  /SECRET/i,
  /PASSWORD/i,
  /PASSWD/i,
  /KEY/i,
  /AUTH/i,
  /CREDENTIAL/i,
  /CREDS/i,
  /PRIVATE/i,
  /CERT/i,
];

/** Values it withholds whatever the name (its NEVER_ALLOWED_VALUE_PATTERNS). */
const VALUE_PATTERNS = [
  /-----BEGIN (RSA|OPENSSH|EC|PGP) PRIVATE KEY-----/i,
  /-----BEGIN CERTIFICATE-----/i,
  /(https?|ftp|smtp):\/\/[^:\s]{1,1024}:[^@\s]{1,1024}@/i,
  /(ghp|gho|ghu|ghs|ghr|github_pat)_[a-zA-Z0-9_]{36,}/i,
  /AIzaSy[a-zA-Z0-9_\\-]{33}/i,
  /AKIA[A-Z0-9]{16}/i,
  /eyJ[a-zA-Z0-9_-]{0,10240}\.[a-zA-Z0-9_-]{0,10240}\.[a-zA-Z0-9_-]{0,10240}/i,
  /(s|r)k_(live|test)_[0-9a-zA-Z]{24}/i,
  /xox[abpr]-[a-zA-Z0-9-]+/i,
];

/** The names its settings' `security.environmentVariableRedaction` allows and blocks (upper case). */
interface RedactionLists {
  allowed: ReadonlySet<string>;
  blocked: ReadonlySet<string>;
}

const NO_LISTS: RedactionLists = { allowed: new Set(), blocked: new Set() };

/**
 * Does Gemini CLI withhold this variable of its environment from a server? In GitHub Actions
 * (GITHUB_SHA set, or SURFACE=Github) it withholds all but the always-passed and allowed ones.
 */
export function geminiWithholds(
  name: string,
  value: string | undefined,
  strict: boolean,
  lists: RedactionLists = NO_LISTS,
): boolean {
  const key = name.toUpperCase();
  if (key.startsWith("GEMINI_CLI_")) return false;
  if (value && VALUE_PATTERNS.some((p) => p.test(value.toUpperCase()))) return true;
  if (key.startsWith("GIT_CONFIG_")) return false;
  if (lists.allowed.has(key)) return false;
  if (lists.blocked.has(key)) return true;
  if (ALWAYS.has(key)) return false;
  if (NEVER.has(key)) return true;
  if (strict) return true;
  return NAME_PATTERNS.some((p) => p.test(key));
}

/** `security.environmentVariableRedaction.allowed` / `.blocked` of a Gemini settings file's top level. */
function redactionLists(settings: Readonly<Record<string, unknown>> | undefined): RedactionLists {
  const security = settings?.security;
  const redaction =
    security && typeof security === "object"
      ? (security as Record<string, unknown>).environmentVariableRedaction
      : undefined;
  const list = (key: string) => {
    const v =
      redaction && typeof redaction === "object" ? (redaction as Record<string, unknown>)[key] : undefined;
    return new Set(
      Array.isArray(v) ? v.filter((x): x is string => typeof x === "string").map((x) => x.toUpperCase()) : [],
    );
  };
  return { allowed: list("allowed"), blocked: list("blocked") };
}

/**
 * What a stdio server started by Gemini CLI inherits from `env` (its own environment), before the
 * entry's `env` is laid over it; `GEMINI_CLI=1` says who started it. The entry's own values are
 * expanded against this too, so a `${NAME}` of a withheld variable is empty.
 */
export function geminiServerEnv(
  env: Readonly<Record<string, string | undefined>>,
  settings?: Readonly<Record<string, unknown>>,
): Record<string, string> {
  const strict = Boolean(env.GITHUB_SHA) || env.SURFACE === "Github";
  const lists = redactionLists(settings);
  const out: Record<string, string> = { GEMINI_CLI: "1" };
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && !geminiWithholds(name, value, strict, lists)) out[name] = value;
  return out;
}
