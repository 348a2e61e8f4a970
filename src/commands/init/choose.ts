/**
 * init's questions, one step each: servers to import, servers to add (catalogue and MCP Registry),
 * their inputs and keys, the bridge. A flag's answer is used before anything is asked; without
 * prompts (--yes, --json, no terminal) a missing required answer is an exit-2 error.
 */
import { placesOf } from "../../core/catalogue/folder-places.js";
import { instantiate } from "../../core/catalogue/index.js";
import type { ServerTemplate } from "../../core/catalogue/schema.js";
import { UsageError } from "../../core/errors.js";
import { envInfo } from "../../core/import/read-config.js";
import { referencesOf } from "../../core/manifest/spec.js";
import { own } from "../../core/own-keys.js";
import { parseRegistryName } from "../../core/registry/index.js";
import { chooseWay, fetchRegistryServer, registryNotes, withProvenance } from "../../core/registry/pick.js";
import { checkSecretFlagNames } from "../../core/selectors.js";
import { andList } from "../../core/words.js";
import { askInputs, askSecrets, checkArgNames, parseArgFlags, parseSecretFlags } from "../../ui/ask.js";
import { askClashes } from "../../ui/clash.js";
import { pickServers } from "../../ui/pick-servers.js";
import { shareLine } from "../../ui/reports/server-launch.js";
import type { InitContext } from "./init-context.js";

/** Servers already configured in a client: offered (all checked), or all with --import. */
export async function chooseImports(
  ctx: Pick<InitContext, "scan" | "prompts" | "options" | "out" | "imports">,
) {
  const importable = ctx.scan.candidates.filter((cand) => cand.status === "new");
  if (importable.length === 0) return;
  if (!ctx.prompts) {
    if (ctx.options.import) ctx.imports = importable;
    return;
  }
  const { dim } = ctx.out.theme.c;
  const where = (x: (typeof importable)[number]["found"][number]) =>
    `${x.env} ${x.client}${x.scope === "user" ? "" : ` (${x.scope})`}${x.ignoredByApp ? " (its classic file)" : ""}`;
  // Where they were found, in the question itself: the answered line keeps it on screen.
  const places = [...new Set(importable.flatMap((cand) => cand.found.map(where)))];
  const list = andList(places);
  const names = await ctx.prompts.checkbox({
    // The number agrees throughout: one server is "it", with one entry.
    message:
      importable.length === 1
        ? `A server found in ${list}: bring it into the manifest (one entry, for every client)?`
        : `Servers found in ${list}: bring them into the manifest (one entry each, for every client)?`,
    choices: importable.map((cand) => ({
      name: `${cand.name}  ${dim([...new Set(cand.found.map(where))].join(", "))}`,
      value: cand.name,
      short: cand.name,
      checked: true,
    })),
  });
  ctx.imports = importable.filter((cand) => names.includes(cand.name));
  // A key with different values in different places, among the servers chosen: asked now.
  const picked = new Set(names);
  if (ctx.scan.clashes.some((c) => c.needsChoice && !c.resolution && c.servers.some((n) => picked.has(n)))) {
    const answers = await askClashes(ctx.scan.clashes, ctx.prompts, picked);
    ctx.out.addSecrets(Object.values(answers.secrets));
    ctx.scan = ctx.scan.replan(answers);
    ctx.imports = ctx.scan.candidates.filter((cand) => cand.status === "new" && picked.has(cand.name));
  }
}

/** Servers from the catalogue and the MCP Registry (asked only when a name or a typed term needs it). */
export async function chooseServers(
  ctx: Pick<
    InitContext,
    "catalogue" | "existing" | "imports" | "prompts" | "options" | "out" | "openRegistry" | "chosen"
  >,
) {
  const registryIo = { progress: ctx.out.progress, warn: (line: string) => ctx.out.warn(line) };
  const given = ctx.options.server ?? [];
  if (given.length > 0) {
    // init adds to the manifest, never starts it over: a server it has already (perhaps edited by
    // hand) is kept as it is, and said so — `add --force` is the way to replace it.
    const kept: string[] = [];
    for (const name of given) {
      const template = ctx.catalogue.templates.find((x) => x.name === name);
      if (template) {
        if (own(ctx.existing.manifest.servers, template.name) !== undefined) kept.push(template.name);
        else ctx.chosen.push({ template });
      } else {
        const client = await ctx.openRegistry();
        const found = chooseWay(
          client,
          // look.ts let only catalogue and registry names through.
          await fetchRegistryServer(client, parseRegistryName(name) ?? { name }, registryIo),
        );
        if (own(ctx.existing.manifest.servers, found.template.name) !== undefined)
          kept.push(found.template.name);
        else ctx.chosen.push({ template: found.template, registry: found });
      }
    }
    if (kept.length > 0)
      ctx.out.print(
        `${ctx.out.theme.skip} ${kept.join(", ")} ${kept.length === 1 ? "is" : "are"} in the manifest already: kept as ${kept.length === 1 ? "it is" : "they are"} (\`mcp-twin add ${kept[0]} --force\` replaces ${kept.length === 1 ? "it" : "one"} with the catalogue's).`,
      );
    return;
  }
  if (!ctx.prompts) return;
  // Why each cannot be added again: the manifest has it (when there is one), or it is being
  // imported from a client config (chosen above; the manifest does not exist yet on a first run).
  const taken = new Map<string, string>([
    ...Object.keys(ctx.existing.manifest.servers).map((n): [string, string] => [
      n,
      "already in the manifest",
    ]),
    ...ctx.imports.map((i): [string, string] => [
      i.name,
      `being imported from ${andList([...new Set(i.found.map((f) => `${f.env} ${f.client}`))])} (chosen above)`,
    ]),
  ]);
  const result = await pickServers(
    ctx.prompts,
    ctx.catalogue.templates,
    taken,
    ctx.out.theme.c.dim,
    ctx.openRegistry,
  );
  for (const p of result.picked) {
    if (p.kind === "catalogue") ctx.chosen.push({ template: p.template });
    else {
      const found = chooseWay(await ctx.openRegistry(), p.entry);
      ctx.chosen.push({ template: found.template, registry: found });
    }
  }
}

