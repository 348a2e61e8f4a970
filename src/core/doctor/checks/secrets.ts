/**
 * Secrets (pure): the secrets file, references that resolve, and values that are placeholders
 * copied from a README (`your-key-here`, `<YOUR_KEY>`, `YOUR_TAVILY_API_KEY`, `xxxx`, empty).
 * Messages name variables, never values.
 */
import { privacyNote } from "../../manifest/secrets-file.js";
import { specFields } from "../../manifest/spec.js";
import { type NotAKey, notAKey, type SecretFormat } from "../../secrets/placeholders.js";
import { valueFindings } from "../../secrets/references.js";
import { defineCheck } from "../check-def.js";
import type { EntryFacts, ServerFacts } from "../facts.js";
import { count, docFix } from "../finding-words.js";
import { placesList } from "../places.js";
import { type Finding, finding, type Place } from "../types.js";

/**
 * Why a value is not a real key (the shared rule of core/secrets/placeholders.ts), or undefined: "empty",
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

interface ServerSecrets {
  missing: string[];
  placeholders: string[];
  /** References filled into a url or header whose value is not one line. */
  multiline: string[];
  /** What to do for each placeholder: `secret set` the secret, export the variable, move a literal out. */
  toDo: string[];
  refs: number;
  inArgs: Array<{ name: string; field: string }>;
}

/**
 * A manifest server's references and literal values, read once for the checks below. The findings
 * are sync's own (references.ts): doctor fails what sync would refuse to write.
 */
function serverSecrets(f: ServerFacts): ServerSecrets {
  const missing = new Set<string>();
  const placeholders: string[] = [];
  const multiline: string[] = [];
  const toDo = new Set<string>();
  const inArgs: Array<{ name: string; field: string }> = [];
  for (const v of valueFindings(f.spec, {
    secrets: f.secrets,
    env: f.env,
    accepted: f.accepted,
    formats: f.formats,
  })) {
    if (v.kind === "unset")
      missing.add(`${v.ref.kind === "secret" ? "secret" : "environment variable"} ${v.ref.name}`);
    else if (v.kind === "not-a-key") {
      placeholders.push(
        `${v.ref.kind === "secret" ? "secret" : "variable"} ${v.ref.name} (${v.field.path}) ${isWhat(kindOf(v.problem))}`,
      );
      toDo.add(
        v.ref.kind === "secret" ? `\`mcp-twin secret set ${v.ref.name}\`` : `export the real ${v.ref.name}`,
      );
    } else if (v.kind === "literal") {
      placeholders.push(`${v.field.path} ${isWhat(kindOf(v.problem))}`);
      toDo.add(
        `store the key with \`mcp-twin secret set NAME\` and write \${secret:NAME} in ${v.field.path}`,
      );
    } else if (v.kind === "not-one-line") {
      multiline.push(
        `${v.ref.kind === "secret" ? "secret" : "variable"} ${v.ref.name} (${v.field.path}) holds a line break`,
      );
      toDo.add(
        v.ref.kind === "secret"
          ? `\`mcp-twin secret set ${v.ref.name}\``
          : `export ${v.ref.name} on one line`,
      );
    } else if (v.kind === "secret-in-args") inArgs.push({ name: v.ref.name, field: v.field.path });
  }
  const refs = specFields(f.spec).reduce((n, field) => n + field.references.length, 0);
  return { missing: [...missing], placeholders, multiline, toDo: [...toDo], refs, inArgs };
}

/** placeholderKind's words for a finding's problem. */
function kindOf(problem: NotAKey): string {
  return problem.kind === "empty"
    ? "empty"
    : problem.kind === "placeholder"
      ? `"${problem.shown}"`
      : problem.reason;
}

/** A manifest server's placeholder finding, before the entries that carry the same cause join it. */
function serverPlaceholder(f: ServerFacts): Finding | undefined {
  const { placeholders, multiline, toDo } = serverSecrets(f);
  if (placeholders.length === 0 && multiline.length === 0) return undefined;
  const said = [
    ...(placeholders.length > 0 ? [`${placeholders.join("; ")}: the server will be refused by its API`] : []),
    ...(multiline.length > 0
      ? [`${multiline.join("; ")}: a url or header value is one line, so sync will not write it`]
      : []),
  ];
  return finding("fail", { server: f.name }, `${said.join("; ")}.`, {
    fix: `${placeholders.length > 0 ? "Set the real key" : "Store it again on one line"}: ${toDo.join("; ")}; then \`mcp-twin sync\`.`,
  });
}

