/**
 * init's questions, one step each: servers to import, servers to add (catalogue and MCP Registry),
 * the bridge (inputs and keys are keys.ts's). A flag's answer is used before anything is asked;
 * without prompts (--yes, --json, no terminal) a missing required answer is an exit-2 error.
 */
import { UsageError } from "../../core/errors.js";
import { own } from "../../core/plain-records.js";
import { parseRegistryName } from "../../core/registry/index.js";
import { chooseWay, fetchRegistryServer } from "../../core/registry/pick.js";
import { andList } from "../../core/text/prose-lists.js";
import { askClashes } from "../../ui/clash.js";
import { pickServers } from "../../ui/pick-servers.js";
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
