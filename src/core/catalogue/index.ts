/**
 * The catalogue: the templates shipped in the package's `templates/` folder plus any the user drops
 * in `<home>/templates/` (one file per server; a file of the same name overrides a shipped one).
 * Loading never throws for a bad file: it is reported (file:line:column) and skipped.
 */
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { getNodeValue, type ParseError, parseTree } from "jsonc-parser";
import { lineColumnAt, UsageError } from "../errors.js";
import { issueWords, valueAt } from "../manifest/issue-words.js";
import { unreservedName } from "../manifest/reserved-names.js";
import { type ServerSpec, serverSchema } from "../manifest/schema.js";
import { referencedNames } from "../manifest/spec.js";
import { own } from "../plain-records.js";
import { notAKey, type SecretFormat } from "../secrets/placeholders.js";
import { foldersElsewhere, type Places, spelledHere } from "./folder-places.js";
import {
  type SecretAsk,
  type ServerTemplate,
  type Template,
  type TemplateInput,
  templateSchema,
} from "./schema.js";
import { templateFiles } from "./template-files.js";

export type { SecretAsk, ServerTemplate, Template, TemplateInput } from "./schema.js";

interface CatalogueProblem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

export interface Catalogue {
  templates: Template[];
  problems: CatalogueProblem[];
}

export function loadCatalogue(options: { homeDir?: string; builtinDir?: string } = {}): Catalogue {
  const byName = new Map<string, Template>();
  const problems: CatalogueProblem[] = [];
  for (const file of templateFiles(options.homeDir, options.builtinDir)) {
    const loaded = loadTemplateFile(file);
    if ("problem" in loaded) problems.push(loaded.problem);
    else byName.set(loaded.template.name, loaded.template);
  }
  return { templates: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)), problems };
}

function loadTemplateFile(file: string): { template: Template } | { problem: CatalogueProblem } {
  const text = readFileSync(file, "utf8");
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true });
  if (errors[0] || !root) {
    const at = lineColumnAt(text, errors[0]?.offset ?? 0);
    return { problem: { file, ...at, message: "not valid JSON(C)" } };
  }
  const value = getNodeValue(root);
  const result = templateSchema.safeParse(value);
  if (!result.success) {
    const [issue] = result.error.issues;
    const words = issue ? issueWords(issue, valueAt(value, issue.path)) : "invalid";
    return { problem: { file, message: `${issue?.path.join(".") || "(top level)"}: ${words}` } };
  }
  return { template: result.data };
}

/**
 * The catalogue entry an MCP Registry name most likely is, if one: `io.github.<owner>/<name>` is
 * a GitHub owner's server, so an entry whose homepage is that owner's repository of the same name
 * (`io.github.github/github-mcp-server` → github), or of that owner with the entry's name among the
 * words of the server's (`io.github.tavily-ai/tavily-search` → tavily); any other namespace, an
 * entry named like the server's last word group. For an error that can then point at it (the
 * catalogue works offline).
 */