/** A client entry's env and headers that are placeholders, and the secret names to set. */
function entryPlaceholders(e: EntryFacts): { found: string[]; names: string[] } {
  const names = new Set<string>();
  const found = (e.values ?? []).flatMap(({ field, name, value }) => {
    const kind = placeholderKind(name, value);
    if (kind && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) names.add(`\`mcp-twin secret set ${name}\``);
    return kind ? [`${field} ${isWhat(kind)}`] : [];
  });
  return { found, names: [...names] };
}

/** The client configs of these entries: where one cause applies. */
function places(entries: readonly EntryFacts[]): Place[] {
  return entries.map((e) => ({
    env: e.env,
    client: e.client,
    ...(e.scope === "user" ? {} : { scope: e.scope }),
  }));
}

const SECRETS_FILE_FIX =
  "fix it at that position (keep a copy: it holds your keys), or move it aside (`mv secrets.json secrets.json.broken`) and `mcp-twin secret set NAME` for each key; `chmod 600`.";

export const secretsChecks = [
  defineCheck({
    id: "secrets.file",
    scope: "machine",
    doc: "the secrets file does not parse, or an entry is not a valid name with a string value (file:line:column, never the value), or it is readable by others (its mode, where modes mean something: a home on a Windows drive is protected by the Windows profile's ACL instead, and its mode bits are not judged). Until it is fixed every command that reads it stops with exit 2 and changes nothing.",
    fix: SECRETS_FILE_FIX,
    run: ({ secretsFile: f }, show) => {
      if (!f) return [];
      // The fix's `mv` is typed in this shell: its paths stay as this process opens them.
      if (f.error)
        return [
          finding("fail", {}, show.text(f.error.message), { fix: f.error.fix ?? docFix(SECRETS_FILE_FIX) }),
        ];
      const where = f.where;
      if (where?.kind === "keychain")
        return [
          finding(
            "pass",
            {},
            `${count(Object.keys(f.secrets).length, "secret")} kept in ${where.label ?? "the OS keychain"}; ${show.path(f.file)} holds none.`,
          ),
        ];
      // Said where a key is set, by `secret list` and here: why the file, not the keychain.
      const why = where?.why
        ? [
            finding(
              "pass",
              {},
              `No OS keychain is used: ${show.text(where.why)}; keys are kept in ${show.path(f.file)}.`,
            ),
          ]
        : [];
      if (!f.exists) return [finding("pass", {}, "no secrets file (no secret set yet)."), ...why];
      if (f.mode !== undefined && (f.mode & 0o077) !== 0)
        return [
          // Modes are known for Linux files only (not on a Windows drive): chmod takes the path as is.
          finding(
            "warn",
            {},
            `${show.path(f.file)} is readable by others (mode ${(f.mode & 0o777).toString(8)}).`,
            {
              fix: `Run \`chmod 600 ${f.file}\`.`,
            },
          ),
        ];
      const holds = `${show.path(f.file)} holds ${count(Object.keys(f.secrets).length, "secret")}`;
      // On a Windows drive mode bits mean nothing (DrvFs shows 0777): the ACL protects it, and
      // doctor neither warns about a mode nor claims one.
      return [
        finding(
          "pass",
          {},
          f.privacy === "profile" || f.privacy === "drive"
            ? `${holds}; it is ${privacyNote(f.privacy)}${f.privacy === "profile" ? " (mode bits mean nothing on the Windows drive)" : ""}.`
            : `${holds} and is private (mode 600).`,
        ),
        ...why,
      ];
    },
  }),
  defineCheck({
    id: "secrets.resolved",
    scope: "manifest-server",
    doc: "a server's `${secret:NAME}` / `${env:NAME}` is not set.",
    fix: "`mcp-twin secret set NAME` / `export NAME`.",
    run: (f) => {
      const { missing, refs } = serverSecrets(f);
      const where = { server: f.name };
      if (missing.length > 0)
        return [
          finding("fail", where, `${missing.join(", ")} ${missing.length > 1 ? "are" : "is"} not set.`, {
            fix: missing
              .map((m) =>
                m.startsWith("secret ")
                  ? `mcp-twin secret set ${m.slice(7)}`
                  : `export ${m.split(" ").pop()}`,
              )
              .join("; "),
          }),
        ];
      return refs > 0 ? [finding("pass", where, "every secret and variable it references is set.")] : [];
    },
  }),
  defineCheck({
    id: "secrets.placeholder",
    scope: "machine",
    doc: "a key is a placeholder: `your-key-here`, `<YOUR_KEY>`, `YOUR_*_API_KEY`, `xxx…`, `tvly-xxxx…`, `tvly-YOUR_API_KEY`, `changeme`, empty — or fails the catalogue's format check for its name (never shown then: it may be a real key) — in the manifest, the secrets file or a client entry's env/headers; or a secret filled into a url or header holds a line break. One cause is one finding: a key several clients carry is reported once, with where it applies. sync refuses to write such a value (exit 2).",
    fix: "the exact `mcp-twin secret set NAME` for each key named, then `mcp-twin sync` (a key of a new format that fails the check: `mcp-twin secret set NAME --force`).",
    run: (facts) => {
      const out: Finding[] = [];
      const byServer = new Map<string, Finding>();
      for (const s of facts.servers) {
        const f = serverPlaceholder(s);
        if (f) byServer.set(s.name, f);
      }
      // Entries that carry the same placeholder (the same server, the same fields, the same kind)
      // are one cause: one finding, listing the clients it applies to.
      const groups = new Map<string, { entries: EntryFacts[]; found: string[]; names: string[] }>();
      for (const e of facts.entries) {
        const { found, names } = entryPlaceholders(e);
        if (found.length === 0) continue;
        const key = JSON.stringify([e.server, e.managed, found]);
        const g = groups.get(key) ?? { entries: [], found, names };
        g.entries.push(e);
        groups.set(key, g);
      }
      const joined = new Map<string, EntryFacts[]>();
      for (const g of groups.values()) {
        const [first] = g.entries;
        if (!first) continue;
        // A managed entry got its value from the manifest: the manifest's finding is the cause.
        if (first.managed && byServer.has(first.server)) {
          joined.set(first.server, [...(joined.get(first.server) ?? []), ...g.entries]);
          continue;
        }
        const single = g.entries.length === 1;
        const envs = new Set(g.entries.map((e) => e.env));
        // Several entries: one finding that names them (group.ts's form: no client, the places).
        out.push({
          ...finding(
            "fail",
            single
              ? { env: first.env, client: first.client, server: first.server, scope: first.scope }
              : { ...(envs.size === 1 ? { env: first.env } : {}), server: first.server },
            `${g.found.join("; ")}: the server will be refused by its API.`,
            {
              fix: first.managed
                ? `Set the real key the manifest refers to for it (${g.names.join(", ") || "`mcp-twin secret set NAME`"}), then \`mcp-twin sync\`.`
                : `Put the real value in ${single ? "the entry" : "each of these entries"} (or move the server into the manifest with \${secret:NAME}: one key for every client).`,
            },
          ),
          ...(single ? {} : { places: places(g.entries) }),
        });
      }
      const servers = [...byServer].map(([server, f]) => {
        const also = joined.get(server);
        return also
          ? { ...f, message: `${f.message} Its entries carry it too: ${placesList(places(also))}.` }
          : f;
      });
      return [...servers, ...out];
    },
  }),
  defineCheck({
    id: "secrets.args",
    scope: "manifest-server",
    doc: "a server's `args` hold `${secret:NAME}`: the key is in the process's command line, which every local user can read (`ps`). A warning: some servers take a key only as a flag.",
    fix: 'move it into `env` when the server reads it from there (`"env": { "NAME": "${secret:NAME}" }`).',
    run: (f) => {
      const { inArgs } = serverSecrets(f);
      if (inArgs.length === 0) return [];
      return [
        finding(
          "warn",
          { server: f.name },
          `${inArgs.map((r) => `secret ${r.name} goes into ${r.field}`).join("; ")}: anyone on this machine can read it in the process list (ps).`,
          {
            fix: `If the server reads it from its environment, move it there: ${inArgs.map((r) => `"env": { "${r.name}": "\${secret:${r.name}}" }`).join(", ")}.`,
          },
        ),
      ];
    },
  }),
] as const;
