/**
 * Secrets (pure): the secrets file, references that resolve, and values that are placeholders
 * copied from a README (`your-key-here`, `<YOUR_KEY>`, `YOUR_TAVILY_API_KEY`, `xxxx`, empty).
 * Messages name variables, never values.
 */
import { referencedNames } from "../../manifest/resolve.js";
import type { ServerSpec } from "../../manifest/schema.js";
import { own } from "../../own.js";
import { notAKey, type SecretFormat } from "../../placeholders.js";
import { type Check, check, type Where } from "../types.js";

const SECRETISH = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|AUTH|CREDENTIAL|(^|_)PAT($|_)/i;

/**
 * Why a value is not a real key (the shared rule of core/placeholders.ts), or undefined: "empty",
 * the placeholder in quotes, or the format it fails (never the value then: it may be a real key).
 */
export function placeholderKind(
  name: string,
  value: string,
  formats: readonly SecretFormat[] = [],
): string | undefined {
  const found = notAKey(name, value, formats);
  if (!found) return undefined;
  return found.kind === "empty" ? "empty" : found.kind === "placeholder" ? `"${found.shown}"` : found.reason;
}

/** "is empty", "is a placeholder, "xxx"", "is not in the format of a TAVILY_API_KEY (tvly-dev-…)". */
function isWhat(kind: string): string {
  return kind === "empty" ? "is empty" : kind.startsWith('"') ? `is a placeholder, ${kind}` : `is ${kind}`;
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

/**
 * Manifest servers: every reference resolves; no literal or secret value is a placeholder or fails
 * the catalogue's format check for its name (`formats`: secret name → its checks).
 */
export function checkServerSecrets(
  name: string,
  spec: ServerSpec,
  secrets: Readonly<Record<string, string>>,
  env: Readonly<Record<string, string | undefined>>,
  formats: ReadonlyMap<string, readonly SecretFormat[]> = new Map(),
): Check[] {
  const where: Where = { server: name };
  const out: Check[] = [];
  const missing: string[] = [];
  const placeholders: string[] = [];
  /** What to do for each: `secret set` the secret, export the variable, move a literal out. */
  const toDo = new Set<string>();
  let refs = 0;
  for (const { field, value } of specStrings(spec)) {
    const names = referencedNames(value);
    refs += names.length;
    for (const r of names) {
      const v = r.kind === "secret" ? (own(secrets, r.name) ?? own(env, r.name)) : own(env, r.name);
      if (v === undefined || v === "")
        missing.push(`${r.kind === "secret" ? "secret" : "environment variable"} ${r.name}`);
      else {
        const kind = placeholderKind(r.name, v, formats.get(r.name));
        if (kind) {
          placeholders.push(
            `${r.kind === "secret" ? "secret" : "variable"} ${r.name} (${field}) ${isWhat(kind)}`,
          );
          toDo.add(r.kind === "secret" ? `\`mcp-twin secret set ${r.name}\`` : `export the real ${r.name}`);
        }
      }
    }
    if (names.length === 0) {
      const kind = placeholderKind(field.split(".").pop() ?? field, value);
      if (kind && /(^|\.)(env|headers)\./.test(field)) {
        placeholders.push(`${field} ${isWhat(kind)}`);
        toDo.add(`store the key with \`mcp-twin secret set NAME\` and write \${secret:NAME} in ${field}`);
      }
    }
  }
  const inArgs = specStrings(spec)
    .filter((s) => /(^|\.)args\[/.test(s.field))
    .flatMap((s) =>
      referencedNames(s.value)
        .filter((r) => r.kind === "secret")
        .map((r) => ({ ...r, field: s.field })),
    );
  if (inArgs.length > 0)
    out.push(
      check(
        "secrets.args",
        "warn",
        where,
        `${inArgs.map((r) => `secret ${r.name} goes into ${r.field}`).join("; ")}: anyone on this machine can read it in the process list (ps).`,
        {
          fix: `If the server reads it from its environment, move it there: ${inArgs.map((r) => `"env": { "${r.name}": "\${secret:${r.name}}" }`).join(", ")}.`,
        },
      ),
    );
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
        { fix: `Set the real key: ${[...toDo].join("; ")}; then \`mcp-twin sync\`.` },
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
  const names = new Set<string>();
  const found = values.flatMap(({ field, name, value }) => {
    const kind = placeholderKind(name, value);
    if (kind && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) names.add(`\`mcp-twin secret set ${name}\``);
    return kind ? [`${field} ${isWhat(kind)}`] : [];
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
          ? `Set the real key the manifest refers to for it (${[...names].join(", ") || "`mcp-twin secret set NAME`"}), then \`mcp-twin sync\`.`
          : "Put the real value in the entry (or move the server into the manifest with ${secret:NAME}).",
      },
    ),
  ];
}

export function isSecretName(name: string): boolean {
  return SECRETISH.test(name);
}
