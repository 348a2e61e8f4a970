/**
 * Environment and header values found in client configs: real secrets (moved to the secrets file),
 * references to variables (kept as `${env:NAME}`), placeholders (`your-key-here`: reported, not
 * stored) and plain settings. Pure.
 */

export type ValueClass =
  | { kind: "secret"; prefix: string; secret: string }
  | { kind: "reference"; text: string }
  | { kind: "placeholder" }
  | { kind: "plain" };

const SECRET_NAME =
  /(^|_)(API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|PAT|AUTH|CREDENTIALS?|PRIVATE_KEY|ACCESS_KEY)($|_)/i;
const SECRET_PREFIX =
  /^(sk-|sk_|rk_|pk_live_|ghp_|gho_|ghs_|github_pat_|glpat-|tvly-|xox[abpr]-|ntn_|secret_|sbp_|fc-|ctx7sk-|sntry[a-z]?_|AKIA|AIza|eyJ)/;
const PLACEHOLDER =
  /^(|your[-_ ].*|your[-_]?(api[-_ ]?)?(key|token|secret).*|<[^>]*>|\[[^\]]*\]|YOUR_[A-Z0-9_]+|[x*]{4,}|\.\.\.|…|changeme|change[-_]me|placeholder|todo|replace[-_ ]?me.*|insert[-_ ].*|enter[-_ ].*)$/i;
const REFERENCE = /^\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}$|^\$([A-Za-z_][A-Za-z0-9_]*)$/;

export function classifyValue(key: string, value: string): ValueClass {
  const trimmed = value.trim();
  const ref = REFERENCE.exec(trimmed);
  if (ref) return { kind: "reference", text: `\${env:${ref[1] ?? ref[2]}}` };
  // "Bearer <token>" keeps its scheme; the token is the secret.
  const bearer = /^(Bearer|Basic|Token)\s+(.+)$/i.exec(trimmed);
  const prefix = bearer ? `${bearer[1]} ` : "";
  const core = bearer ? bearer[2]!.trim() : trimmed;
  const coreRef = REFERENCE.exec(core);
  if (coreRef) return { kind: "reference", text: `${prefix}\${env:${coreRef[1] ?? coreRef[2]}}` };
  if (
    PLACEHOLDER.test(core) &&
    (SECRET_NAME.test(key) || bearer || /^authorization$/i.test(key) || core === "")
  )
    return { kind: "placeholder" };
  if (SECRET_NAME.test(key) || bearer || /^authorization$/i.test(key) || SECRET_PREFIX.test(core))
    return { kind: "secret", prefix, secret: core };
  return { kind: "plain" };
}

const clean = (s: string) =>
  s
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toUpperCase();

/** `my-server` → `MY_SERVER`, the start of names for secrets that have none of their own. */
export function secretPrefix(server: string): string {
  return clean(server) || "SERVER";
}

/** An environment-variable-like name for a secret found under `key` of server `server`. */
export function secretNameFor(server: string, key: string): string {
  if (/^authorization$/i.test(key) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key))
    return `${secretPrefix(server)}_TOKEN`;
  return clean(key);
}