/** Inputs and keys, each asked once: placeholders of imported entries first, then each new server's. */
export async function askKeys(
  ctx: Pick<
    InitContext,
    | "imports"
    | "chosen"
    | "stored"
    | "prompts"
    | "options"
    | "out"
    | "homedir"
    | "importAnswers"
    | "newServers"
    | "newSecrets"
    | "registryNotes"
    | "env"
    | "existing"
    | "machine"
    | "environments"
    | "catalogue"
  >,
) {
  const { out } = ctx;
  // A folder answer is spelled for each environment the server runs in.
  const places = placesOf(ctx.machine.local, ctx.environments.map(envInfo));
  const askCtx = { prompts: ctx.prompts, homedir: ctx.homedir, env: ctx.env, places };
  const givenSecrets = parseSecretFlags(ctx.options.secret ?? []);
  out.addSecrets([...givenSecrets.values()].filter((v): v is string => Boolean(v)));
  // Imported entries that held a placeholder where a key belongs ("YOUR_API_KEY"): ask for the
  // real one now; skipped, the server is imported and `secret set` can fill it in later.
  const placeholders = uniqueBy(
    ctx.imports.flatMap((cand) => cand.missing.map((m) => ({ ...m, server: cand.name }))),
    (m) => m.name,
  ).filter((m) => own(ctx.stored, m.name) === undefined);
  // A --secret for a server init keeps as it is (in the manifest already) would be dropped: say
  // how that server's key is changed instead.
  for (const name of givenSecrets.keys()) {
    const keptUsers = Object.entries(ctx.existing.manifest.servers)
      .filter(([, spec]) => referencesOf(spec, "secret").includes(name))
      .map(([server]) => server);
    if (
      keptUsers.length > 0 &&
      !ctx.chosen.some(({ template: t }) => t.secrets?.some((x) => x.name === name))
    )
      throw new UsageError(
        "unknown-secret",
        `--secret ${name}: ${keptUsers.join(", ")} ${keptUsers.length === 1 ? "is" : "are"} in the manifest already and init keeps ${keptUsers.length === 1 ? "it" : "them"} as ${keptUsers.length === 1 ? "it is" : "they are"}, so init does not take a key for ${keptUsers.length === 1 ? "it" : "them"}.`,
        { hint: `\`mcp-twin secret set ${name}\` replaces the stored key; then \`mcp-twin sync\`.` },
      );
  }
  // Every --secret must be one of these (before anything is asked): a typo is named, not dropped —
  // also a typo of a key of a server init keeps as it is (pointed at, with how to store it).
  const kept = new Map<string, string[]>();
  for (const [server, spec] of Object.entries(ctx.existing.manifest.servers))
    for (const name of referencesOf(spec, "secret")) kept.set(name, [...(kept.get(name) ?? []), server]);
  checkSecretFlagNames(
    givenSecrets.keys(),
    [
      ...ctx.imports.flatMap((cand) => [...cand.secrets, ...cand.missing.map((m) => m.name)]),
      ...ctx.chosen.flatMap(({ template: t }) => (t.secrets ?? []).map((spec) => spec.name)),
    ],
    "no server this init sets up uses it",
    kept,
  );
  ctx.importAnswers = await askSecrets(
    placeholders.map((m) => ({
      name: m.name,
      description: `${m.name} for ${m.server} (its config held "${m.placeholder}")`,
      optional: true,
    })),
    givenSecrets,
    ctx.stored,
    askCtx,
  );
  out.addSecrets(Object.values(ctx.importAnswers.values));
  const givenArgs = parseArgFlags(ctx.options.arg ?? []);
  checkKeptArgs(givenArgs, ctx);
  checkArgNames(
    givenArgs,
    ctx.chosen.map((c) => c.template),
    { qualified: true },
  );
  for (const { template: t, registry: fromRegistry } of ctx.chosen) {
    const argsOfT = Object.fromEntries(
      Object.entries(givenArgs).flatMap(([k, v]) =>
        k.startsWith(`${t.name}.`) ? [[k.slice(t.name.length + 1), v]] : own(t.inputs, k) ? [[k, v]] : [],
      ),
    );
    const inputs = await askInputs(t, argsOfT, askCtx);
    if (!ctx.prompts && !out.json) for (const line of defaultedLines(t, argsOfT)) out.print(`  ${line}`);
    const secrets = await askSecrets(
      t.secrets ?? [],
      givenSecrets,
      { ...ctx.stored, ...ctx.newSecrets },
      askCtx,
    );
    Object.assign(ctx.newSecrets, secrets.values);
    out.addSecrets(Object.values(secrets.values));
    const made = instantiate(t, { inputs, withoutSecrets: secrets.skipped }, ctx.homedir, places);
    if (made.renamed) ctx.registryNotes.push(`${t.name}: ${made.renamed}`);
    if (fromRegistry) {
      made.server = withProvenance(fromRegistry, made.server);
      ctx.registryNotes.push(...registryNotes(fromRegistry).map((line) => `${made.name}: ${line}`));
    }
    const line = shareLine({
      name: made.name,
      server: made.server,
      shareWhy: t.share && made.server.share ? t.share.why : undefined,
    });
    if (line && !out.json) out.print(`  ${made.name}: ${line}`);
    ctx.newServers.push({ ...made, measured: t.budget });
  }
}

