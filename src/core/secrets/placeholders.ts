/**
 * The one rule for what is a secret's name and for values that are not real keys (README placeholders,
 * an empty value, a value failing the catalogue's format). Every command asks here (pure).
 */

export const SECRET_WORDS: ReadonlySet<string> = new Set([
  "key",
  "apikey",
  "token",
  "secret",
  "password",
  "passwd",
  "pwd",
  "pat",
  "auth",
  "authorization",
  "credential",
  "credentials",
  "cookie",
  "passphrase",
  "privatekey",
]);

/**
 * Names are split into words (`X-API-Key` → x, api, key; `tavilyApiKey` → tavily, api, key), so
 * `PYTHONPATH` is not a PAT and `KEYBOARD_LAYOUT` is not a key.
 */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/**
 * Does this variable, header or flag name hold a secret? The one rule: import, sync, `secret set`
 * and doctor all ask here. A word, not a substring: `AUTHOR`, `MAX_TOKENS` and `MONKEY` are not keys.
 */
export function isSecretName(name: string): boolean {
  return nameWords(name).some(
    (w) => SECRET_WORDS.has(w) || /(apikey|secretkey|accesskey|token|secret|password)$/.test(w),
  );
}

/** What a placeholder looks like once a vendor prefix (`tvly-`, `sk-proj-`, `ghp_`) is taken off. */
/** Words that are placeholders as a whole value (the last of PLACEHOLDER_CORES). */
const WORD_LIST =
  /^(changeme|change[-_ ]me|replace[-_ ]?me|placeholder|todo|tbd|example|dummy|none|null|undefined|secret|token|api[-_]?key|key|password|test|test[-_]?key)$/i;

const PLACEHOLDER_CORES: RegExp[] = [
  /^<[^<>]*>$/, // <YOUR_KEY>, <token>
  /^\[[^[\]]*\]$/, // [API_KEY]
  /^\{\{?[^{}$]*\}?\}$/, // {API_KEY}, {{API_KEY}}
  /^your[-_ .]/i, // your-key-here, your_api_key, YOUR_PERPLEXITY_API_KEY
  /^YOUR[A-Z0-9]*$/, // YOURKEY
  /^(insert|enter|put|add|paste)[-_ ](your|key|token|api)/i,
  /^my[-_ ](api[-_ ])?(key|token|secret)$/i,
  /[-_ ]here$/i, // insert_key_here, key-here
  /^([x*•.]{3,}|…)([-_ ]?([x*•.]{3,}|…))*$/i, // xxxx, XXXX-XXXX, ***, ..., …
  WORD_LIST,
];

/** Words that are fine values of other variables (`MODE=none`): placeholders only under a secret's name. */
const WORDS_ONLY_FOR_SECRETS =
  /^(none|null|undefined|test|example|dummy|todo|tbd|secret|token|key|password)$/i;

/** A vendor prefix segment before the placeholder part: `tvly-`, `sk-`, `proj-`, `ghp_`. */
const PREFIX_SEGMENT = /^[A-Za-z][A-Za-z0-9]{0,11}[-_]/;

/**
 * Is this value (no name known: judged as a secret's value) a placeholder? Empty is not.
 *
 * Placeholders copied from a README: `your-key-here`, `<YOUR_API_KEY>`, `tvly-xxxx…`,
 * `tvly-YOUR_API_KEY`, `changeme`. `secret set`, the wizard (init, add), import, sync and doctor
 * all ask here.
 */
export function isPlaceholder(value: string): boolean {
  return placeholderCore(value, true) !== undefined;
}

function placeholderCore(value: string, secret: boolean): string | undefined {
  const v = value.trim().replace(/^(Bearer|Basic|Token)\s+/i, "");
  if (v === "" || v.includes("${")) return undefined;
  // The value itself, then without one, two or three prefix segments (`tvly-`, `sk-proj-`).
  const candidates = [v];
  for (let rest = v, n = 0; n < 3; n++) {
    const m = PREFIX_SEGMENT.exec(rest);
    if (!m || m[0].length === rest.length) break;
    rest = rest.slice(m[0].length);
    candidates.push(rest);
  }
  for (const candidate of candidates) {
    for (const re of PLACEHOLDER_CORES) {
      if (!re.test(candidate)) continue;
      if (!secret && WORDS_ONLY_FOR_SECRETS.test(candidate)) continue;
      // After a prefix a plain word is part of a name (`sk-test`, `my-project`), not a placeholder.
      if (candidate !== v && re === WORD_LIST) continue;
      return v;
    }
  }
  return undefined;
}

/** A catalogue template's format check for a secret (`^tvly-[A-Za-z0-9_-]{8,}$`). */
export interface SecretFormat {
  pattern?: string | undefined;
  example?: string | undefined;
}

export type NotAKey =
  | { kind: "empty"; reason: string }
  /** `shown`: the placeholder itself, safe to print (it is not a key). */
  | { kind: "placeholder"; reason: string; shown: string }
  /** Never printed: it may be a real key, mistyped or of a new format. */
  | { kind: "format"; reason: string };

/**
 * Why `value` (of the variable, header or secret `name`) is not a real key, or undefined.
 * `formats`: the catalogue's format checks for this name (any one passing is enough).
 */
export function notAKey(
  name: string,
  value: string,
  formats: readonly SecretFormat[] = [],
): NotAKey | undefined {
  const secret = isSecretName(name) || formats.length > 0;
  const bare = value.trim().replace(/^(Bearer|Basic|Token)\s+/i, "");
  if (bare === "") return secret ? { kind: "empty", reason: "empty" } : undefined;
  const core = placeholderCore(value, secret);
  if (core !== undefined) {
    const shown = core.length > 40 ? `${core.slice(0, 40)}…` : core;
    return { kind: "placeholder", reason: `a placeholder ("${shown}"), not a key`, shown };
  }
  const patterns = formats.filter((f) => f.pattern);
  if (patterns.length > 0 && !patterns.some((f) => f.pattern !== undefined && safeTest(f.pattern, bare))) {
    const example = patterns.find((f) => f.example)?.example;
    return {
      kind: "format",
      reason: `not in the format of a ${name}${example ? ` (${example})` : ""}`,
    };
  }
  return undefined;
}

function safeTest(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return true; // a broken pattern in a user's template judges nothing
  }
}
