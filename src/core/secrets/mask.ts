/**
 * The one masking mechanism: everything mcp-twin prints (results, diffs, progress, warnings, errors,
 * --json, --verbose) and every log line goes through `maskText` (ui/output.ts applies it to every line).
 */
import { inspect } from "node:util";

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
  return maskForms(text, secretForms(secretValues));
}

/** Every spelling of these values (formsOf), longest first: what maskForms looks for. */
export function secretForms(secretValues: Iterable<string>): string[] {
  return byLength([...new Set([...secretValues].flatMap(formsOf))]);
}

/**
 * maskText for the many lines of one output: for every text the same as `maskForms(text,
 * secretForms(values))`, but the hex and base64 spellings are made only once a text could hold one.
 * Each such spelling is a run of at least `encodedFloor` characters of one base64 alphabet (hex's
 * are in both), and masking only breaks runs (MASK is none of them): a text without such a run
 * is masked by the other spellings alone, in the same order. A report's lines seldom have one.
 */
export function secretMasker(secretValues: Iterable<string>): (text: string) => string {
  const values = [...new Set(secretValues)].filter((v) => v !== "");
  if (values.length === 0) return (text) => maskForms(text, []);
  const floor = Math.min(...values.map(encodedFloor));
  const run = new RegExp(`[A-Za-z0-9+/]{${floor},}|[A-Za-z0-9_-]{${floor},}`);
  let plain: string[] | undefined;
  let all: string[] | undefined;
  return (text) => {
    if (run.test(text)) {
      if (!all) all = secretForms(values);
      return maskForms(text, all);
    }
    if (!plain) plain = byLength([...new Set(values.flatMap(unencodedForms))]);
    return maskForms(text, plain);
  };
}

/** The fewest characters of any hex or base64 spelling formsOf makes of `value` (base64Cores: 4·⌊(k+n)/3⌋, less 4 when k > 0). */
export function encodedFloor(value: string): number {
  const n = Buffer.byteLength(value, "utf8");
  return Math.max(4, Math.min(2 * n, 4 * Math.floor(n / 3) - 4));
}

const byLength = (forms: string[]) => forms.sort((a, b) => b.length - a.length);

/** maskText with the values' spellings made once (secretForms), for a caller that masks many lines with them. */
export function maskForms(text: string, forms: readonly string[]): string {
  let out = text;
  for (const v of forms) if (out.includes(v)) out = out.split(v).join(MASK);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * The first `max` characters of `text` as they may be shown: masked whole first (a secret that
 * straddles the cut is masked, not half shown), then any end that begins a secret's spelling cut off
 * too (the text itself may be the start of something longer).
 */
export function maskedHead(text: string, secretValues: Iterable<string>, max: number): string {
  const values = [...secretValues];
  let head = maskText(text, values).slice(0, max);
  const forms = values.flatMap(formsOf);
  for (let cut = true; cut; ) {
    cut = false;
    for (const f of forms)
      for (let k = Math.min(f.length - 1, head.length); k >= 2; k--)
        if (head.endsWith(f.slice(0, k))) {
          head = head.slice(0, -k);
          cut = true;
          break;
        }
  }
  return head;
}

/** Spellings computed lately, by value (masking runs on every line printed). */
const spellings = new Map<string, string[]>();

/**
 * Every spelling of a secret value that a program may print (at least 4 characters each): as it is;
 * JSON-escaped, once or twice (inside a JSON document, or one embedded as a string); as Node's
 * `util.inspect` writes a string (`console.log(process.env)`); URL-encoded (percent-encoding in
 * upper or lower case, a form's `+` for a space); hex; and base64 (standard and URL-safe) at each of
 * the three alignments it can have inside a longer encoded text — what every such encoding holds
 * whatever surrounds it (the characters it shares with its neighbours are left out).
 */
function formsOf(value: string): string[] {
  const known = spellings.get(value);
  if (known) return known;
  const bytes = Buffer.from(value, "utf8");
  const hex = bytes.toString("hex");
  const encoded = [hex, hex.toUpperCase(), ...[0, 1, 2].flatMap((k) => base64Cores(bytes, k))];
  const kept = [...new Set([...unencodedForms(value), ...encoded])].filter((f) => f.length >= 4);
  if (spellings.size > 256) spellings.clear();
  spellings.set(value, kept);
  return kept;
}

/** A value as it is and as every escaping writes it (its spellings but hex and base64), each of 4 characters or more. */
function unencodedForms(value: string): string[] {
  // Letters, digits and `_.-` read the same JSON-escaped, inspected and URL-encoded (PLAIN_CHARS):
  // only hex and base64 differ. A client token is such a value, and a report masks tens of them.
  // With `:/@+=` and the like too (a client token's `label:token`), only URL-encoding changes it.
  const forms = PLAIN.test(value)
    ? [value]
    : URL_ONLY.test(value)
      ? [value, ...urlForms(value)]
      : [value, ...escapedForms(value)];
  return forms.filter((f) => f.length >= 4);
}

/** The characters no escaping or URL-encoding below changes (a test holds each of them to it). */
export const PLAIN_CHARS = "A-Za-z0-9_.-";
const PLAIN = new RegExp(`^[${PLAIN_CHARS}]+$`);
/** The characters only URL-encoding changes, and URLSearchParams as encodeURIComponent does (a test holds it). */
export const URL_ONLY_CHARS = ":/@+=,;?#$&";
const URL_ONLY = new RegExp(`^[${[...URL_ONLY_CHARS].map((c) => `\\${c}`).join("")}${PLAIN_CHARS}]+$`);

/** A value percent-encoded, in upper and lower case. */
function urlForms(value: string): string[] {
  const url = encodeURIComponent(value);
  return [url, url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())];
}

/** A value as JSON (once, twice), `util.inspect`, percent-encoding (both cases) and a form's encoding write it. */
function escapedForms(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  return [
    json,
    JSON.stringify(json).slice(1, -1),
    inspect(value).slice(1, -1),
    ...urlForms(value),
    new URLSearchParams({ v: value }).toString().slice(2),
  ];
}

/**
 * The base64 of `bytes` preceded by `offset` bytes of anything: the characters that depend on
 * `bytes` alone (the group it shares with what comes before, and the one it shares with what comes
 * after, left out), in standard and URL-safe alphabets; none when that is shorter than 6.
 */
function base64Cores(bytes: Buffer, offset: number): string[] {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
  const end = (offset + bytes.length) % 3 === 0 ? encoded.length : encoded.length - 4;
  const core = encoded.slice(offset > 0 ? 4 : 0, end).replace(/=+$/, "");
  if (core.length < 6) return [];
  return [core, core.replace(/\+/g, "-").replace(/\//g, "_")];
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