/**
 * Without prompts, an input no --arg answered takes the catalogue's default: say which (filesystem's
 * folder is then the whole home), and the flag that gives another.
 */
function defaultedLines(t: ServerTemplate, given: Readonly<Record<string, string>>): string[] {
  return Object.entries(t.inputs ?? {})
    .filter(([key, spec]) => own(given, key) === undefined && spec.default)
    .map(([key, spec]) => {
      const value =
        spec.default === "~" && spec.type === "folder" ? "~ (your whole home folder)" : spec.default;
      return `${t.name}: ${key} ${value}, the catalogue's default; \`--arg ${t.name}.${key}=<${spec.type === "folder" ? "folder" : "value"}>\` gives another.`;
    });
}

/**
 * An --arg for a server init keeps as it is (in the manifest already) would be dropped, or read as
 * a typo: say that it is kept, and how its input is changed instead (`add --force` with the arg).
 */
function checkKeptArgs(
  given: Readonly<Record<string, string>>,
  ctx: Pick<InitContext, "existing" | "chosen" | "catalogue">,
): void {
  const chosen = new Set(ctx.chosen.map((c) => c.template.name));
  const kept = ctx.catalogue.templates.filter(
    (t) => !chosen.has(t.name) && own(ctx.existing.manifest.servers, t.name) !== undefined,
  );
  for (const [key, value] of Object.entries(given)) {
    const dot = key.indexOf(".");
    const input = dot > 0 ? key.slice(dot + 1) : key;
    const server = kept.find((t) =>
      dot > 0 ? t.name === key.slice(0, dot) : chosen.size === 0 && own(t.inputs, key) !== undefined,
    );
    if (!server || own(server.inputs, input) === undefined) continue;
    throw new UsageError(
      "server-kept",
      `--arg ${key}: ${server.name} is in the manifest already and init keeps it as it is, so init does not take its ${input}.`,
      {
        hint: `\`mcp-twin add ${server.name} --force --arg ${input}=${/\s/.test(value) ? JSON.stringify(value) : value}\` replaces it with the catalogue's, with that ${input}; then \`mcp-twin sync\`.`,
      },
    );
  }
}

/** The bridge: offered where it matters, on a PC with both Windows and WSL. */
export async function offerBridge(
  ctx: Pick<InitContext, "environments" | "existing" | "options" | "prompts" | "enableBridge">,
) {
  const bridge = ctx.existing.manifest.bridge;
  ctx.enableBridge = ctx.options.bridge === true && !bridge?.enabled;
  const bothSides =
    ctx.environments.some((e) => e.kind === "windows") && ctx.environments.some((e) => e.kind === "wsl");
  if (!ctx.enableBridge && ctx.prompts && bothSides && bridge === undefined)
    ctx.enableBridge = await ctx.prompts.confirm({
      message:
        "Also let Windows and WSL sessions share memory, notes and a hand-off queue (the mcp-twin bridge, in every client)?",
      default: false,
    });
}

/** Nothing chosen on a machine without a manifest is an error; with one, there is nothing to add. */
export function somethingChosen(
  ctx: Pick<InitContext, "newServers" | "imports" | "enableBridge" | "existing" | "out">,
): void {
  if (ctx.newServers.length > 0 || ctx.imports.length > 0 || ctx.enableBridge) return;
  if (ctx.existing.missing)
    throw new UsageError("nothing-chosen", "No server chosen, so there is nothing to set up.", {
      hint: "Pick at least one, or pass --server <name> (see `mcp-twin add --list`).",
    });
  ctx.out.print(`${ctx.out.theme.skip} Nothing new to add.`);
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && Boolean(seen.add(key(item))));
}