export function catalogueMatch(registryName: string, templates: readonly Template[]): Template | undefined {
  const [namespace = "", server = ""] = registryName.toLowerCase().split("/");
  const words = server.split(/[-_.]+/).filter(Boolean);
  const hasWords = (name: string) => {
    const want = name.toLowerCase().split(/[-_.]+/);
    return words.some((_, i) => want.every((w, j) => words[i + j] === w));
  };
  const owner = namespace.startsWith("io.github.") ? namespace.slice("io.github.".length) : undefined;
  const repoOf = (t: Template) => /^https:\/\/github\.com\/([^/]+)\/([^/#?]+)/i.exec(t.homepage ?? "");
  if (owner) {
    const same = templates.filter((t) => repoOf(t)?.[1]?.toLowerCase() === owner);
    return same.find((t) => repoOf(t)?.[2]?.toLowerCase() === server) ?? same.find((t) => hasWords(t.name));
  }
  return templates.find((t) => t.name === server);
}

/** Templates matching a query in name, title, description or category (all when empty). */
export function searchTemplates(templates: readonly Template[], query: string): Template[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return templates.filter((t) => {
    const text = [t.name, t.title, t.description, ...t.categories].join(" ").toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/**
 * Why an input answer is not acceptable, or undefined when it is. A folder is looked for where
 * this process runs (`places`: a Windows path typed inside WSL, through its `/mnt/…` form).
 */
export function checkInput(
  spec: TemplateInput,
  value: string,
  homedir: string,
  places?: Places,
): string | undefined {
  if (!value) return spec.optional ? undefined : "an answer is needed";
  if (spec.type === "folder") {
    const folder = expandHome(value, homedir);
    try {
      if (!statSync(spelledHere(folder, places)).isDirectory()) return `${folder} is not a folder`;
    } catch {
      return `${folder} does not exist`;
    }
    return undefined;
  }
  if (spec.type === "url") {
    try {
      const u = new URL(value);
      if (!/^https?:$/.test(u.protocol)) return "use an http(s) URL";
    } catch {
      return "not a URL";
    }
    return undefined;
  }
  if (spec.pattern && !new RegExp(spec.pattern).test(value))
    return `does not look right (expected ${spec.pattern})`;
  return undefined;
}

/** Why a secret value is not acceptable (the one rule of core/secrets/placeholders.ts; never echoing it), or undefined. */
export function checkSecret(
  spec: SecretAsk,
  value: string,
  catalogue: readonly SecretFormat[] = [],
): string | undefined {
  if (!value) return spec.optional ? undefined : "a value is needed";
  // The catalogue's formats for this name too: what `secret set` refuses, a flag or a prompt refuses.
  const found = notAKey(spec.name, value, [spec, ...catalogue]);
  if (!found) return undefined;
  if (found.kind === "placeholder") return "looks like a placeholder, not a real key";
  if (found.kind === "empty") return "a value is needed";
  const example = spec.example ?? catalogue.find((f) => f.example)?.example;
  return `does not look like a ${spec.name}${example ? ` (${example})` : ""}`;
}

function expandHome(value: string, homedir: string): string {
  return value === "~" ? homedir : value.startsWith("~/") ? path.join(homedir, value.slice(2)) : value;
}

export interface Instantiated {
  name: string;
  /** Set when the template's name is reserved and the server got another: says so. */
  renamed?: string;
  server: ServerSpec;
  /** Secrets the entry refers to (optional ones left out are not listed). */
  secrets: SecretAsk[];
}

/**
 * A manifest server from a template: placeholders filled with the answers, optional secrets that
 * were not given dropped (with whatever refers to them). Validated against the manifest schema.
 * A folder is spelled as this environment spells it, and for each other one in `places` that
 * spells it otherwise, in that one's overrides.
 */
export function instantiate(
  template: ServerTemplate,
  answers: { name?: string; inputs?: Record<string, string>; withoutSecrets?: readonly string[] },
  homedir: string,
  places?: Places,
): Instantiated {
  // A name the user gave is theirs to get right (add checks it); the template's comes from a
  // registry or a file, so a reserved one is changed, and said.
  const { name, renamed } =
    answers.name !== undefined ? { name: answers.name, renamed: undefined } : unreservedName(template.name);
  const folders = new Set<string>();
  const fill = (s: string) =>
    s.replace(/\$\{input:([A-Za-z0-9_]+)\}/g, (_, key: string) => {
      const spec = own(template.inputs, key);
      const value = own(answers.inputs, key) ?? spec?.default ?? "";
      if (spec?.type !== "folder") return value;
      const folder = spelledHere(expandHome(value, homedir), places);
      folders.add(folder);
      return folder;
    });
  const dropped = new Set(
    (answers.withoutSecrets ?? []).filter((n) => template.secrets?.find((s) => s.name === n)?.optional),
  );
  const keep = (v: string) => !referencedNames(v).some((r) => r.kind === "secret" && dropped.has(r.name));
  const mapValues = (m: Record<string, string> | undefined) => {
    if (!m) return undefined;
    const out = Object.fromEntries(
      Object.entries(m)
        .filter(([, v]) => keep(v))
        .map(([k, v]) => [k, fill(v)]),
    );
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const s = template.server;
  const draft: Record<string, unknown> = {
    ...(s.package ? { package: s.package } : {}),
    ...(s.bin ? { bin: s.bin } : {}),
    ...(s.command ? { command: s.command } : {}),
    ...(s.url ? { url: fill(s.url) } : {}),
    ...(s.transport ? { transport: s.transport } : {}),
    ...(s.args
      ? {
          args: s.args
            .filter(keep)
            .map(fill)
            .filter((a) => a !== ""),
        }
      : {}),
    ...(mapValues(s.env) ? { env: mapValues(s.env) } : {}),
    ...(mapValues(s.headers) ? { headers: mapValues(s.headers) } : {}),
    ...(s.environments ? { environments: s.environments } : {}),
    ...(s.clients ? { clients: s.clients } : {}),
    ...(template.share ? { share: template.share.mode } : {}),
  };
  const overrides = foldersElsewhere(
    (draft.args as string[] | undefined) ?? [],
    folders,
    places,
    s.environments,
  );
  if (Object.keys(overrides).length > 0) draft.overrides = overrides;
  const result = serverSchema.safeParse(draft);
  if (!result.success) {
    const [issue] = result.error.issues;
    throw new UsageError(
      "template-invalid",
      `The ${template.name} template gave an invalid server: ${issue?.path.join(".")}: ${issue?.message}.`,
      {
        hint: "Check the answers given for its inputs.",
      },
    );
  }
  return {
    name,
    ...(renamed ? { renamed } : {}),
    server: result.data,
    secrets: (template.secrets ?? []).filter((sec) => !dropped.has(sec.name)),
  };
}
