/**
 * From an MCP Registry server.json to what mcp-twin does with it (pure): the way to run it, and a
 * catalogue template, so `--arg`, `--secret` and `--yes` work as for the catalogue.
 */
import type { SecretAsk, ServerTemplate, TemplateInput } from "../catalogue/schema.js";
import { headerNameProblem, headerValueProblem, urlProblem } from "../manifest/remote-checks.js";
import { dict, own } from "../plain-records.js";
import { escapeRegExp } from "../text/escape-regexp.js";
import type {
  RegistryArgument,
  RegistryEntry,
  RegistryInput,
  RegistryKeyValue,
  RegistryPackage,
  RegistryRemote,
  RegistryServer,
} from "./schema.js";

export type Way = "npm" | "remote" | "pypi" | "oci";
const WAYS: readonly Way[] = ["npm", "remote", "pypi", "oci"];

/** One way to run a server: a package (npm, PyPI, OCI), or a remote. */
export type Usable =
  | { way: Exclude<Way, "remote">; pkg: RegistryPackage; remote?: undefined }
  | { way: "remote"; remote: RegistryRemote; pkg?: undefined };

interface Unusable {
  /** e.g. "nuget Knapcode.SampleMcpServer@0.5.0", "sse remote https://…" */
  what: string;
  why: string;
  /** The command (or step) that would run it. */
  run: string;
}

export interface Ways {
  usable: Usable[];
  unusable: Unusable[];
}

const isStdio = (pkg: RegistryPackage) => (pkg.transport?.type ?? "stdio") === "stdio";

/**
 * The ways to run a server, the ones mcp-twin can use first (in its order of preference).
 *
 * A server may offer several ways to run; mcp-twin takes, in this order:
 * 1. an npm package speaking stdio: installed by sync in every environment, pinned to the
 *    registry's version, run as `node <bin script>` — exactly like a catalogue server;
 * 2. a remote: a URL entry (a `connect` relay where a client speaks only stdio, or cannot write
 *    an SSE entry), Streamable HTTP before SSE;
 * 3. a PyPI package: an entry that runs `uvx <package>@<version>` (uv is not installed by mcp-twin);
 * 4. an OCI image: an entry that runs `docker run -i --rm … <image>` (Docker is not installed or
 *    pulled by mcp-twin).
 * Anything else (NuGet, MCP bundles, WebSocket remotes, packages that start their own HTTP server)
 * is reported with the command that would run it, and not added.
 */
export function waysToRun(server: RegistryServer): Ways {
  const usable: Usable[] = [];
  const unusable: Unusable[] = [];
  for (const pkg of server.packages ?? []) {
    const type = pkg.registryType.toLowerCase();
    const what = `${type} ${pkg.identifier}${pkg.version && type !== "oci" && type !== "mcpb" ? `@${pkg.version}` : ""}`;
    if ((type === "npm" || type === "pypi" || type === "oci") && !isStdio(pkg)) {
      unusable.push({
        what,
        why: `it starts its own ${pkg.transport?.type} server; mcp-twin runs packages that speak stdio`,
        run: runCommand(type, pkg),
      });
    } else if (type === "npm" || type === "pypi" || type === "oci") {
      usable.push({ way: type, pkg });
    } else if (type === "nuget") {
      unusable.push({
        what,
        why: "a NuGet (.NET) tool, which mcp-twin does not install",
        run: runCommand(type, pkg),
      });
    } else if (type === "mcpb") {
      unusable.push({
        what,
        why: "an MCP bundle, which Claude Desktop installs itself",
        run: `download ${pkg.identifier} and open it in Claude Desktop`,
      });
    } else {
      unusable.push({
        what,
        why: `a ${pkg.registryType} package, which mcp-twin does not know`,
        run: "see its page",
      });
    }
  }
  for (const remote of server.remotes ?? []) {
    const type = remote.type.toLowerCase();
    const problem = remoteProblem(remote);
    if ((type === "streamable-http" || type === "sse") && problem)
      unusable.push({ what: `${type} remote`, why: problem, run: "see its page" });
    else if (type === "streamable-http" || type === "sse") usable.push({ way: "remote", remote });
    else
      unusable.push({
        what: `${type} remote ${remote.url}`,
        why: `a ${remote.type} remote, which mcp-twin does not know`,
        run: `add ${remote.url} by hand to a client that speaks ${type}`,
      });
  }
  // Among remotes, Streamable HTTP before SSE (the transport it replaced in 2025-03).
  const rank = (u: Usable) =>
    WAYS.indexOf(u.way) * 2 + (u.remote && u.remote.type.toLowerCase() === "sse" ? 1 : 0);
  usable.sort((a, b) => rank(a) - rank(b));
  return { usable, unusable };
}

