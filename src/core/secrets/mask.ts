/**
 * The one masking mechanism: everything mcp-twin prints (results, diffs, progress, warnings, errors,
 * --json, --verbose) goes through `maskText` (ui/output.ts applies it to every line).
 */

export const MASK = "********";

const PATTERNS: Array<[RegExp, string]> = [
  // An authorization header's credentials (the bridge token travels as `Bearer <token>`).
  [/\b(bearer)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1$2${MASK}`],
  [/\b(Basic)(\s+)(?=[A-Za-z0-9+/]*\d)[A-Za-z0-9+/]{8,}={0,2}/g, `$1$2${MASK}`],
  // Keys by their vendor's prefix.
  [
    /\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|xox[abporse]-[A-Za-z0-9-]{10,}|tvly-[A-Za-z0-9_-]{8,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,}|glpat-[A-Za-z0-9_-]{16,})/g,
    MASK,
  ],
  // https://user:password@host
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/\s"'@]+:)[^@\s"'/]+@/gi, `$1${MASK}@`],
  // ?api_key=…, &token=…
  [
    /([?&](?:api[_-]?key|apikey|key|token|access[_-]?token|auth|secret|password|pass)=)[^&\s"'#]+/gi,
    `$1${MASK}`,
  ],
  // --api-key=…, --token=… in a command line
  [/(--?(?:api[_-]?key|token|access[_-]?token|auth[_-]?token|secret|password|pass)=)[^\s"']+/gi, `$1${MASK}`],
];

/**
 * Mask known secret values (longest first, so prefixes do not leak) and credential shapes:
 * - every value known to be secret: the secrets file's values, the values being written, and
 *   values found where secrets sit in a config (secret-fields-json.ts and secret-fields-toml.ts
 *   find them in diffs' texts);
 * - whatever has the shape of a credential, known or not: `Bearer …`/`Basic …`, keys with a
 *   vendor's prefix (sk-…, ghp_…, xoxb-…, tvly-…, AKIA…, AIza…, glpat-…), a password in a URL,
 *   `?api_key=…`-style query parameters, `--token=…`-style arguments.
 */
export function maskText(text: string, secretValues: Iterable<string>): string {
  // Also the JSON-escaped spelling, as a value with " or \ appears inside a JSON document.
  const spelled = [...secretValues].flatMap((v) => [v, JSON.stringify(v).slice(1, -1)]);
  const values = [...new Set(spelled)].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
  let out = text;
  for (const v of values) if (out.includes(v)) out = out.split(v).join(MASK);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A value found where a secret sits that is worth masking everywhere else too: long enough, no
 * blanks, and not a path, URL, reference, number or word that would blank out honest output.
 */
export function looksLikeSecret(value: string): boolean {
  if (value.length < 8 || !/^[\x21-\x7e]+$/.test(value)) return false;
  if (/^(?:[/~.]|[A-Za-z]:[\\/]|\\\\|[a-z][a-z0-9+.-]*:\/\/|\$\{)/i.test(value)) return false;
  if (/^(?:true|false|null|\d+(?:\.\d+)?)$/i.test(value)) return false;
  return /\d/.test(value) || value.length >= 20;
}
