/**
 * init's inputs and keys: each asked once (a flag's answer first), placeholders of imported entries
 * before each new server's; a --secret or --arg that init would drop is an error that says why.
 */
import { placesOf } from "../../core/catalogue/folder-places.js";
import { instantiate } from "../../core/catalogue/index.js";
import type { ServerTemplate } from "../../core/catalogue/schema.js";
import { catalogueSecretFormats } from "../../core/catalogue/secret-formats.js";
import { UsageError } from "../../core/errors.js";
import { envInfo } from "../../core/import/read-config.js";
import { referencesOf } from "../../core/manifest/spec.js";
import { own } from "../../core/plain-records.js";
import { registryNotes, withProvenance } from "../../core/registry/pick.js";
import { checkSecretFlagNames } from "../../core/selectors.js";
import { askInputs, askSecrets, checkArgNames, parseArgFlags, parseSecretFlags } from "../../ui/ask.js";
import { shareLine } from "../../ui/reports/server-launch.js";
import type { InitContext } from "./init-context.js";

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
  const formats = catalogueSecretFormats(ctx.machine.home.dir);
  const askCtx = { prompts: ctx.prompts, homedir: ctx.homedir, env: ctx.env, places, formats };
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

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && Boolean(seen.add(key(item))));
}
