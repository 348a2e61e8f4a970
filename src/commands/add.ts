/**
 * `mcp-twin add <server>`: one server into the manifest (a catalogue entry, an MCP Registry server,
 * an npm package or a remote URL), then (`--sync`, or yes to the question on a terminal) `mcp-twin sync`.
 */

import { placesOf } from "../core/catalogue/folder-places.js";
import { instantiate, loadCatalogue, type ServerTemplate, type Template } from "../core/catalogue/index.js";
import { catalogueSecretFormats } from "../core/catalogue/secret-formats.js";
import { missingProgramsAhead } from "../core/entries/programs/look-ahead.js";
import type { Machine } from "../core/environments/machine.js";
import { UsageError } from "../core/errors.js";
import {
  addServer,
  assertServerName,
  type ManifestEdit,
  type NewServer,
} from "../core/manifest/add-server.js";
import { locateManifest } from "../core/manifest/load.js";
import { unreservedName } from "../core/manifest/reserved-names.js";
import { loadSecrets } from "../core/manifest/secrets-file.js";
import { dict } from "../core/plain-records.js";
import { type FoundServer, findServer } from "../core/registry/find-server.js";
import { registryNotes, withProvenance } from "../core/registry/pick.js";
import { checkSecretFlagNames } from "../core/selectors.js";
import { readableBeforeSync } from "../core/sync/run-sync.js";
import { localHomedir } from "../core/system/host.js";
import {
  type AskContext,
  askInputs,
  askSecrets,
  checkArgNames,
  parseArgFlags,
  parseSecretFlags,
} from "../ui/ask.js";
import { inquirerPrompts, type Prompts } from "../ui/prompts.js";
import { renderAdded, renderCatalogue } from "../ui/reports/add-report.js";
import { warnReadable } from "../ui/reports/sync-report.js";
import type { addCommand } from "./add-flags.js";
import type { ContextOf } from "./shared/command.js";
import { syncAfterEdit } from "./shared/edit-then-sync.js";
import { offerLogins } from "./shared/offer-login.js";
import { openCommandMachine } from "./shared/open-machine.js";

/** What this command gets: its options typed by add-flags.ts. */
type Ctx = ContextOf<typeof addCommand>;
type AddOptions = Ctx["options"];

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

/**
 * What is added, by the first that matches (core/registry/find-server.ts):
 * - an MCP Registry name (`io.github.owner/server`, optionally `@version`): its server.json made
 *   into a template (an npm package pinned to the registry's version, a remote URL, `uvx` or
 *   `docker run` for PyPI and OCI packages, which mcp-twin does not install);
 * - a remote server's URL (http or https): the server at that URL, named after its host;
 * - an npm package: the catalogue's entry when the catalogue has that package (pinned as the
 *   catalogue pins it), else the package as given — after asking npm's registry that it exists.
 */
export async function run(ctx: Ctx): Promise<number> {
  const o = ctx.options;
  const what = ctx.args[0];
  if (o.list) {
    const machine = await openCommandMachine(ctx);
    renderCatalogue(ctx.output, machine, loadCatalogue({ homeDir: machine.home.dir }));
    return 0;
  }
  if (!what)
    throw new UsageError(
      "missing-argument",
      "add needs a catalogue name, an MCP Registry name, an npm package or a remote server's URL.",
      {
        hint: "`mcp-twin add --list` shows the catalogue; `mcp-twin search <words>` searches the MCP Registry.",
      },
    );
  const session = await openAdd(ctx, o);
  const found = await findServer(
    session.machine,
    what,
    session.templates,
    { registry: o.registry, use: o.use, named: Boolean(o.name) },
    { progress: ctx.output.progress, warn: (line) => ctx.output.warn(line), signal: ctx.signal },
  );
  const added = found.template
    ? await fromTemplate(found, found.template, session, o)
    : fromPackage(found, what, session.given, o);
  assertServerName(added.name);
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
  const result = await addServer(session.machine, session.file, added, o);
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
  if (!ctx.output.json) await renderAdded(ctx.output, session, found, added, result, Boolean(o.dryRun));
  return offerSync(ctx, session, added, result, summary);
}

