/**
 * The values a server references or holds, judged once for sync and doctor (pure): every reference
 * resolves, and no value is a placeholder, empty, or fails the catalogue's format check for its name.
 */
import { UsageError } from "../errors.js";
import type { ServerSpec } from "../manifest/schema.js";
import {
  type Lookup,
  lookupReference,
  type Reference,
  type SpecField,
  specFields,
} from "../manifest/spec.js";
import { type NotAKey, notAKey, type SecretFormat } from "./placeholders.js";

export interface ReferenceContext extends Lookup {
  /** Stored secrets whose value the user accepted despite its format (`secret set --force`). */
  accepted: ReadonlySet<string>;
  /** The catalogue's format checks by secret name; absent: only placeholders are looked for. */
  formats?: ReadonlyMap<string, readonly SecretFormat[]>;
  /** Stored keys whose values this run has not read (context/lazy-keys.ts): set, their values judged once read. */
  unread?: ReadonlySet<string>;
}

/** What is wrong with the values one server references or holds (sync and doctor word them). */
export type ValueFinding =
  /** A reference that resolves to nothing (or ""). */
  | { kind: "unset"; field: SpecField; ref: Reference }
  /** A reference whose value (a stored secret, or an exported variable) is not a real key. */
  | { kind: "not-a-key"; field: SpecField; ref: Reference; from: "secret" | "env"; problem: NotAKey }
  /** A value written into the manifest as is (env, headers) that is not a real key. */
  | { kind: "literal"; field: SpecField; key: string; problem: NotAKey }
  /** A secret in args: in the process list (ps) of whatever runs it. */
  | { kind: "secret-in-args"; field: SpecField; ref: Reference }
  /** A reference in a url or header whose value holds a line break or another control character. */
  | { kind: "not-one-line"; field: SpecField; ref: Reference; from: "secret" | "env" };

/**
 * A url and a header value are one line: a line break filled in from a secret would end the
 * header and start another, of the secret's choosing (the manifest's own text is checked on load).
 */
const ONE_LINE_PARTS: ReadonlySet<SpecField["part"]> = new Set(["url", "headers"]);
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * The one judgement of a server's values, over every field of it and of each override.
 *
 * Every `${secret:…}` / `${env:…}` resolves (manifest/spec.ts's lookup); no value fails its format
 * unless the user accepted it with `secret set --force`. Before sync writes values into a
 * user-level client config, each problem is an exit-2 error naming the server and the variable,
 * never the value; doctor words the same findings as checks.
 */
export function valueFindings(spec: ServerSpec, ctx: ReferenceContext): ValueFinding[] {
  const out: ValueFinding[] = [];
  for (const field of specFields(spec)) {
    for (const ref of field.references) {
      if (ref.kind === "secret" && field.part === "args") out.push({ kind: "secret-in-args", field, ref });
      if (ref.kind === "secret" && ctx.unread?.has(ref.name)) continue;
      const found = lookupReference(ref, ctx);
      if (found === undefined || found.value === "") {
        out.push({ kind: "unset", field, ref });
        continue;
      }
      if (ONE_LINE_PARTS.has(field.part) && CONTROL.test(found.value))
        out.push({ kind: "not-one-line", field, ref, from: found.from });
      const accepted = found.from === "secret" && ctx.accepted.has(ref.name);
      const problem = notAKey(ref.name, found.value, accepted ? [] : (ctx.formats?.get(ref.name) ?? []));
      if (problem) out.push({ kind: "not-a-key", field, ref, from: found.from, problem });
    }
    if (field.references.length === 0 && field.key !== undefined) {
      const problem = notAKey(field.key, field.value);
      if (problem) out.push({ kind: "literal", field, key: field.key, problem });
    }
  }
  return out;
}

export interface ReferenceWarning {
  code: "secret-in-args";
  server: string;
  message: string;
}

/**
 * sync's reading of the findings: what stops it (exit 2, nothing written) and what it warns of.
 *
 * A `${secret:…}` in `args` ends up in a process's argv, which every local user can read (`ps`):
 * that is a warning with the env alternative (some servers take a key only as a flag).
 */
export function referenceProblems(
  servers: ReadonlyArray<readonly [string, ServerSpec]>,
  ctx: ReferenceContext,
): { errors: UsageError[]; warnings: ReferenceWarning[] } {
  const errors = new Map<string, UsageError>();
  const warnings = new Map<string, ReferenceWarning>();
  const fail = (code: string, message: string, hint: string) =>
    errors.set(message, new UsageError(code, message, { hint }));
  for (const [name, spec] of servers) {
    for (const f of valueFindings(spec, ctx)) {
      if (f.kind === "unset") {
        const variable = f.ref.name;
        fail(
          "unresolved-reference",
          `servers.${name}: ${f.ref.kind === "secret" ? "secret" : "environment variable"} ${variable} is not set.`,
          f.ref.kind === "secret"
            ? `Run \`mcp-twin secret set ${variable}\` (or export ${variable}).`
            : `Export ${variable} before running mcp-twin.`,
        );
      } else if (f.kind === "not-a-key") {
        const variable = f.ref.name;
        const what = f.from === "secret" ? "secret" : "environment variable";
        fail(
          "not-a-key",
          `servers.${name}: ${what} ${variable} is ${f.problem.reason}.`,
          what === "secret"
            ? f.problem.kind === "format"
              ? `Set the real key with \`mcp-twin secret set ${variable}\`; if this one is right (a key of a new format), store it with \`mcp-twin secret set ${variable} --force\`.`
              : `Set the real key: \`mcp-twin secret set ${variable}\` (${f.problem.kind === "empty" ? "an empty key is never written" : "a placeholder is never written"} into a client config).`
            : `Export the real key as ${variable}, or store it: \`mcp-twin secret set ${variable}\`.`,
        );
      } else if (f.kind === "literal") {
        // A key written into the manifest as is: a placeholder there is refused too (an empty
        // value is the user's to write).
        if (f.problem.kind === "placeholder")
          fail(
            "not-a-key",
            `servers.${name}: ${f.field.path} is ${f.problem.reason}.`,
            `Store the real key (\`mcp-twin secret set NAME\`) and write "\${secret:NAME}" in ${f.field.path} instead.`,
          );
      } else if (f.kind === "not-one-line") {
        const variable = f.ref.name;
        const what = f.from === "secret" ? "secret" : "environment variable";
        fail(
          "not-one-line",
          `servers.${name}: ${what} ${variable} holds a line break or another control character, and ${f.field.path} must be one line of text.`,
          what === "secret"
            ? `Store it again on one line: \`mcp-twin secret set ${variable}\`.`
            : `Export ${variable} again on one line.`,
        );
      } else {
        const variable = f.ref.name;
        warnings.set(`${name}|${variable}`, {
          code: "secret-in-args",
          server: name,
          message: `servers.${name}: secret ${variable} goes into ${f.field.path}, so anyone on this machine can read it in the process list (ps). If the server reads it from its environment, move it to "env": { "${variable}": "\${secret:${variable}}" }.`,
        });
      }
    }
  }
  return { errors: [...errors.values()], warnings: [...warnings.values()] };
}
