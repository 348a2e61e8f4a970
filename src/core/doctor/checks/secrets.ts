/**
 * Secrets (pure): the secrets file, references that resolve, and values that are placeholders
 * copied from a README (`your-key-here`, `<YOUR_KEY>`, `YOUR_TAVILY_API_KEY`, `xxxx`, empty).
 * Messages name variables, never values.
 */
import { referencedNames } from "../../manifest/resolve.js";
import type { ServerSpec } from "../../manifest/schema.js";
import { own } from "../../own.js";
import { type Check, check, type Where } from "../types.js";

const SECRETISH = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|AUTH|CREDENTIAL|(^|_)PAT($|_)/i;

const PLACEHOLDERS: RegExp[] = [
  /^<[^<>]+>$/, // <YOUR_KEY>, <api-key>
  /^\$?\{\{?[^}]+\}?\}$/, // {{API_KEY}}
  /^your[-_ ]?.{0,30}(key|token|secret|here|password|id)$/i, // your-key-here, your_api_key
  /^(insert|enter|put|add|paste)[-_ ]your/i,
  /^my[-_ ](api[-_ ])?(key|token|secret)$/i,
  /^YOUR_[A-Z0-9_]+$/,
  /^x{3,}/i, // xxx, xxxxxxxx, XXXX-XXXX
  /^sk-x{3,}/i,
  /(^|[-_])(api[-_]?)?key[-_]?here$/i,
];

/** Only for variables that hold secrets: words that are fine values elsewhere (`none`, `...`). */
const SECRET_PLACEHOLDERS: RegExp[] = [
  /^(\*{3,}|\.{3,}|…)$/,
  /^(change[-_ ]?me|replace[-_ ]?me|placeholder|todo|tbd|none|null|undefined|dummy|example|test[-_]?key)$/i,
];

/** Why a value looks like a placeholder, or undefined. */
export function placeholderKind(name: string, value: string): string | undefined {
  const v = value.trim().replace(/^(Bearer|Basic|Token)\s+/i, "");
  if (v === "") return SECRETISH.test(name) ? "empty" : undefined;
  const hit =
    PLACEHOLDERS.some((re) => re.test(v)) ||
    (SECRETISH.test(name) && SECRET_PLACEHOLDERS.some((re) => re.test(v)));
  return hit ? `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"` : undefined;
}

export interface SecretsFacts {
  file: string;
  exists: boolean;
  /** Why it does not load (file:line:column and what), and how to recover. */
  error?: { message: string; fix?: string | undefined };
  /** File mode, where modes mean something (not on /mnt/c). */
  mode?: number;
  secrets: Readonly<Record<string, string>>;
}

export function checkSecretsFile(f: SecretsFacts): Check[] {
  if (f.error)
    return [check("secrets.file", "fail", {}, f.error.message, f.error.fix ? { fix: f.error.fix } : {})];
  if (!f.exists) return [check("secrets.file", "pass", {}, "no secrets file (no secret set yet).")];
  if (f.mode !== undefined && (f.mode & 0o077) !== 0)
    return [
      check(
        "secrets.file",
        "warn",
        {},
        `${f.file} is readable by others (mode ${(f.mode & 0o777).toString(8)}).`,
        { fix: `Run \`chmod 600 ${f.file}\`.` },
      ),
    ];
  return [
    check(
      "secrets.file",
      "pass",
      {},
      `${f.file} holds ${Object.keys(f.secrets).length} secret(s) and is private.`,
    ),
  ];
}

function specStrings(spec: ServerSpec): Array<{ field: string; value: string }> {
  const out: Array<{ field: string; value: string }> = [];
  const add = (field: string, value: string | undefined) => {
    if (value !== undefined) out.push({ field, value });
  };
  const addSpec = (prefix: string, s: Partial<ServerSpec>) => {
    add(`${prefix}url`, s.url);
    add(`${prefix}command`, s.command);
    for (const [i, a] of (s.args ?? []).entries()) add(`${prefix}args[${i}]`, a);
    for (const [k, v] of Object.entries(s.env ?? {})) add(`${prefix}env.${k}`, v);
    for (const [k, v] of Object.entries(s.headers ?? {})) add(`${prefix}headers.${k}`, v);
  };
  addSpec("", spec);
  for (const [sel, o] of Object.entries(spec.overrides ?? {})) addSpec(`overrides.${sel}.`, o);
  return out;
}

/** Manifest servers: every reference resolves; no literal or secret value is a placeholder. */
export function checkServerSecrets(
  name: string,
  spec: ServerSpec,
  secrets: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
): Check[] {
  const where: Where = { server: name };
  const out: Check[] = [];
  const missing: string[] = [];
  const placeholders: string[] = [];
  let refs = 0;
  for (const { field, value } of specStrings(spec)) {
    const names = referencedNames(value);
    refs += names.length;
    for (const r of names) {
      const v = r.kind === "secret" ? (own(secrets, r.name) ?? own(env, r.name)) : own(env, r.name);
      if (v === undefined || v === "")
        missing.push(`${r.kind === "secret" ? "secret" : "environment variable"} ${r.name}`);
      else {
        const kind = placeholderKind(r.name, v);
        if (kind)
          placeholders.push(
            `${r.kind === "secret" ? "secret" : "variable"} ${r.name} (${field}) is ${kind === "empty" ? "empty" : `a placeholder, ${kind}`}`,
          );
      }
    }
    if (names.length === 0) {
      const kind = placeholderKind(field.split(".").pop() ?? field, value);
      if (kind && /(^|\.)(env|headers)\./.test(field))
        placeholders.push(`${field} is ${kind === "empty" ? "empty" : `a placeholder, ${kind}`}`);
    }
  }
  const unique = [...new Set(missing)];
  if (unique.length > 0)
    out.push(
      check(
        "secrets.resolved",
        "fail",
        where,
        `${unique.join(", ")} ${unique.length > 1 ? "are" : "is"} not set.`,
        {
          fix: unique
            .map((m) =>
              m.startsWith("secret ") ? `mcp-twin secret set ${m.slice(7)}` : `export ${m.split(" ").pop()}`,
            )
            .join("; "),
        },
      ),
    );
  else if (refs > 0)
    out.push(check("secrets.resolved", "pass", where, "every secret and variable it references is set."));
  if (placeholders.length > 0)
    out.push(
      check(
        "secrets.placeholder",
        "fail",
        where,
        `${placeholders.join("; ")}: the server will be refused by its API.`,
        {
          fix: "Set the real value with `mcp-twin secret set NAME`, then `mcp-twin sync`.",
        },
      ),
    );
  return out;
}

/** A client entry's env and headers, as the server receives them. */
export function checkEntrySecrets(
  where: Where,
  values: Array<{ field: string; name: string; value: string }>,
  managed: boolean,
): Check[] {
  const found = values.flatMap(({ field, name, value }) => {
    const kind = placeholderKind(name, value);
    return kind ? [`${field} is ${kind === "empty" ? "empty" : `a placeholder, ${kind}`}`] : [];
  });
  if (found.length === 0) return [];
  return [
    check(
      "secrets.placeholder",
      "fail",
      where,
      `${found.join("; ")}: the server will be refused by its API.`,
      {
        fix: managed
          ? "Set the real value with `mcp-twin secret set NAME`, then `mcp-twin sync`."
          : "Put the real value in the entry (or move the server into the manifest with ${secret:NAME}).",
      },
    ),
  ];
}

export function isSecretName(name: string): boolean {
  return SECRETISH.test(name);
}
