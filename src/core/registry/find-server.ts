/**
 * What `add <server>` names, by the first that matches: a catalogue entry (or the catalogue's entry
 * of an npm package), an MCP Registry server, a remote server's URL, or an npm package npm has.
 */
import { catalogueMatch, type ServerTemplate, searchTemplates, type Template } from "../catalogue/index.js";
import type { Machine } from "../environments/machine.js";
import { OperationError, UsageError } from "../errors.js";
import { splitSpec } from "../manifest/package-spec.js";
import { urlProblem } from "../manifest/remote-checks.js";
import { npmSpec, type ServerSpec } from "../manifest/schema.js";
import { nameFromUrl } from "../manifest/url-name.js";
import { type NpmLookup, npmView } from "../packages/npm-view.js";
import { serverEvidence } from "../packages/server-evidence.js";
import { didYouMean } from "../selectors.js";
import type { Progress } from "../system/progress.js";
import { orList } from "../text/prose-lists.js";
import type { Way } from "./convert.js";
import { openRegistry, parseRegistryName, RegistryError } from "./index.js";
import { type ChosenServer, chooseWay, fetchRegistryServer } from "./pick.js";

/** What the command line says about the search: the registry to ask, how to run it, a name given. */
export interface FindOptions {
  registry?: string | undefined;
  use?: Way | undefined;
  /** `--name` was given (a URL's server is then not named after its host). */
  named: boolean;
}

/** Where finding reports: steps, warnings (always said, --json or not), and the run's abort. */
export interface FindIo {
  progress: Progress;
  warn: (line: string) => void;
  signal: AbortSignal;
}

/** Where the server came from, and what to say about it. */
export interface FoundServer {
  source: "catalogue" | "registry" | "npm" | "url";
  template?: ServerTemplate;
  /** For an npm package added as it is. */
  server?: ServerSpec;
  name?: string;
  /** Lines said after "Added …" (what it runs, what mcp-twin does not install). */
  notes: string[];
  chosen?: ChosenServer;
  /** Why this package may not be an MCP server: said (and asked about) before it is written. */
  doubt?: string;
}

/**
 * The registry cannot be reached, or does not have the name: when the catalogue has what looks
 * like the same server, the error points at it (`mcp-twin add github` works offline).
 */
function withCatalogueMatch(error: unknown, name: string, templates: readonly Template[]): unknown {
  const match = catalogueMatch(name, templates);
  if (!match || !(error instanceof UsageError || error instanceof OperationError)) return error;
  // The registry's own hint, without its general word about the catalogue (said here, precisely).
  const rest = error.hint?.replace("The catalogue (`mcp-twin add --list`) works offline. ", "");
  const hint = `The catalogue's ${match.name} (${match.title}, ${match.homepage}) looks like this server: \`mcp-twin add ${match.name}\` works offline.${rest ? ` ${rest}` : ""}`;
  const options = { location: error.location, hint, cause: error };
  return error instanceof UsageError
    ? new UsageError(error.code, error.message, options)
    : new OperationError(error.code, error.message, options);
}

/** What `what` names: a catalogue entry, an MCP Registry server, an npm package or a remote URL. */
export async function findServer(
  machine: Machine,
  what: string,
  templates: readonly Template[],
  o: FindOptions,
  io: FindIo,
): Promise<FoundServer> {
  const template = templates.find((t) => t.name === what);
  if (template) return { source: "catalogue", template, notes: [] };
  // `memory@latest` is the catalogue's memory at that version, as `memory` alone is the
  // catalogue's: not npm's unrelated package that happens to have the same name.
  const asked = splitSpec(what);
  const named = asked.range ? templates.find((t) => t.name === asked.name) : undefined;
  if (named) {
    if (!named.server.package)
      throw new UsageError(
        "bad-version",
        `${named.name} is the catalogue's server with no npm package, so it takes no version (@${asked.range}).`,
        { hint: `Run \`mcp-twin add ${named.name}\`.` },
      );
    const { name: pkg, range: pinned } = splitSpec(named.server.package);
    if (pkg !== named.name)
      return {
        source: "catalogue",
        template: { ...named, server: { ...named.server, package: `${pkg}@${asked.range}` } },
        notes: [
          asked.range === pinned
            ? `${named.name} is the catalogue's ${pkg} (pinned at ${pinned}).`
            : `${named.name} is the catalogue's ${pkg} (at ${asked.range}, as asked; the catalogue pins ${pinned || "no version"}).`,
        ],
      };
  }

  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(what)) return remoteServer(what, o);

  const registryName = parseRegistryName(what);
  if (registryName) {
    const registry = await openRegistry(machine, { url: o.registry, signal: io.signal });
    const entry = await fetchRegistryServer(registry, registryName, {
      progress: io.progress,
      warn: io.warn,
    }).catch((error: unknown) => {
      throw withCatalogueMatch(error, registryName.name, templates);
    });
    const chosen = chooseWay(registry, entry, o.use);
    return { source: "registry", template: chosen.template, notes: [], chosen };
  }

  if (!npmSpec.safeParse(what).success)
    throw unknown(what, templates, "invalid", undefined, await registryHint(machine, what, o, io));
  const { name: pkg, range } = splitSpec(what);
  // The catalogue has this package: its entry (name, keys, pinned version), not a bare package.
  const known = templates.find((t) => t.server.package && splitSpec(t.server.package).name === pkg);
  if (known) {
    const pinned = splitSpec(known.server.package ?? "").range;
    const mine = range && range !== pinned;
    return {
      source: "catalogue",
      template: mine ? { ...known, server: { ...known.server, package: what } } : known,
      notes: [
        `${pkg} is the catalogue's ${known.name}${mine ? ` (at ${range}, as asked; the catalogue pins ${pinned || "no version"})` : pinned ? ` (pinned at ${pinned})` : ""}.`,
      ],
    };
  }
  const step = io.progress.step(`Looking up ${what} in npm's registry`);
  const lookup = await npmView(machine.host, what, io.signal);
  step.stop();
  const name = pkg.replace(/^@[^/]+\//, "");
  if (lookup.found) {
    const doubt = await notAServer(machine, what, lookup, o, io);
    return {
      source: "npm",
      name,
      server: { package: what },
      notes: range
        ? []
        : [
            `npm has ${pkg}@${lookup.version}; sync installs that version wherever a client runs it (pin it with ${pkg}@${lookup.version}).`,
          ],
      ...(doubt ? { doubt } : {}),
    };
  }
  if (lookup.why === "no-package")
    throw unknown(
      what,
      templates,
      "not-published",
      lookup.registry,
      await registryHint(machine, what, o, io),
    );
  if (lookup.why === "no-version")
    throw new UsageError("unknown-version", `npm has ${pkg}, but no version matching ${range}.`, {
      hint: `\`npm view ${pkg} versions\` lists them.`,
    });
  // Offline or npm broken: the name is valid, so trust it (sync will say if it cannot install it).
  io.warn(`Could not ask npm whether ${what} exists (${lookup.detail}); adding it as given.`);
  return { source: "npm", name, server: { package: what }, notes: [] };
}

