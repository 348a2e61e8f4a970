/**
 * `${secret:NAME}` and `${env:NAME}` in manifest strings. User-level targets get values; project
 * targets (committed with the code) get the client's own reference syntax instead, never a value.
 */

import { own } from "../own.js";

const REFERENCE = /\$\{(secret|env):([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface ResolveContext {
  secrets: Readonly<Record<string, string>>;
  env: Readonly<Record<string, string | undefined>>;
  /** Project scope: write references in the client's syntax instead of values. */
  referenceStyle?: (name: string) => string;
}

export interface Resolved {
  text: string;
  /** Secret values that went into `text` (to be masked in anything shown). */
  secretValues: string[];
  /** Variables a project-scope reference needs the user to set. */
  references: string[];
  missing: Array<{ kind: "secret" | "env"; name: string }>;
}

export function resolveString(input: string, ctx: ResolveContext): Resolved {
  const out: Resolved = { text: "", secretValues: [], references: [], missing: [] };
  out.text = input.replace(REFERENCE, (whole, kind: "secret" | "env", name: string) => {
    if (ctx.referenceStyle) {
      out.references.push(name);
      return ctx.referenceStyle(name);
    }
    const value = kind === "secret" ? (own(ctx.secrets, name) ?? own(ctx.env, name)) : own(ctx.env, name);
    if (value === undefined || value === "") {
      out.missing.push({ kind, name });
      return whole;
    }
    if (kind === "secret") out.secretValues.push(value);
    return value;
  });
  return out;
}

/** The names referenced by a string, for `init` to know which secrets a server needs. */
export function referencedNames(input: string): Array<{ kind: "secret" | "env"; name: string }> {
  return [...input.matchAll(REFERENCE)].map((m) => ({ kind: m[1] as "secret" | "env", name: m[2]! }));
}

/** Replace every secret value in a text with a mask (core/mask.ts: also credential shapes). */
export { maskText as maskSecrets } from "../mask.js";
