/**
 * Secrets (pure): the secrets file, references that resolve, and values that are placeholders
 * copied from a README (`your-key-here`, `<YOUR_KEY>`, `YOUR_TAVILY_API_KEY`, `xxxx`, empty).
 * Messages name variables, never values.
 */
import type { ServerSpec } from "../../manifest/schema.js";
import { specFields } from "../../manifest/spec.js";
import { type NotAKey, notAKey, type SecretFormat } from "../../placeholders.js";
import { type ReferenceContext, valueFindings } from "../../references.js";
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
  return found ? kindOf(found) : undefined;
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

/**
 * Manifest servers: every reference resolves; no literal or secret value is a placeholder or fails
 * the catalogue's format check for its name (unless accepted with `secret set --force`). The
 * findings are sync's own (references.ts): doctor fails what sync would refuse to write.
 */
export function checkServerSecrets(name: string, spec: ServerSpec, ctx: ReferenceContext): Check[] {
  const where: Where = { server: name };
  const out: Check[] = [];
  const findings = valueFindings(spec, ctx);
  const missing = new Set<string>();
  const placeholders: string[] = [];
  /** What to do for each: `secret set` the secret, export the variable, move a literal out. */
  const toDo = new Set<string>();
  for (const f of findings) {
    if (f.kind === "unset")
      missing.add(`${f.ref.kind === "secret" ? "secret" : "environment variable"} ${f.ref.name}`);
    else if (f.kind === "not-a-key") {
      placeholders.push(
        `${f.ref.kind === "secret" ? "secret" : "variable"} ${f.ref.name} (${f.field.path}) ${isWhat(kindOf(f.problem))}`,
      );
      toDo.add(
        f.ref.kind === "secret" ? `\`mcp-twin secret set ${f.ref.name}\`` : `export the real ${f.ref.name}`,
      );
    } else if (f.kind === "literal") {
      placeholders.push(`${f.field.path} ${isWhat(kindOf(f.problem))}`);
      toDo.add(
        `store the key with \`mcp-twin secret set NAME\` and write \${secret:NAME} in ${f.field.path}`,
      );
    }
  }
  const inArgs = findings.filter((f) => f.kind === "secret-in-args");
  if (inArgs.length > 0)
    out.push(
      check(
        "secrets.args",
        "warn",
        where,
        `${inArgs.map((f) => `secret ${f.ref.name} goes into ${f.field.path}`).join("; ")}: anyone on this machine can read it in the process list (ps).`,
        {
          fix: `If the server reads it from its environment, move it there: ${inArgs.map((f) => `"env": { "${f.ref.name}": "\${secret:${f.ref.name}}" }`).join(", ")}.`,
        },
      ),
    );
  const unique = [...missing];
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
  else if (specFields(spec).some((f) => f.references.length > 0))
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

/** placeholderKind's words for a finding's problem. */
function kindOf(problem: NotAKey): string {
  return problem.kind === "empty"
    ? "empty"
    : problem.kind === "placeholder"
      ? `"${problem.shown}"`
      : problem.reason;
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