/**
 * Why a remote cannot be written into a client config as the registry gives it: its URL (with a
 * stand-in for each `{variable}`) or a header's name or fixed value (remote-checks.ts).
 */
function remoteProblem(remote: RegistryRemote): string | undefined {
  const url = urlProblem(remote.url.replace(/\{[^}]*\}/g, "x"));
  if (url) return `its URL ${url}`;
  for (const h of remote.headers ?? []) {
    const bad = headerNameProblem(h.name) ?? headerValueProblem(h.value ?? h.default ?? "");
    if (bad) return `its header ${JSON.stringify(h.name)} ${bad}`;
  }
  return undefined;
}

/** What a client outside mcp-twin would run: for reports, never executed. */
function runCommand(type: string, pkg: RegistryPackage): string {
  if (type === "npm") return `npx -y ${pkg.identifier}${pkg.version ? `@${pkg.version}` : ""}`;
  if (type === "pypi") return `uvx ${pkg.identifier}${pkg.version ? `@${pkg.version}` : ""}`;
  if (type === "oci") return `docker run -i --rm ${ociImage(pkg)}`;
  if (type === "nuget") return `dnx ${pkg.identifier}${pkg.version ? `@${pkg.version}` : ""} --yes`;
  return pkg.identifier;
}

/** `identifier:tag`: the identifier carries the tag since 2025-10-11; older entries had `version`. */
function ociImage(pkg: RegistryPackage): string {
  const last = pkg.identifier.split("/").pop() ?? "";
  const tagged = last.includes(":") || pkg.identifier.includes("@sha256:");
  return tagged || !pkg.version ? pkg.identifier : `${pkg.identifier}:${pkg.version}`;
}

/** One line of `search`: the way mcp-twin would take, and the secrets it would ask. */
export interface Summary {
  name: string;
  title?: string;
  description: string;
  version: string;
  status?: string;
  /** e.g. "npm airtable-mcp-server@1.7.3", "remote mcp.example.com", or the first unusable way. */
  package: string;
  transport: string;
  /** Required secrets, by the name they are stored under. */
  secrets: string[];
  /** The way `add` takes; absent when mcp-twin cannot add it. */
  way?: Way;
  /** Why it cannot be added (when `way` is absent). */
  why?: string;
}

export function summarize(entry: RegistryEntry): Summary {
  const { server, meta } = entry;
  const { usable, unusable } = waysToRun(server);
  const first = usable[0];
  const base = {
    name: server.name,
    ...(server.title ? { title: server.title } : {}),
    description: server.description,
    version: server.version,
    ...(meta.status ? { status: meta.status } : {}),
  };
  if (!first) {
    const none = unusable[0];
    const pkg = server.packages?.[0];
    return {
      ...base,
      package: none?.what ?? "nothing to run",
      transport: pkg ? (pkg.transport?.type ?? "stdio") : (server.remotes?.[0]?.type ?? "-"),
      secrets: [],
      why: none ? none.why : "it lists no package and no remote",
    };
  }
  const made = toTemplate(server, first);
  return {
    ...base,
    package:
      first.way === "remote"
        ? `remote ${hostOf(first.remote.url)}`
        : `${first.way} ${first.way === "oci" ? ociImage(first.pkg) : `${first.pkg.identifier}${first.pkg.version ? `@${first.pkg.version}` : ""}`}`,
    transport: first.way === "remote" ? first.remote.type.toLowerCase() : "stdio",
    secrets: (made.template.secrets ?? []).filter((s) => !s.optional).map((s) => s.name),
    way: first.way,
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url.replace(/\{[^}]*\}/g, "x")).host;
  } catch {
    return url;
  }
}

