/**
 * `mcp-twin add <server>`: one server into the manifest (a catalogue entry, an MCP Registry server,
 * an npm package or a remote URL), then (`--sync`, or yes to the question on a terminal) `mcp-twin sync`.
 */
import type { CommandContext } from "../cli.js";
import { placesOf } from "../core/catalogue/folder-places.js";
import {
  catalogueMatch,
  instantiate,
  loadCatalogue,
  type ServerTemplate,
  searchTemplates,
  type Template,
} from "../core/catalogue/index.js";
import { OperationError, UsageError } from "../core/errors.js";
import { untrusted } from "../core/formats/control-chars.js";
import { canonicalJson } from "../core/formats/json/merge.js";
import { editManifest, schemaRefFor, serverNames, withServer } from "../core/manifest/edit.js";
import { locateManifest } from "../core/manifest/load.js";
import { urlProblem } from "../core/manifest/remote-checks.js";
import { reservedNameWhy, unreservedName } from "../core/manifest/reserved-names.js";
import { npmSpec, type ServerSpec, serverName } from "../core/manifest/schema.js";
import { loadSecrets, privacyNote, saveSecrets, secretsPrivacy } from "../core/manifest/secrets-file.js";
import { nameFromUrl } from "../core/manifest/url-name.js";
import { dict } from "../core/own-keys.js";
import { splitSpec } from "../core/packages/npm-prefix.js";
import { type NpmLookup, npmView } from "../core/packages/npm-view.js";
import { serverEvidence } from "../core/packages/server-evidence.js";
import type { Way } from "../core/registry/convert.js";
import { openRegistry, parseRegistryName, RegistryError } from "../core/registry/index.js";
import {
  type ChosenServer,
  chooseWay,
  fetchRegistryServer,
  registryNotes,
  withProvenance,
} from "../core/registry/pick.js";
import { checkSecretFlagNames, didYouMean } from "../core/selectors.js";
import { readableBeforeSync } from "../core/sync/run-sync.js";
import { withLock } from "../core/system/files.js";
import { localHomedir } from "../core/system/host.js";
import type { Machine } from "../core/system/machine.js";
import { orList } from "../core/words.js";
import {
  type AskContext,
  askInputs,
  askSecrets,
  checkArgNames,
  parseArgFlags,
  parseSecretFlags,
} from "../ui/ask.js";
import { unifiedDiff } from "../ui/diff.js";
import { inquirerPrompts, type Prompts } from "../ui/prompts.js";
import { launchLines } from "../ui/reports/server-launch.js";
import { warnReadable } from "../ui/reports/sync-report.js";
import { syncAfterEdit } from "./shared/edit-then-sync.js";
import { offerLogins } from "./shared/offer-login.js";
import { openCommandMachine } from "./shared/open-machine.js";

interface AddOptions {
  name?: string;
  arg?: string[];
  secret?: string[];
  force?: boolean;
  list?: boolean;
  registry?: string;
  use?: Way;
  sync?: boolean;
}

