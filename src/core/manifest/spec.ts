/**
 * A manifest server, from its spec to what runs, in one place (pure): sync's entries, the reference
 * checks of sync and doctor, `secret list`, the trust prompt and `serve --share` all read a server
 * through here.
 */
import { envMatches } from "../environments/env-selector.js";
import { own } from "../plain-records.js";
import type { ServerOverride, ServerSpec } from "./schema.js";

const REFERENCE = /\$\{(secret|env):([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface Reference {
  kind: "secret" | "env";
  name: string;
}

/**
 * The references in a string, in order. Read with `exec`, not `matchAll` (which copies the pattern
 * on each call): every field of every server is read here, several times a run.
 */
export function referencedNames(input: string): Reference[] {
  if (!input.includes("${")) return [];
  const out: Reference[] = [];
  REFERENCE.lastIndex = 0;
  for (let m = REFERENCE.exec(input); m; m = REFERENCE.exec(input))
    out.push({ kind: m[1] as Reference["kind"], name: m[2] ?? "" });
  return out;
}

export interface Lookup {
  secrets: Readonly<Record<string, string>>;
  env: Readonly<Record<string, string | undefined>>;
}

/** A reference's value and where it came from; undefined (or "") when it is not set. */
export function lookupReference(
  ref: Reference,
  ctx: Lookup,
): { value: string; from: "secret" | "env" } | undefined {
  const stored = ref.kind === "secret" ? own(ctx.secrets, ref.name) : undefined;
  if (stored !== undefined) return { value: stored, from: "secret" };
  const exported = own(ctx.env, ref.name);
  return exported === undefined ? undefined : { value: exported, from: "env" };
}

export interface ResolveContext extends Lookup {
  /** Project scope: write references in the client's syntax instead of values. */
  referenceStyle?: (name: string) => string;
}

export interface Resolved {
  text: string;
  /** Secret values that went into `text` (to be masked in anything shown). */
  secretValues: string[];
  /** Variables a project-scope reference needs the user to set. */
  references: string[];
  missing: Reference[];
}

/**
 * Resolving a reference: an own property of the secrets, else of the environment (`${secret:X}`
 * falls back to an exported X), never a prototype member; user-level targets get values, project
 * targets (committed with the code) the client's own reference syntax instead.
 */
export function resolveString(input: string, ctx: ResolveContext): Resolved {
  const out: Resolved = { text: "", secretValues: [], references: [], missing: [] };
  out.text = input.replace(REFERENCE, (whole, kind: Reference["kind"], name: string) => {
    if (ctx.referenceStyle) {
      out.references.push(name);
      return ctx.referenceStyle(name);
    }
    const found = lookupReference({ kind, name }, ctx);
    if (found === undefined || found.value === "") {
      out.missing.push({ kind, name });
      return whole;
    }
    if (kind === "secret") out.secretValues.push(found.value);
    return found.value;
  });
  return out;
}

/**
 * The override for an environment: every override whose selector matches, field by field the most
 * specific one's (`wsl:Ubuntu`'s env replaces `wsl`'s env; `wsl`'s args stay when `wsl:Ubuntu`
 * sets none).
 */
export function overrideFor(server: ServerSpec, envId: string): ServerOverride {
  const matches = Object.entries(server.overrides ?? {})
    .filter(([selector]) => envMatches(selector, envId))
    .sort(([a], [b]) => a.length - b.length);
  return Object.assign({}, ...matches.map(([, o]) => o)) as ServerOverride;
}

/** A server as it runs in one environment: its overrides applied (references not yet resolved). */
export interface ServerIn {
  url?: string;
  headers: Record<string, string>;
  command?: string;
  args: string[];
  env: Record<string, string>;
}

/**
 * `args` and `command` and `url` are replaced by an override's; `env` and `headers` merged.
 *
 * Which override applies in an environment: of those whose selector matches, the most specific sets
 * each field (`wsl:Ubuntu` beats `wsl`).
 */
export function serverIn(server: ServerSpec, envId: string): ServerIn {
  return merge(server, overrideFor(server, envId));
}

function merge(server: ServerSpec, over: ServerOverride): ServerIn {
  const url = over.url ?? server.url;
  const command = over.command ?? server.command;
  return {
    ...(url !== undefined ? { url } : {}),
    headers: { ...server.headers, ...over.headers },
    ...(command !== undefined ? { command } : {}),
    args: over.args ?? server.args ?? [],
    env: { ...server.env, ...over.env },
  };
}

/**
 * What a server may run, one line per form: its own, and each override's as that override
 * leaves it (an override of `args` alone runs the server's command with those args).
 */
export function serverForms(server: ServerSpec): ServerIn[] {
  return [merge(server, {}), ...Object.values(server.overrides ?? {}).map((o) => merge(server, o))];
}

/** One string of a server: which part it is, the key or position, the override it sits in. */
export interface SpecField {
  /** As the user finds it in the manifest: `env.API_KEY`, `overrides.wsl:Ubuntu-22.04.args[1]`. */
  path: string;
  part: "url" | "command" | "args" | "env" | "headers";
  /** The variable or header name (env, headers). */
  key?: string;
  /** The override's selector, when it sits in one. */
  override?: string;
  value: string;
  references: Reference[];
}

/** Every string of a server and of each of its overrides, in manifest order. */
export function specFields(server: ServerSpec): SpecField[] {
  const out: SpecField[] = [];
  const add = (s: Partial<ServerOverride>, override?: string) => {
    const prefix = override === undefined ? "" : `overrides.${override}.`;
    const push = (path: string, part: SpecField["part"], value: string, key?: string) =>
      out.push({
        path: `${prefix}${path}`,
        part,
        ...(key !== undefined ? { key } : {}),
        ...(override !== undefined ? { override } : {}),
        value,
        references: referencedNames(value),
      });
    if (s.url !== undefined) push("url", "url", s.url);
    if (s.command !== undefined) push("command", "command", s.command);
    for (const [i, a] of (s.args ?? []).entries()) push(`args[${i}]`, "args", a);
    for (const [k, v] of Object.entries(s.env ?? {})) push(`env.${k}`, "env", v, k);
    for (const [k, v] of Object.entries(s.headers ?? {})) push(`headers.${k}`, "headers", v, k);
  };
  add(server);
  for (const [selector, o] of Object.entries(server.overrides ?? {})) add(o, selector);
  return out;
}

/** The names a server references of one kind (in any field or override), each once. */
export function referencesOf(server: ServerSpec, kind: Reference["kind"]): string[] {
  const names = specFields(server).flatMap((f) =>
    f.references.filter((r) => r.kind === kind).map((r) => r.name),
  );
  return [...new Set(names)];
}

/** Secret name → the servers of the manifest that reference it (`secret list` shows who uses each). */
export function secretUsers(servers: Readonly<Record<string, ServerSpec>>): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [server, spec] of Object.entries(servers))
    for (const secret of referencesOf(spec, "secret")) map.set(secret, [...(map.get(secret) ?? []), server]);
  return map;
}
