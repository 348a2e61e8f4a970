/**
 * Inline keys out, references in (pure): a recognised entry becomes a portable form, its secret values
 * replaced by `${secret:NAME}` and client references by `${env:VAR}`.
 */
import type { ClientId } from "../manifest/schema.js";
import { dict, own } from "../plain-records.js";
import { isPlaceholder, isSecretName } from "../secrets/placeholders.js";
import type { Recognized } from "./recognize.js";
import {
  convertReferences,
  hasReference,
  hasSecretPrefix,
  looksLikeCredential,
  secretNameFor,
  secretNameOf,
} from "./values.js";

export interface SecretUse {
  /** The name the form refers to (`${secret:NAME}`). */
  name: string;
  /** The value found; undefined for a placeholder. Never print it. */
  value?: string;
  /** The placeholder found instead of a value (safe to show). */
  placeholder?: string;
  /** Where: `env.TAVILY_API_KEY`, `headers.Authorization`, `args[4]`, `url`. */
  field: string;
}

/** What an entry launches, in manifest terms, with secrets replaced by references. */
export interface Form {
  kind: "package" | "command" | "url";
  package?: string;
  /** "" when unpinned. */
  range?: string;
  bin?: string;
  command?: string;
  url?: string;
  /** A url server speaking the older HTTP+SSE transport. */
  transport?: "sse";
  args: string[];
  env: Record<string, string>;
  headers: Record<string, string>;
}

export interface Extracted {
  form: Form;
  secrets: SecretUse[];
  /** Fields with a secret-sounding name and an empty value (kept empty). */
  empty: string[];
  notes: string[];
}

const SCHEME = /^(bearer|basic|token|bot)(\s+)(\S.*)$/i;
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Secret values in env, headers, args (`--api-key X`, `--token=X`, a bare `sk-…`), URL passwords
 * and URL query keys are replaced by `${secret:NAME}`; client references (`${VAR}`, `${env:VAR}`)
 * become `${env:VAR}`. Placeholders (`YOUR_API_KEY`, `<token>`, `xxxx`) become a reference with no
 * value — the user must set it — and empty values stay empty; both are reported, neither is stored.
 */
export function extractSecrets(
  r: Recognized,
  server: string,
  client: ClientId,
): Extracted | { problem: string } {
  const out: Extracted = {
    form: { kind: r.kind, args: [], env: {}, headers: {} },
    secrets: [],
    empty: [],
    notes: [...r.notes],
  };
  let problem: string | undefined;
  const refs = (text: string): string => {
    const c = convertReferences(text, client);
    if ("problem" in c) {
      problem ??= c.problem;
      return text;
    }
    out.notes.push(...c.notes);
    return c.text;
  };
  /** Record a secret (or placeholder) under a name unique within this entry; returns the reference. */
  const secret = (proposed: string, found: string, field: string): string => {
    const scheme = SCHEME.exec(found);
    const core = scheme ? (scheme[3] ?? "") : found;
    const placeholder = isPlaceholder(core);
    let name = proposed;
    for (
      let n = 2;
      out.secrets.some((s) => s.name === name && s.value !== (placeholder ? undefined : core));
      n++
    )
      name = `${proposed}_${n}`;
    if (!out.secrets.some((s) => s.name === name))
      out.secrets.push(placeholder ? { name, placeholder: core, field } : { name, value: core, field });
    return `${scheme ? (scheme[1] ?? "") + (scheme[2] ?? "") : ""}\${secret:${name}}`;
  };
  const isSecretValue = (name: string, v: string) =>
    !hasReference(v) &&
    ((isSecretName(name) && (isPlaceholder(v) || looksLikeCredential(v))) || hasSecretPrefix(v));
  const urlSecrets = (text: string, base: string, field: string): string =>
    text.replace(/([a-z][a-z0-9+.-]*:\/\/)([^:@/\s]*):([^@/\s]+)@/gi, (whole, scheme, user, pass: string) =>
      hasReference(pass) ? whole : `${scheme}${user}:${secret(`${base}_PASSWORD`, pass, field)}@`,
    );
  const map = (values: Record<string, string>, kind: "env" | "headers", nameOf: (k: string) => string) => {
    const result = dict<string>();
    for (const [k, raw] of Object.entries(values)) {
      const field = `${kind}.${k}`;
      let v = urlSecrets(refs(raw), kind === "env" ? secretNameOf(k) : secretNameOf(server), field);
      if (v.trim() === "" && isSecretName(k)) out.empty.push(field);
      else if (isSecretValue(k, v)) v = secret(nameOf(k), v, field);
      result[k] = v;
    }
    return result;
  };

  if (r.kind === "url") {
    if (r.transport) out.form.transport = r.transport;
    out.form.url = querySecrets(urlSecrets(refs(r.url), secretNameOf(server), "url"), (k, v) =>
      isSecretValue(k, v) ? secret(secretNameFor(server, k), v, "url") : v,
    );
    out.form.headers = map(r.headers, "headers", (h) => headerSecretName(server, h));
  } else {
    out.form.env = map(r.env, "env", (k) => (SECRET_NAME.test(k) ? k : secretNameOf(k)));
    const smithery = r.kind === "package" && r.name === "@smithery/cli";
    const flagName = (flag: string) =>
      smithery && /^--?(key|api-?key)$/i.test(flag) ? "SMITHERY_API_KEY" : secretNameFor(server, flag);
    const args = r.args.map(refs);
    for (let i = 0; i < args.length; i++) {
      const a = args[i] ?? "";
      const field = `args[${i}]`;
      const inline = /^(--?[A-Za-z][A-Za-z0-9_-]*)=(.*)$/s.exec(a);
      const [, flag = "", value = ""] = inline ?? [];
      if (inline && isSecretName(flag) && isSecretValue(flag, value)) {
        args[i] = `${flag}=${secret(flagName(flag), value, field)}`;
      } else if (/^--?[A-Za-z][A-Za-z0-9_-]*$/.test(a) && isSecretName(a) && i + 1 < args.length) {
        const next = args[i + 1] ?? "";
        if (next.trim() === "") out.empty.push(`args[${i + 1}]`);
        else if (!next.startsWith("-") && isSecretValue(a, next))
          args[i + 1] = secret(flagName(a), next, `args[${i + 1}]`);
        i++;
      } else if (hasSecretPrefix(a)) {
        args[i] = secret(secretNameFor(server, "api_key"), a, field);
      } else {
        args[i] = urlSecrets(a, secretNameOf(server), field);
      }
    }
    out.form.args = args;
    if (r.kind === "package") {
      out.form.package = r.name;
      out.form.range = r.range;
      if (r.bin) out.form.bin = r.bin;
    } else {
      out.form.command = refs(r.command);
    }
  }
  if (problem) return { problem };
  out.notes = [...new Set(out.notes)];
  return out;
}

