/** `mcp-twin add <template-or-package>`: one server into the manifest (then `mcp-twin sync`). */
import type { CommandContext } from "../cli.js";
import { instantiate, loadCatalogue, searchTemplates, type Template } from "../core/catalogue/index.js";
import { UsageError } from "../core/errors.js";
import { withLock } from "../core/files.js";
import { localHomedir } from "../core/host.js";
import { openMachine } from "../core/machine.js";
import { editManifest, schemaRefFor, serverNames, withServer } from "../core/manifest/edit.js";
import { locateManifest } from "../core/manifest/load.js";
import { npmSpec, type ServerSpec, serverName } from "../core/manifest/schema.js";
import { loadSecrets, saveSecrets } from "../core/manifest/secrets.js";
import { canonicalJson } from "../core/merge.js";
import { didYouMean } from "../core/selectors.js";
import { askInputs, askSecrets, parseArgFlags, parseSecretFlags } from "../ui/ask.js";
import { unifiedDiff } from "../ui/diff.js";
import { inquirerPrompts } from "../ui/prompts.js";

export async function run(ctx: CommandContext): Promise<number> {
  const o = ctx.options as CommandContext["options"] & {
    name?: string;
    arg?: string[];
    secret?: string[];
    force?: boolean;
    list?: boolean;
  };
  const what = ctx.args[0];
  if (o.list) return listCatalogue(ctx);
  if (!what)
    throw new UsageError("missing-argument", "add needs a catalogue name or an npm package.", {
      hint: "See `mcp-twin add --help`.",
    });
  const machine = await openMachine(ctx.host);
  const homedir = localHomedir(ctx.host);
  const file = locateManifest({
    manifest: o.manifest,
    cwd: ctx.host.cwd,
    homeManifest: machine.paths.manifest,
  });
  const catalogue = loadCatalogue({ homeDir: machine.home.dir });
  for (const p of catalogue.problems)
    ctx.output.warn(`${p.file}${p.line ? `:${p.line}:${p.column}` : ""}: ${p.message} (template skipped)`);
  const interactive = !o.yes && !o.json && Boolean(process.stdin.isTTY);
  const askCtx = { prompts: interactive ? inquirerPrompts() : undefined, homedir, env: ctx.host.env };
  const stored = await loadSecrets(machine.paths.secrets);
  const given = parseSecretFlags(o.secret ?? []);
  ctx.output.addSecrets([
    ...Object.values(stored),
    ...[...given.values()].filter((v): v is string => Boolean(v)),
  ]);

  let name: string;
  let server: ServerSpec;
  let newSecrets: Record<string, string> = {};
  const template = catalogue.templates.find((t) => t.name === what);
  if (template) {
    const inputs = await askInputs(template, parseArgFlags(o.arg ?? []), askCtx);
    const secrets = await askSecrets(template.secrets ?? [], given, stored, askCtx);
    newSecrets = secrets.values;
    const made = instantiate(
      template,
      { ...(o.name ? { name: o.name } : {}), inputs, withoutSecrets: secrets.skipped },
      homedir,
    );
    name = made.name;
    server = made.server;
  } else if (npmSpec.safeParse(what).success) {
    if (!o.dryRun) await assertPublished(ctx, what, catalogue.templates);
    name = o.name ?? what.replace(/^@[^/]+\//, "").replace(/@.*$/, "");
    server = { package: what };
    for (const [k, v] of given) if (v !== undefined) newSecrets[k] = v;
  } else {
    throw unknown(what, catalogue.templates);
  }
  if (!serverName.safeParse(name).success) {
    throw new UsageError("bad-name", `"${name}" cannot be a server name: use letters, digits, - and _.`, {
      hint: "Pass --name <name>.",
    });
  }
  ctx.output.addSecrets(Object.values(newSecrets));

  const schemaRef = schemaRefFor(file, machine);
  const change = (current: string | null) => {
    const existing = serverNames(current, file).includes(name);
    if (existing && !o.force) {
      throw new UsageError("server-exists", `${name} is already in ${file}.`, {
        hint: "Pass --force to replace it, or --name to add it under another name.",
      });
    }
    return withServer(current, file, name, server, schemaRef);
  };
  const result = await editManifest(machine, file, change, { dryRun: Boolean(o.dryRun) });
  if (!o.dryRun && Object.keys(newSecrets).length > 0) {
    await withLock(machine.home.dir, async () =>
      saveSecrets(machine.paths.secrets, { ...(await loadSecrets(machine.paths.secrets)), ...newSecrets }),
    );
  }
  const changed = result.after !== null && canonicalJson(result.after) !== canonicalJson(result.before);
  if (ctx.output.json) {
    ctx.output.result({
      added: name,
      manifest: file,
      server,
      secrets: Object.keys(newSecrets),
      dryRun: Boolean(o.dryRun),
    });
  } else if (o.dryRun) {
    if (result.after !== null)
      ctx.output.print(await unifiedDiff(file, result.before, result.after, ctx.output.theme));
    if (Object.keys(newSecrets).length > 0)
      ctx.output.print(`(would store ${Object.keys(newSecrets).join(", ")} in ${machine.paths.secrets})`);
  } else {
    ctx.output.print(
      `${ctx.output.theme.ok} ${changed ? "Added" : "Kept"} ${name} in ${file}${template?.notes ? `\n  ${template.notes}` : ""}`,
    );
    if (Object.keys(newSecrets).length > 0)
      ctx.output.print(`${ctx.output.theme.ok} Stored ${Object.keys(newSecrets).join(", ")} (mode 0600)`);
    ctx.output.print("Run `mcp-twin sync` to install it and write it into every client.");
  }
  return 0;
}

async function listCatalogue(ctx: CommandContext): Promise<number> {
  const machine = await openMachine(ctx.host);
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
    ctx.output.warn(`${p.file}${p.line ? `:${p.line}:${p.column}` : ""}: ${p.message} (skipped)`);
  return 0;
}

/** A typo of a catalogue name must not become an npm package: ask the registry (offline: trust it). */
async function assertPublished(
  ctx: CommandContext,
  spec: string,
  templates: readonly Template[],
): Promise<void> {
  const step = ctx.output.progress.step(`Looking up ${spec}`);
  const r = await ctx.host.runner.run("npm", ["view", spec, "name"], {
    env: { ...ctx.host.env },
    timeoutMs: 30_000,
  });
  step.stop();
  if (r.exitCode !== 0 && /E404|404 Not Found|No match found/i.test(r.stderr.toString()))
    throw unknown(spec, templates);
}

function unknown(what: string, templates: readonly Template[]): UsageError {
  const close = [
    ...new Set([
      ...didYouMean(
        what,
        templates.map((t) => t.name),
      ),
      ...searchTemplates(templates, what).map((t) => t.name),
    ]),
  ];
  return new UsageError("unknown-server", `"${what}" is neither a catalogue entry nor an npm package name.`, {
    hint:
      close.length > 0
        ? `Did you mean ${close.slice(0, 3).join(", ")}? (\`mcp-twin add --list\` shows the catalogue)`
        : "`mcp-twin add --list` shows the catalogue.",
  });
}