export interface RegistryTemplate {
  template: ServerTemplate;
  way: Way;
  /** What the entry runs, for people: "uvx time-mcp-pypi@1.0.6", a URL, an npm spec. */
  runs: string;
  /** Things worth saying about what was left out or needs the user (runtime args, registries). */
  notes: string[];
  /** Optional settings the server reads that were not set (name: description). */
  optional: string[];
}

/** The manifest name a registry server gets: the part after the `/`, as a catalogue name. */
export function shortName(registryName: string): string {
  const tail = registryName.slice(registryName.indexOf("/") + 1);
  const name = tail
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/, "");
  return name || "server";
}

/** Words so generic that a secret named only with them (API_KEY, TOKEN) would clash across servers. */
const GENERIC = new Set(
  "API KEY KEYS TOKEN SECRET ACCESS AUTH AUTHORIZATION PASSWORD PASS BEARER PERSONAL PRIVATE CLIENT ID X APIKEY URL USER USERNAME LICENSE".split(
    " ",
  ),
);

const upperSnake = (text: string) =>
  text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");

/** Builds the inputs and secrets of one template, with unique names. */
class Questions {
  readonly inputs: Record<string, TemplateInput> = {};
  readonly secrets: SecretAsk[] = [];
  constructor(private readonly prefix: string) {}

  /** `${secret:NAME}` for a value the user must keep secret; the same name is asked once. */
  secret(raw: string, description: string, optional: boolean, scoped = false): string {
    const upper = upperSnake(raw) || "SECRET";
    const generic = upper.split("_").every((p) => GENERIC.has(p));
    let name = scoped || generic ? `${this.prefix}_${upper}` : upper;
    if (!/^[A-Z_]/.test(name)) name = `${this.prefix}_${name}`;
    const known = this.secrets.find((s) => s.name === name);
    if (known) {
      if (!optional) known.optional = false;
    } else {
      this.secrets.push({ name, description, ...(optional ? { optional: true } : {}) });
    }
    return `\${secret:${name}}`;
  }

  /** `${input:KEY}` for a value the user types (shown, not secret). */
  input(raw: string, spec: RegistryInput, fallbackDescription: string): string {
    let key = raw.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+|_+$/g, "") || "value";
    if (!/^[A-Za-z]/.test(key)) key = `v${key}`;
    if (!own(this.inputs, key)) {
      const choices = spec.choices && spec.choices.length > 0 ? spec.choices : undefined;
      const description = [
        spec.description ?? fallbackDescription,
        choices ? `(one of ${choices.join(", ")})` : spec.format === "filepath" ? "(a path)" : "",
      ]
        .filter(Boolean)
        .join(" ");
      this.inputs[key] = {
        type: "string",
        description,
        ...(spec.default !== undefined ? { default: spec.default } : {}),
        ...(choices ? { pattern: `^(?:${choices.map(escapeRegExp).join("|")})$` } : {}),
      };
    }
    return `\${input:${key}}`;
  }

  /**
   * A value with `{name}` placeholders: each one from `variables` (its fixed value, or asked as
   * an input or a secret). A placeholder without a variable is asked too: registries publish
   * `"Bearer {api_key}"` with no `variables` and mean "ask for it".
   */
  fill(
    value: string,
    variables: Record<string, RegistryInput> | undefined,
    parent: { secret: boolean; optional: boolean; description: string },
  ): string {
    const pattern = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
    const alone = [...value.matchAll(pattern)].filter((m) => !own(variables, m[1] ?? "")).length === 1;
    return value.replace(pattern, (_, id: string) => {
      const v = own(variables, id);
      if (v?.value !== undefined) return v.value;
      // One placeholder in a described value is what the description is about.
      const description = v?.description ?? (alone ? parent.description : `${id} (${parent.description})`);
      if (v ? v.isSecret : parent.secret) return this.secret(id, description, parent.optional);
      return this.input(id, v ?? {}, description);
    });
  }
}

/** What every way's template shares while it is made: its fields, its questions, what it says. */
interface Making {
  base: Pick<ServerTemplate, "name" | "title" | "description" | "homepage" | "categories">;
  q: Questions;
  notes: string[];
  optional: string[];
}