/** Where the server came from, and what to say about it. */
interface Found {
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

/** What `add` works with, opened once: the machine, the manifest, the catalogue and the keys. */
interface AddSession {
  machine: Machine;
  homedir: string;
  file: string;
  templates: readonly Template[];
  /** Only on a terminal without --yes or --json. */
  prompts: Prompts | undefined;
  askCtx: AskContext;
  stored: Record<string, string>;
  given: Map<string, string | undefined>;
}

/** The server to add: its name, its manifest entry, and the keys to store beside it. */
interface NewServer {
  name: string;
  server: ServerSpec;
  newSecrets: Record<string, string>;
  /** Why the name is not the one it would have had (a reserved name), to say so. */
  renamed?: string | undefined;
}

type ManifestEdit = { before: string | null; after: string | null };

/**
 * What is added, by the first that matches:
 * - an MCP Registry name (`io.github.owner/server`, optionally `@version`): its server.json made
 *   into a template (an npm package pinned to the registry's version, a remote URL, `uvx` or
 *   `docker run` for PyPI and OCI packages, which mcp-twin does not install);
 * - a remote server's URL (http or https): the server at that URL, named after its host;
 * - an npm package: the catalogue's entry when the catalogue has that package (pinned as the
 *   catalogue pins it), else the package as given — after asking npm's registry that it exists.
 */
export async function run(ctx: CommandContext): Promise<number> {
  const o = ctx.options as CommandContext["options"] & AddOptions;
  const what = ctx.args[0];
  if (o.list) return listCatalogue(ctx);
  if (!what)
    throw new UsageError(
      "missing-argument",
      "add needs a catalogue name, an MCP Registry name, an npm package or a remote server's URL.",
      {
        hint: "`mcp-twin add --list` shows the catalogue; `mcp-twin search <words>` searches the MCP Registry.",
      },
    );
  const session = await openAdd(ctx, o);
  const found = await find(ctx, session.machine, what, session.templates, o);
  const added = found.template
    ? await fromTemplate(found, found.template, session, o)
    : fromPackage(found, what, session.given, o);
  if (!serverName.safeParse(added.name).success) {
    const reserved = reservedNameWhy(added.name);
    throw new UsageError(
      "bad-name",
      reserved
        ? `"${added.name}" cannot be a server name: it ${reserved}.`
        : `"${added.name}" cannot be a server name: use letters, digits, - and _.`,
      { hint: reserved ? "Pass another --name." : "Pass --name <name>." },
    );
  }
  const { renamed } = added;
  if (renamed) found.notes.unshift(`${renamed.charAt(0).toUpperCase()}${renamed.slice(1)}.`);
  ctx.output.addSecrets(Object.values(added.newSecrets));
  if (found.doubt) {
    ctx.output.warn(found.doubt);
    if (session.prompts && !(await session.prompts.confirm({ message: "Add it anyway?", default: false }))) {
      ctx.output.print("Nothing changed.");
      return 0;
    }
  }
  const result = await writeServer(session, added, o);
  // Stopped from here on (at the question to sync, or during it), the server is in the manifest
  // already: what finishes the job is sync, not another add (which would find it there).
  if (!o.dryRun) ctx.afterInterrupt = "Run `mcp-twin sync` to finish.";
  const summary = {
    added: added.name,
    manifest: session.file,
    server: added.server,
    source: found.source,
    ...(renamed ? { renamed } : {}),
    ...(found.chosen ? { registry: found.chosen.registry } : {}),
    secrets: Object.keys(added.newSecrets),
    dryRun: Boolean(o.dryRun),
  };
  if (!ctx.output.json) await printAdded(ctx.output, session, found, added, result, o);
  return offerSync(ctx, session, added, result, summary, o);
}

/** The machine, the manifest, the catalogue (its problems warned), the keys stored and given. */
async function openAdd(ctx: CommandContext, o: AddOptions & CommandContext["options"]): Promise<AddSession> {
  const machine = await openCommandMachine(ctx);
  const homedir = localHomedir(ctx.host);
  const file = locateManifest({
    manifest: o.manifest,
    cwd: ctx.host.cwd,
    homeManifest: machine.paths.manifest,
  });
  const catalogue = loadCatalogue({ homeDir: machine.home.dir });
  for (const p of catalogue.problems)
    ctx.output.warn(
      `${machine.shown(p.file)}${p.line ? `:${p.line}:${p.column}` : ""}: ${p.message} (template skipped)`,
    );
  const interactive = !o.yes && !o.json && Boolean(ctx.terminal.stdin.isTTY);
  const prompts = interactive ? inquirerPrompts() : undefined;
  const askCtx = { prompts, homedir, env: ctx.host.env, places: placesOf(machine.local) };
  const stored = await loadSecrets(machine.paths.secrets);
  const given = parseSecretFlags(o.secret ?? []);
  ctx.output.addSecrets([
    ...Object.values(stored),
    ...[...given.values()].filter((v): v is string => Boolean(v)),
  ]);
  return { machine, homedir, file, templates: catalogue.templates, prompts, askCtx, stored, given };
}

/** A catalogue or registry server: its flags checked, its inputs and keys asked, then made. */
async function fromTemplate(
  found: Found,
  template: ServerTemplate,
  session: AddSession,
  o: AddOptions,
): Promise<NewServer> {
  // A --secret the template does not use, or an --arg it has no input for (a typo), is named
  // before anything is asked.
  checkSecretFlagNames(
    session.given.keys(),
    (template.secrets ?? []).map((spec) => spec.name),
    `${template.name} does not use it`,
  );
  const args = parseArgFlags(o.arg ?? []);
  checkArgNames(args, [template], { qualified: false });
  const inputs = await askInputs(template, args, session.askCtx);
  const secrets = await askSecrets(template.secrets ?? [], session.given, session.stored, session.askCtx);
  const made = instantiate(
    template,
    { ...(o.name ? { name: o.name } : {}), inputs, withoutSecrets: secrets.skipped },
    session.homedir,
    session.askCtx.places,
  );
  const server = found.chosen ? withProvenance(found.chosen, made.server) : made.server;
  if (found.chosen) found.notes = registryNotes(found.chosen);
  return { name: made.name, server, newSecrets: secrets.values, renamed: made.renamed };
}

/** An npm package as given: no template, so no inputs; the keys are the --secret flags. */
function fromPackage(
  found: Found,
  what: string,
  given: Map<string, string | undefined>,
  o: AddOptions,
): NewServer {
  // An npm package has no template, so nothing an --arg could answer: say so, not ignore it.
  if ((o.arg ?? []).length > 0)
    throw new UsageError(
      "unknown-input",
      found.source === "url"
        ? `--arg ${o.arg![0]}: a remote server's URL is not a catalogue entry, so it has no inputs to answer.`
        : `--arg ${o.arg![0]}: ${what} is an npm package, not a catalogue entry, so it has no inputs to answer.`,
      {
        hint:
          found.source === "url"
            ? 'Add it without --arg; headers it needs go into "headers" of its entry in the manifest.'
            : 'Add it without --arg, then write its arguments into "args" of its entry in the manifest.',
      },
    );
  const newSecrets = dict<string>();
  for (const [k, v] of given) if (v !== undefined) newSecrets[k] = v;
  const { name, renamed } = o.name ? { name: o.name, renamed: undefined } : unreservedName(found.name!);
  return { name, server: found.server!, newSecrets, renamed };
}

/** The server into the manifest (refused when there without --force), its keys into the secrets file. */
async function writeServer(session: AddSession, added: NewServer, o: AddOptions & { dryRun?: boolean }) {
  const { machine, file } = session;
  const schemaRef = schemaRefFor(file, machine);
  const change = (current: string | null) => {
    const existing = serverNames(current, file).includes(added.name);
    if (existing && !o.force) {
      throw new UsageError("server-exists", `${added.name} is already in ${machine.shown(file)}.`, {
        hint: "Pass --force to replace it, or --name to add it under another name.",
      });
    }
    return withServer(current, file, added.name, added.server, schemaRef);
  };
  const result = await editManifest(machine, file, change, { dryRun: Boolean(o.dryRun) });
  if (!o.dryRun && Object.keys(added.newSecrets).length > 0) {
    await withLock(machine.home.dir, async () =>
      saveSecrets(machine.paths.secrets, {
        ...(await loadSecrets(machine.paths.secrets)),
        ...added.newSecrets,
      }),
    );
  }
  return result;
}

/** What was added (or, with --dry-run, the manifest's diff and the keys it would store). */
async function printAdded(
  out: CommandContext["output"],
  session: AddSession,
  found: Found,
  added: NewServer,
  result: ManifestEdit,
  o: AddOptions & { dryRun?: boolean },
): Promise<void> {
  const { machine, file } = session;
  const keys = Object.keys(added.newSecrets);
  if (o.dryRun) {
    if (result.after !== null)
      out.print(await unifiedDiff(machine.shown(file), result.before, result.after, out));
    if (keys.length > 0)
      out.print(`(would store ${keys.join(", ")} in ${machine.shown(machine.paths.secrets)})`);
  } else {
    const changed = result.after !== null && canonicalJson(result.after) !== canonicalJson(result.before);
    out.print(
      `${out.theme.ok} ${changed ? "Added" : "Kept"} ${added.name} in ${machine.shown(file)}${found.template?.notes ? `\n  ${untrusted(found.template.notes)}` : ""}`,
    );
    if (keys.length > 0)
      out.print(
        `${out.theme.ok} Stored ${keys.join(", ")} in ${machine.shown(machine.paths.secrets)} (${privacyNote(secretsPrivacy(machine))})`,
      );
  }
  // What it will run, before anything starts it (the question to sync comes after).
  for (const line of launchLines(added.server)) out.print(line);
  for (const note of found.notes) out.print(`  ${note}`);
}

/** Sync now: --sync, or yes to the question on a terminal (--no-sync: neither). */
async function offerSync(
  ctx: CommandContext,
  session: AddSession,
  added: NewServer,
  result: ManifestEdit,
  summary: Record<string, unknown>,
  o: AddOptions & { dryRun?: boolean },
): Promise<number> {
  const { machine, prompts } = session;
  const out = ctx.output;
  // A remote that asks for a login: said, and on a terminal the login offered right away.
  if (!o.dryRun && added.server.url !== undefined) {
    const needed = await offerLogins(ctx, machine, [[added.name, added.server]], {
      say: true,
      ...(prompts
        ? {
            ask: (n: string) =>
              prompts.confirm({ message: `Log in to ${n} now (in your browser)?`, default: true }),
          }
        : {}),
    });
    if (needed.length > 0) Object.assign(summary, { needsLogin: true });
  }
  // Only an npm package is installed by sync; a command (uvx, docker) or a URL is only written.
  const syncDoes = added.server.package
    ? "install it and write it into every client"
    : "write it into every client";
  const asks = o.sync === undefined && !o.dryRun && prompts !== undefined;
  // Before the question: a program it runs that is not there, where it is not (the entry would be
  // written all the same, and start once the program is installed).
  const programsShown = asks && !added.server.package ? await missingPrograms(ctx, machine, added.name) : [];
  for (const line of programsShown) out.warn(line);
  // …and a client config others can read that the sync would write a key into, with the chmod.
  const readableShown = new Set<string>();
  if (asks && !out.json) {
    const c = ctx.options;
    const selected = { manifest: c.manifest, envs: c.env, clients: c.client, project: c.project };
    warnReadable(out, await readableBeforeSync(machine, selected, out.progress), readableShown);
  }
  const doSync =
    o.sync === true ||
    (asks && (await prompts!.confirm({ message: `${capitalized(syncDoes)} now?`, default: true })));
  if (!doSync) {
    if (out.json) out.result(summary);
    else if (!o.dryRun) out.print(`Run \`mcp-twin sync\` to ${syncDoes}.`);
    return 0;
  }
  // The missing programs' lines said before the question are not said again.
  return syncAfterEdit(ctx, machine, {
    file: session.file,
    after: result.after,
    secrets: added.newSecrets,
    summary,
    programsShown,
    readableShown: [...readableShown],
  });
}

/**
 * Where the server's program (uvx, docker, …) is not found, said before asking to write it into
 * every client: one line per environment, naming its clients and the install command there. What
 * sync would check after writing (program-check.ts), looked at first; file stats, no process.
 * Nothing when it cannot be told (a manifest or environment that does not load: sync says why).
 */
async function missingPrograms(ctx: CommandContext, machine: Machine, name: string): Promise<string[]> {
  const o = ctx.options;
  try {
    const { loadContext } = await import("../core/sync/context.js");
    const { entriesNow } = await import("../core/entries/desired.js");
    const { checkPrograms } = await import("../core/environments/program-check.js");
    const { missingProgramLines } = await import("../core/environments/missing-programs.js");
    const loaded = await loadContext(
      machine,
      { manifest: o.manifest, project: o.project, envs: o.env, clients: o.client },
      ctx.output.progress,
    );
    const servers = loaded.servers.filter(([n]) => n === name);
    if (servers.length === 0) return [];
    const desired = await entriesNow(machine, { ...loaded, servers }, loaded.state);
    await checkPrograms(desired, loaded.allEnvs, machine.host.env, loaded.targets);
    // The lines sync's report has for them (one per environment): said here, not again there.
    return missingProgramLines(
      loaded.targets.flatMap((t) => {
        const built = desired.get(t.key)?.get(name);
        if (!built?.ok) return [];
        return (built.problems ?? []).flatMap((p) =>
          p.missing ? [{ missing: p.missing, server: name, client: t.client }] : [],
        );
      }),
    );
  } catch {
    return [];
  }
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

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** What `what` names: a catalogue entry, an MCP Registry server, an npm package or a remote URL. */
async function find(
  ctx: CommandContext,
  machine: Machine,
  what: string,
  templates: readonly Template[],
  o: AddOptions,
): Promise<Found> {
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
    const registry = await openRegistry(machine, { url: o.registry, signal: ctx.signal });
    const entry = await fetchRegistryServer(registry, registryName, {
      progress: ctx.output.progress,
      warn: (line) => ctx.output.warn(line),
    }).catch((error: unknown) => {
      throw withCatalogueMatch(error, registryName.name, templates);
    });
    const chosen = chooseWay(registry, entry, o.use);
    return { source: "registry", template: chosen.template, notes: [], chosen };
  }

  if (!npmSpec.safeParse(what).success)
    throw unknown(what, templates, "invalid", undefined, await registryHint(ctx, machine, what, o));
  const { name: pkg, range } = splitSpec(what);
  // The catalogue has this package: its entry (name, keys, pinned version), not a bare package.
  const known = templates.find((t) => t.server.package && splitSpec(t.server.package).name === pkg);
  if (known) {
    const pinned = splitSpec(known.server.package!).range;
    const mine = range && range !== pinned;
    return {
      source: "catalogue",
      template: mine ? { ...known, server: { ...known.server, package: what } } : known,
      notes: [
        `${pkg} is the catalogue's ${known.name}${mine ? ` (at ${range}, as asked; the catalogue pins ${pinned || "no version"})` : pinned ? ` (pinned at ${pinned})` : ""}.`,
      ],
    };
  }
  const step = ctx.output.progress.step(`Looking up ${what} in npm's registry`);
  const lookup = await npmView(ctx.host, what, ctx.signal);
  step.stop();
  const name = pkg.replace(/^@[^/]+\//, "");
  if (lookup.found) {
    const doubt = await notAServer(ctx, machine, what, lookup, o);
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
      await registryHint(ctx, machine, what, o),
    );
  if (lookup.why === "no-version")
    throw new UsageError("unknown-version", `npm has ${pkg}, but no version matching ${range}.`, {
      hint: `\`npm view ${pkg} versions\` lists them.`,
    });
  // Offline or npm broken: the name is valid, so trust it (sync will say if it cannot install it).
  ctx.output.warn(`Could not ask npm whether ${what} exists (${lookup.detail}); adding it as given.`);
  return { source: "npm", name, server: { package: what }, notes: [] };
}

/**
 * A package with no program to start is refused (exit 2, nothing written), with what the MCP
 * Registry has instead; one that has a program but nothing that says MCP gets a doubt, said (and
 * asked about on a terminal) before it enters the manifest.
 */
async function notAServer(
  ctx: CommandContext,
  machine: Machine,
  what: string,
  lookup: Extract<NpmLookup, { found: true }>,
  o: AddOptions,
): Promise<string | undefined> {
  const at = `${lookup.name}@${lookup.version}`;
  const evidence = serverEvidence(lookup.name, lookup);
  if (!evidence.runnable)
    throw new UsageError(
      "not-a-server",
      `${at} is not an MCP server mcp-twin can run: the package has no bin, so there is no program to start. Nothing was written.`,
      {
        hint: `${await registryHint(ctx, machine, what, o)} A server started some other way goes into the manifest as a "command" with its "args" (docs/manifest.md).`,
      },
    );
  if (evidence.signs.length > 0) return undefined;
  return `${at} may not be an MCP server: nothing npm says of it mentions MCP (no mcpName, no mcp keyword, not built on the MCP SDK). If it is not the server you meant, \`mcp-twin search <words>\` looks in the MCP Registry.`;
}

/** A remote server given by its URL: checked as the manifest checks one, named after its host (or "remote"). */
function remoteServer(url: string, o: AddOptions): Found {
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
    notes: o.name ? [] : [`${said}; --name gives it another name.`],
  };
}

async function listCatalogue(ctx: CommandContext): Promise<number> {
  const machine = await openCommandMachine(ctx);
  const { templates, problems } = loadCatalogue({ homeDir: machine.home.dir });
  if (ctx.output.json) {
    ctx.output.result({
      templates: templates.map(({ name, title, description, runtime, categories, secrets }) => ({
        name,
        title,
        description,
        runtime,
        categories,
        secrets: (secrets ?? []).map((s) => s.name),
      })),
      problems,
    });
    return 0;
  }
  const width = Math.max(...templates.map((t) => t.name.length));
  for (const t of templates)
    ctx.output.print(
      `${t.name.padEnd(width)}  ${ctx.output.theme.c.dim(t.runtime.padEnd(6))}  ${t.description}`,
    );
  for (const p of problems)
    ctx.output.warn(
      `${machine.shown(p.file)}${p.line ? `:${p.line}:${p.column}` : ""}: ${p.message} (skipped)`,
    );
  return 0;
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
async function registryHint(
  ctx: CommandContext,
  machine: Machine,
  what: string,
  o: AddOptions,
): Promise<string> {
  const words = what
    .replace(/@[^/]*$/, "")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length >= 2);
  const list = "`mcp-twin add --list` shows the catalogue";
  if (words.length === 0) return `${list}.`;
  try {
    const registry = await openRegistry(machine, { url: o.registry, signal: ctx.signal, timeoutMs: 5_000 });
    const names = (await registry.find(words, { limit: 3, maxPages: 1 })).entries.map((e) => e.server.name);
    return names.length > 0
      ? `The MCP Registry has ${orList(names)}: \`mcp-twin add <name>\` adds one; ${list}.`
      : `The MCP Registry has nothing matching "${words.join(" ")}" either; ${list}.`;
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    return `${list} (the MCP Registry could not be searched for it: ${error.reason}).`;
  }
}