/** `Authorization` → `<SERVER>_TOKEN`; `X-API-Key` → `<SERVER>_API_KEY`; `CONTEXT7_API_KEY` as is. */
function headerSecretName(server: string, header: string): string {
  return secretNameFor(server, /^(proxy-)?authorization$/i.test(header) ? "token" : header);
}

/** Replace secret values of query parameters (`?api_key=…`), keeping the rest of the URL as written. */
function querySecrets(url: string, replace: (key: string, value: string) => string): string {
  const q = url.indexOf("?");
  if (q === -1) return url;
  const hash = url.indexOf("#", q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  const rebuilt = query
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      if (eq === -1) return pair;
      const key = pair.slice(0, eq);
      let value = pair.slice(eq + 1);
      try {
        value = decodeURIComponent(value);
      } catch {
        // keep as written
      }
      const next = replace(key, value);
      return next === value ? pair : `${key}=${next}`;
    })
    .join("&");
  return url.slice(0, q + 1) + rebuilt + (hash === -1 ? "" : url.slice(hash));
}

/**
 * One name per distinct value, across every entry imported and the secrets already stored:
 * `proposed` when free (or already holding this value), else `proposed_2`, `_3`, … Returns the
 * final name of each (proposed, value) pair and the values to store.
 *
 * Every distinct value gets its own name, so two different keys under one name never overwrite each
 * other (the second becomes NAME_2).
 */
export function allocateSecrets(
  uses: ReadonlyArray<{ name: string; value: string }>,
  existing: Readonly<Record<string, string>>,
): {
  rename: (name: string, value: string) => string;
  store: Record<string, string>;
  renamed: Array<{ from: string; to: string }>;
} {
  const assigned = new Map<string, string>(); // final name → value
  const chosen = new Map<string, string>(); // proposed \0 value → final name
  const renamed: Array<{ from: string; to: string }> = [];
  for (const { name, value } of uses) {
    const key = `${name}\u0000${value}`;
    if (chosen.has(key)) continue;
    let final = name;
    for (let n = 2; ; n++) {
      const held = assigned.get(final) ?? own(existing, final);
      if (held === undefined || held === value) break;
      final = `${name}_${n}`;
    }
    chosen.set(key, final);
    assigned.set(final, value);
    if (final !== name) renamed.push({ from: name, to: final });
  }
  const store: Record<string, string> = {};
  for (const [final, value] of assigned) if (own(existing, final) !== value) store[final] = value;
  return { rename: (name, value) => chosen.get(`${name}\u0000${value}`) ?? name, store, renamed };
}
