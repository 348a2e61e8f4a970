/**
 * The environment Gemini CLI gives a stdio server it starts (pure): its own, less every variable
 * whose name or value looks like a secret, as 0.61.0's environmentSanitization does for MCP servers.
 */

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