/**
 * A package with no program to start is refused (exit 2, nothing written), with what the MCP
 * Registry has instead; one that has a program but nothing that says MCP gets a doubt, said (and
 * asked about on a terminal) before it enters the manifest.
 */
async function notAServer(
  machine: Machine,
  what: string,
  lookup: Extract<NpmLookup, { found: true }>,
  o: FindOptions,
  io: FindIo,
): Promise<string | undefined> {
  const at = `${lookup.name}@${lookup.version}`;
  const evidence = serverEvidence(lookup.name, lookup);
  if (!evidence.runnable)
    throw new UsageError(
      "not-a-server",
      `${at} is not an MCP server mcp-twin can run: the package has no bin, so there is no program to start. Nothing was written.`,
      {
        hint: `${await registryHint(machine, what, o, io)} A server started some other way goes into the manifest as a "command" with its "args" (docs/manifest.md).`,
      },
    );
  if (evidence.signs.length > 0) return undefined;
  return `${at} may not be an MCP server: nothing npm says of it mentions MCP (no mcpName, no mcp keyword, not built on the MCP SDK). If it is not the server you meant, \`mcp-twin search <words>\` looks in the MCP Registry.`;
}

/** A remote server given by its URL: checked as the manifest checks one, named after its host (or "remote"). */
function remoteServer(url: string, o: FindOptions): FoundServer {
  // The URL is not repeated: it may hold a password.
  const problem = urlProblem(url);
  if (problem)
    throw new UsageError(
      "bad-url",
      `The URL given to add ${problem}.`,
      // The credentials' message says what to do itself.
      problem.includes("secret set")
        ? {}
        : {
            hint: "Give the server's http:// or https:// address, e.g. mcp-twin add https://mcp.example.com/mcp --name example.",
          },
    );
  const { name, fromHost } = nameFromUrl(url);
  const said = fromHost
    ? `Named ${name} after its host`
    : `Named ${name}: its host is an address, which gives no name`;
  return {
    source: "url",
    server: { url },
    name,
    notes: o.named ? [] : [`${said}; --name gives it another name.`],
  };
}

/**
 * Not found: a valid npm name that npm's registry does not have is said so (naming that
 * registry); a name that cannot be anything is said to be invalid. Both with a did-you-mean.
 */
function unknown(
  what: string,
  templates: readonly Template[],
  why: "invalid" | "not-published",
  npmRegistry: string | undefined,
  /** What the MCP Registry has that looks like it (or why it could not be asked). */
  registry: string,
): UsageError {
  const close = [
    ...new Set([
      ...didYouMean(
        what,
        templates.map((t) => t.name),
      ),
      ...searchTemplates(templates, what).map((t) => t.name),
    ]),
  ];
  const message =
    why === "invalid"
      ? `"${what}" is not a catalogue name, an MCP Registry name (namespace/name) or a valid npm package name.`
      : `"${what}" is not in the catalogue, and npm's registry${npmRegistry ? ` (${npmRegistry})` : ""} has no package of that name.`;
  return new UsageError("unknown-server", message, {
    hint:
      close.length > 0
        ? `Did you mean ${close.slice(0, 3).join(", ")}? (\`mcp-twin add --list\` shows the catalogue)`
        : registry,
  });
}

/**
 * A name neither the catalogue nor npm has: what the MCP Registry has that looks like it, asked
 * here (briefly) rather than sending the user to `mcp-twin search` — which, when the registry
 * cannot be reached, would only fail the same way.
 */
async function registryHint(machine: Machine, what: string, o: FindOptions, io: FindIo): Promise<string> {
  const words = what
    .replace(/@[^/]*$/, "")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length >= 2);
  const list = "`mcp-twin add --list` shows the catalogue";
  if (words.length === 0) return `${list}.`;
  try {
    const registry = await openRegistry(machine, { url: o.registry, signal: io.signal, timeoutMs: 5_000 });
    const names = (await registry.find(words, { limit: 3, maxPages: 1 })).entries.map((e) => e.server.name);
    return names.length > 0
      ? `The MCP Registry has ${orList(names)}: \`mcp-twin add <name>\` adds one; ${list}.`
      : `The MCP Registry has nothing matching "${words.join(" ")}" either; ${list}.`;
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    return `${list} (the MCP Registry could not be searched for it: ${error.reason}).`;
  }
}
