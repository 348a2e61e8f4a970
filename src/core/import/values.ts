/**
 * Judging single values (pure): is this name or value a secret, a placeholder, a reference?
 * Names are split into words (`X-API-Key` → x, api, key; `tavilyApiKey` → tavily, api, key), so
 * `PYTHONPATH` is not a PAT and `KEYBOARD_LAYOUT` is not a key.
 */
import { clientModule } from "../clients/index.js";
import type { ClientId } from "../manifest/schema.js";
import { isPlaceholder, nameWords, SECRET_WORDS } from "../secrets/placeholders.js";

/** Words that say what kind of secret, not whose: a name made only of them gets the server's prefix. */
const GENERIC_WORDS = new Set([
  ...SECRET_WORDS,
  "api",
  "access",
  "x",
  "bearer",
  "client",
  "private",
  "personal",
]);

/** Prefixes of well-known API keys and tokens. */
const PREFIXES = [
  "sk-",
  "sk_",
  "rk_",
  "ghp_",
  "gho_",
  "ghu_",
  "ghs_",
  "ghr_",
  "github_pat_",
  "glpat-",
  "tvly-",
  "xoxb-",
  "xoxp-",
  "xoxa-",
  "xapp-",
  "AIza",
  "pplx-",
  "fc-",
  "ntn_",
  "secret_",
  "sbp_",
  "sntrys_",
  "sntryu_",
  "npm_",
  "hf_",
  "gsk_",
  "r8_",
  "lin_api_",
  "xai-",
  "BSA",
];

export function hasSecretPrefix(value: string): boolean {
  if (/\s/.test(value)) return false;
  if (/^eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./.test(value)) return true; // a JWT
  return PREFIXES.some((p) => {
    if (!value.startsWith(p)) return false;
    const rest = value.slice(p.length);
    return /^[A-Za-z0-9_-]{12,}$/.test(rest) && /[0-9]/.test(rest) && !isPlaceholder(value);
  });
}

/**
 * A value that could be a credential (under a secret-sounding name): not a flag word, number,
 * URL (without a password), path or plain lower-case word such as `production` or `oauth`.
 */
export function looksLikeCredential(value: string): boolean {
  const v = value.trim();
  if (v.length < 4) return false;
  if (/^(true|false|yes|no|on|off|null|none|enabled|disabled)$/i.test(v)) return false;
  if (/^-?\d+(\.\d+)?$/.test(v)) return false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return false;
  if (/^([A-Za-z]:[\\/]|\/|~\/|\.\.?[\\/]|\\\\)/.test(v)) return false;
  if (/^[a-z]+([-_][a-z]+)*$/.test(v) && v.length <= 24) return false;
  return !/\s/.test(v) || /^(bearer|basic|token|bot)\s+\S+$/i.test(v);
}

/** A valid secret name made of a text: `X-API-Key` → `X_API_KEY`. */
export function secretNameOf(text: string): string {
  const upper = nameWords(text)
    .map((w) => w.toUpperCase())
    .join("_");
  return /^[0-9]/.test(upper) ? `_${upper}` : upper || "SECRET";
}

/** A secret's name from the field it was found in, prefixed by the server when the field is generic. */
export function secretNameFor(server: string, field: string): string {
  const words = nameWords(field).filter((w, i) => !(i === 0 && w === "x"));
  const own = secretNameOf(words.join("_"));
  if (words.some((w) => !GENERIC_WORDS.has(w))) return own;
  const prefix = secretNameOf(server);
  return own.startsWith(`${prefix}_`) ? own : `${prefix}_${own}`;
}

/** Variables a client fills in itself (VS Code/Cursor predefined ones, Claude Code's project folder). */
const CLIENT_VARIABLES = new Set([
  "workspaceFolder",
  "workspaceFolderBasename",
  "workspaceRoot",
  "userHome",
  "cwd",
  "file",
  "fileBasename",
  "fileDirname",
  "relativeFile",
  "pathSeparator",
  "execPath",
  "CLAUDE_PROJECT_DIR",
]);

export type Converted = { text: string; notes: string[] } | { problem: string };

/**
 * References in a client's syntax → the manifest's `${env:NAME}`: `${NAME}` (Claude Code, Claude
 * Desktop users, Gemini), `${env:NAME}` (Cursor, VS Code, Windsurf), Gemini's bare `$NAME`.
 * `${NAME:-default}` loses its default (noted). Client-only variables (`${workspaceFolder}`,
 * `${userHome}`, `${input:…}`) cannot be expressed: a problem.
 */
export function convertReferences(text: string, client: ClientId): Converted {
  const notes: string[] = [];
  let problem: string | undefined;
  let out = text.replace(/\$\{([^}]*)\}/g, (whole, inner: string) => {
    const m = /^(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s.exec(inner);
    if (!m || (inner.startsWith("env:") && m[2] !== undefined) || CLIENT_VARIABLES.has(m[1] ?? "")) {
      problem ??= `uses ${whole}, which only ${client} understands`;
      return whole;
    }
    if (m[2] !== undefined) notes.push(`\${${m[1]}:-…} lost its default: set ${m[1]} when you run mcp-twin`);
    return `\${env:${m[1]}}`;
  });
  if (clientModule(client).reading.variables.bare)
    out = out.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (_w, name: string) => `\${env:${name}}`);
  return problem ? { problem } : { text: out, notes };
}

export function hasReference(text: string): boolean {
  return /\$\{(env|secret):[A-Za-z_][A-Za-z0-9_]*\}/.test(text);
}