/**
 * A catalogue template that runs `server` the chosen way.
 *
 * Its inputs and secrets are asked, stored
 * and filled by the same code as the catalogue's, so `--arg`, `--secret` and `--yes` work alike.
 * Environment variables and headers marked `isSecret` become `${secret:NAME}`; `{name}` in a
 * value, a URL or an argument becomes an input (or a secret, when marked so).
 */
export function toTemplate(server: RegistryServer, use: Usable): RegistryTemplate {
  const name = shortName(server.name);
  const making: Making = {
    base: {
      name,
      title: server.title ?? server.name,
      description: server.description || server.name,
      homepage: server.websiteUrl ?? server.repository?.url ?? "",
      categories: [],
    },
    q: new Questions(upperSnake(name)),
    notes: [],
    optional: [],
  };
  return use.way === "remote"
    ? remoteTemplate(making, use.remote)
    : packageTemplate(making, use.way, use.pkg);
}

const KEY_KEPT =
  "its key stays in mcp-twin's home: the bridge adds it on the way out, so no client's file holds it";

/** A remote server: its URL and headers, their placeholders asked; shared when they carry a key. */
function remoteTemplate({ base, q, notes, optional }: Making, remote: RegistryRemote): RegistryTemplate {
  const url = q.fill(remote.url, remote.variables, {
    secret: false,
    optional: false,
    description: "the server's URL",
  });
  const headers = dict<string>();
  for (const h of remote.headers ?? []) {
    const value = keyValue(h, q, "header", optional, true);
    if (value !== undefined) headers[h.name] = value;
  }
  // A key in its headers (or URL) stays in mcp-twin's home: the bridge adds it on the way out.
  const keyed = [url, ...Object.values(headers)].some((v) => v.includes("${secret:"));
  return {
    template: {
      ...base,
      runtime: "remote",
      server: {
        url,
        ...(remote.type.toLowerCase() === "sse" ? { transport: "sse" as const } : {}),
        ...(Object.keys(headers).length ? { headers } : {}),
      },
      ...(keyed ? { share: { mode: "machine" as const, why: KEY_KEPT } } : {}),
      ...asked(q),
    },
    way: "remote",
    runs: remote.url,
    notes,
    optional,
  };
}

/** What a package's launch is made of, whichever way it runs. */
interface PackageParts {
  pkg: RegistryPackage;
  env: Record<string, string>;
  packageArgs: string[];
  runtimeArgs: string[];
  /** `@<version>`, or "" when the registry names none. */
  version: string;
  withEnv: { env?: Record<string, string> };
}

/** A package: its variables and arguments asked (in that order), then launched the chosen way. */
function packageTemplate(
  making: Making,
  way: Exclude<Way, "remote">,
  pkg: RegistryPackage,
): RegistryTemplate {
  const { q, notes, optional } = making;
  const env = dict<string>();
  for (const variable of pkg.environmentVariables ?? []) {
    const value = keyValue(variable, q, "variable", optional, false);
    if (value !== undefined) env[variable.name] = value;
  }
  const parts: PackageParts = {
    pkg,
    env,
    packageArgs: args(pkg.packageArguments, q),
    runtimeArgs: args(pkg.runtimeArguments, q),
    version: pkg.version ? `@${pkg.version}` : "",
    withEnv: Object.keys(env).length > 0 ? { env } : {},
  };
  if (
    pkg.registryBaseUrl &&
    !/^https:\/\/registry\.npmjs\.org\/?$|^https:\/\/pypi\.org\/?$|docker\.io/.test(pkg.registryBaseUrl)
  )
    notes.push(
      `published on ${pkg.registryBaseUrl}; it is fetched from the registry your ${way === "npm" ? "npm" : "tools"} use`,
    );
  if (way === "npm") return npmTemplate(making, parts);
  if (way === "pypi") return pypiTemplate(making, parts);
  return ociTemplate(making, parts);
}

/** An npm package, installed by sync and run with node. */
function npmTemplate({ base, q, notes, optional }: Making, parts: PackageParts): RegistryTemplate {
  const { pkg, packageArgs, version, withEnv } = parts;
  if ((pkg.runtimeArguments ?? []).length > 0)
    notes.push("its runtime arguments (for npx) are not used: mcp-twin runs the installed package with node");
  return {
    template: {
      ...base,
      runtime: "node",
      server: {
        package: `${pkg.identifier}${version}`,
        ...(packageArgs.length ? { args: packageArgs } : {}),
        ...withEnv,
      },
      ...asked(q),
    },
    way: "npm",
    runs: `${pkg.identifier}${version}`,
    notes,
    optional,
  };
}