/** The machine, the manifest, the catalogue (its problems warned), the keys stored and given. */
async function openAdd(ctx: Ctx, o: AddOptions): Promise<AddSession> {
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
  const prompts = interactive ? inquirerPrompts(ctx.signal) : undefined;
  const formats = catalogueSecretFormats(machine.home.dir);
  const askCtx = { prompts, homedir, env: ctx.host.env, places: placesOf(machine.local), formats };
  const stored = await loadSecrets(machine.paths.secrets);
  const given = parseSecretFlags(o.secret);
  ctx.output.addSecrets([
    ...Object.values(stored),
    ...[...given.values()].filter((v): v is string => Boolean(v)),
  ]);
  return { machine, homedir, file, templates: catalogue.templates, prompts, askCtx, stored, given };
}

/** A catalogue or registry server: its flags checked, its inputs and keys asked, then made. */
async function fromTemplate(
  found: FoundServer,
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
  const args = parseArgFlags(o.arg);
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
  const shareWhy = template.share && server.share ? template.share.why : undefined;
  return { name: made.name, server, newSecrets: secrets.values, renamed: made.renamed, shareWhy };
}

/** An npm package or a URL as given: no template, so no inputs; the keys are the --secret flags. */
function fromPackage(
  found: FoundServer,
  what: string,
  given: Map<string, string | undefined>,
  o: AddOptions,
): NewServer {
  // An npm package has no template, so nothing an --arg could answer: say so, not ignore it.
  const [arg] = o.arg;
  if (arg !== undefined)
    throw new UsageError(
      "unknown-input",
      found.source === "url"
        ? `--arg ${arg}: a remote server's URL is not a catalogue entry, so it has no inputs to answer.`
        : `--arg ${arg}: ${what} is an npm package, not a catalogue entry, so it has no inputs to answer.`,
      {
        hint:
          found.source === "url"
            ? 'Add it without --arg; headers it needs go into "headers" of its entry in the manifest.'
            : 'Add it without --arg, then write its arguments into "args" of its entry in the manifest.',
      },
    );
  // Without a template, findServer gives the server and the name it suggests.
  if (!found.server || found.name === undefined) throw new Error(`${what}: found without a server`);
  const newSecrets = dict<string>();
  for (const [k, v] of given) if (v !== undefined) newSecrets[k] = v;
  const { name, renamed } = o.name ? { name: o.name, renamed: undefined } : unreservedName(found.name);
  return { name, server: found.server, newSecrets, renamed };
}

/** Sync now: --sync, or yes to the question on a terminal (--no-sync: neither). */
async function offerSync(
  ctx: Ctx,
  session: AddSession,
  added: NewServer,
  result: ManifestEdit,
  summary: Record<string, unknown>,
): Promise<number> {
  const o = ctx.options;
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
  const ask = o.sync === undefined && !o.dryRun ? prompts : undefined;
  const selected = { manifest: o.manifest, envs: o.env, clients: o.client, project: o.project };
  // Before the question: a program it runs that is not there, where it is not (the entry would be
  // written all the same, and start once the program is installed).
  const programsShown =
    ask && !added.server.package
      ? await missingProgramsAhead(machine, selected, [added.name], out.progress)
      : [];
  for (const line of programsShown) out.warn(line);
  // …and a client config others can read that the sync would write a key into, with the chmod
  // (the report says it again after the write: it "now holds" the key).
  if (ask && !out.json) warnReadable(out, await readableBeforeSync(machine, selected, out.progress));
  const doSync =
    o.sync === true ||
    (ask !== undefined && (await ask.confirm({ message: `${capitalized(syncDoes)} now?`, default: true })));
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
  });
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
