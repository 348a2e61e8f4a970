/**
 * Before sync writes a value into a user-level client config: every `${secret:…}` / `${env:…}`
 * resolves (an own property of the secrets file or the environment, never a prototype member), no
 * resolved value and no literal key is a placeholder, and no value fails the catalogue's format
 * check for its name (unless the user accepted it with `secret set --force`). Each problem is an
 * exit-2 error naming the server and the variable, never the value. Pure.
 *
 * A `${secret:…}` in `args` ends up in a process's argv, which every local user can read (`ps`):
 * that is a warning with the env alternative (some servers take a key only as a flag).
 */
import { UsageError } from "./errors.js";
import type { ServerSpec } from "./manifest/schema.js";
import { own } from "./own.js";
import { notAKey, type SecretFormat } from "./placeholders.js";

const REFERENCE = /\$\{(secret|env):([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface ReferenceContext {
  secrets: Readonly<Record<string, string>>;
  /** Stored secrets whose value the user accepted despite its format (`secret set --force`). */
  accepted: ReadonlySet<string>;
  env: Readonly<Record<string, string | undefined>>;
  /** The catalogue's format checks by secret name; absent: only placeholders are looked for. */
  formats?: ReadonlyMap<string, readonly SecretFormat[]>;
}

export interface ReferenceWarning {
  code: "secret-in-args";
  server: string;
  message: string;
}

/** The strings of a server (and its overrides) with the field each sits in. */
function fields(spec: ServerSpec): Array<{ field: string; value: string }> {
  const out: Array<{ field: string; value: string }> = [];
  const add = (prefix: string, s: Partial<ServerSpec>) => {
    if (s.url !== undefined) out.push({ field: `${prefix}url`, value: s.url });
    if (s.command !== undefined) out.push({ field: `${prefix}command`, value: s.command });
    for (const [i, a] of (s.args ?? []).entries()) out.push({ field: `${prefix}args[${i}]`, value: a });
    for (const [k, v] of Object.entries(s.env ?? {})) out.push({ field: `${prefix}env.${k}`, value: v });
    for (const [k, v] of Object.entries(s.headers ?? {}))
      out.push({ field: `${prefix}headers.${k}`, value: v });
  };
  add("", spec);
  for (const [sel, o] of Object.entries(spec.overrides ?? {})) add(`overrides.${sel}.`, o);
  return out;
}

export function referenceProblems(
  servers: ReadonlyArray<readonly [string, ServerSpec]>,
  ctx: ReferenceContext,
): { errors: UsageError[]; warnings: ReferenceWarning[] } {
  const errors = new Map<string, UsageError>();
  const warnings = new Map<string, ReferenceWarning>();
  const fail = (message: string, hint: string) =>
    errors.set(message, new UsageError(codeOf(message), message, { hint }));
  for (const [name, spec] of servers) {
    for (const { field, value } of fields(spec)) {
      const refs = [...value.matchAll(REFERENCE)];
      for (const m of refs) {
        const kind = m[1] as "secret" | "env";
        const variable = m[2]!;
        const stored = kind === "secret" ? own(ctx.secrets, variable) : undefined;
        const resolved = stored ?? own(ctx.env, variable);
        const what = kind === "secret" && stored !== undefined ? "secret" : "environment variable";
        if (resolved === undefined || resolved === "") {
          fail(
            `servers.${name}: ${kind === "secret" ? "secret" : "environment variable"} ${variable} is not set.`,
            kind === "secret"
              ? `Run \`mcp-twin secret set ${variable}\` (or export ${variable}).`
              : `Export ${variable} before running mcp-twin.`,
          );
          continue;
        }
        if (kind === "secret" && /(^|\.)args\[/.test(field))
          warnings.set(`${name}|${variable}`, {
            code: "secret-in-args",
            server: name,
            message: `servers.${name}: secret ${variable} goes into ${field}, so anyone on this machine can read it in the process list (ps). If the server reads it from its environment, move it to "env": { "${variable}": "\${secret:${variable}}" }.`,
          });
        const formats =
          stored !== undefined && ctx.accepted.has(variable) ? [] : (ctx.formats?.get(variable) ?? []);
        const problem = notAKey(variable, resolved, formats);
        if (!problem || problem.kind === "empty") continue;
        fail(
          `servers.${name}: ${what} ${variable} is ${problem.reason}.`,
          what === "secret"
            ? problem.kind === "format"
              ? `Set the real key with \`mcp-twin secret set ${variable}\`; if this one is right (a key of a new format), store it with \`mcp-twin secret set ${variable} --force\`.`
              : `Set the real key: \`mcp-twin secret set ${variable}\` (a placeholder is never written into a client config).`
            : `Export the real key as ${variable}, or store it: \`mcp-twin secret set ${variable}\`.`,
        );
      }
      // A key written into the manifest as is: a placeholder there is refused too.
      const literal = /^(env|headers)\.(.+)$/.exec(field.replace(/^overrides\.[^.]+\./, ""));
      if (refs.length === 0 && literal) {
        const problem = notAKey(literal[2]!, value);
        if (problem?.kind === "placeholder")
          fail(
            `servers.${name}: ${field} is ${problem.reason}.`,
            `Store the real key (\`mcp-twin secret set NAME\`) and write "\${secret:NAME}" in ${field} instead.`,
          );
      }
    }
  }
  return { errors: [...errors.values()], warnings: [...warnings.values()] };
}

function codeOf(message: string): string {
  return / is not set\.$/.test(message) ? "unresolved-reference" : "not-a-key";
}