/** A PyPI package, run with uvx (which mcp-twin does not install). */
function pypiTemplate({ base, q, notes, optional }: Making, parts: PackageParts): RegistryTemplate {
  const { pkg, packageArgs, runtimeArgs, version, withEnv } = parts;
  const hint = (pkg.runtimeHint ?? "uvx").toLowerCase();
  if (hint !== "uvx" && runtimeArgs.length > 0)
    notes.push(`its runtime arguments are for ${pkg.runtimeHint} and are not used with uvx`);
  const command = [
    "uvx",
    ...(hint === "uvx" ? runtimeArgs : []),
    `${pkg.identifier}${version}`,
    ...packageArgs,
  ];
  return {
    template: {
      ...base,
      runtime: "python",
      server: { command: "uvx", args: command.slice(1), ...withEnv },
      ...asked(q),
    },
    way: "pypi",
    runs: command.join(" "),
    notes,
    optional,
  };
}

/** An OCI image, run with `docker run -i --rm`, its variables passed by name. */
function ociTemplate({ base, q, notes, optional }: Making, parts: PackageParts): RegistryTemplate {
  const { pkg, env, packageArgs, runtimeArgs, withEnv } = parts;
  const image = ociImage(pkg);
  const dockerArgs = [
    "run",
    "-i",
    "--rm",
    ...runtimeArgs,
    ...Object.keys(env).flatMap((n) => ["-e", n]),
    image,
    ...packageArgs,
  ];
  return {
    template: {
      ...base,
      runtime: "docker",
      server: { command: "docker", args: dockerArgs, ...withEnv },
      ...asked(q),
    },
    way: "oci",
    runs: ["docker", ...dockerArgs].join(" "),
    notes,
    optional,
  };
}

function asked(q: Questions): Pick<ServerTemplate, "inputs" | "secrets"> {
  return {
    ...(Object.keys(q.inputs).length > 0 ? { inputs: q.inputs } : {}),
    ...(q.secrets.length > 0 ? { secrets: q.secrets } : {}),
  };
}

/**
 * An environment variable or header: its fixed value (placeholders filled), a secret, an input,
 * or nothing (optional and not secret: the server's own default applies; listed in `optional`).
 */
function keyValue(
  kv: RegistryKeyValue,
  q: Questions,
  kind: "variable" | "header",
  optional: string[],
  scoped: boolean,
): string | undefined {
  const description = kv.description ?? `${kv.name} ${kind}`;
  const required = Boolean(kv.isRequired);
  if (kv.value !== undefined)
    return q.fill(kv.value, kv.variables, { secret: Boolean(kv.isSecret), optional: !required, description });
  if (kv.isSecret) return q.secret(kv.name, description, !required, scoped);
  if (required) return q.input(kv.name, kv, description);
  optional.push(`${kv.name}${kv.description ? `: ${kv.description}` : ""}`);
  return undefined;
}

/** Arguments: fixed ones kept, required ones asked, optional ones without a value left out. */
function args(list: readonly RegistryArgument[] | undefined, q: Questions): string[] {
  const out: string[] = [];
  for (const a of list ?? []) {
    const label = a.type === "named" ? (a.name ?? "") : (a.valueHint ?? "value");
    const description = a.description ?? label;
    // A value asked for an argument is always required: an empty one would leave a bare flag.
    const parent = { secret: Boolean(a.isSecret), optional: false, description };
    let value: string | undefined;
    if (a.value !== undefined) value = q.fill(a.value, a.variables, parent);
    else if (a.isRequired)
      value = a.isSecret
        ? q.secret(label.replace(/^-+/, ""), description, false)
        : q.input(label.replace(/^-+/, ""), a, description);
    if (a.type === "named") {
      if (!a.name) continue;
      if (value !== undefined) out.push(a.name, value);
      else if (a.isRequired) out.push(a.name);
    } else if (value !== undefined) {
      out.push(value);
    }
  }
  return out;
}
