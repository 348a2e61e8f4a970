/**
 * `mcp-twin init`: from nothing to both sides working. Shows what it found, offers the servers
 * already configured anywhere, lets the user pick more from the catalogue, asks each input and key
 * once, shows what will be written, and syncs. Every question comes before the first write, so
 * Ctrl-C at any prompt leaves everything as it was (exit 130). Run again on a configured machine,
 * it adds to the existing manifest. `--yes` with `--server`/`--secret` does the same unattended.
 */
import type { CommandContext } from "../cli.js";
import { instantiate, loadCatalogue, type ServerTemplate } from "../core/catalogue/index.js";
import { detectEnvironments } from "../core/environments/detect.js";
import { UsageError, UsageErrors } from "../core/errors.js";
import { withLock } from "../core/files.js";
import { localHomedir } from "../core/host.js";
import { applyImport, type ImportCandidate, scanImports } from "../core/import/index.js";
import { openMachine } from "../core/machine.js";
import { editManifest, schemaRefFor, withBridgeEnabled, withServer } from "../core/manifest/edit.js";
import { loadManifest, userManifest } from "../core/manifest/load.js";
import type { ServerSpec } from "../core/manifest/schema.js";
import { loadSecrets, saveSecrets } from "../core/manifest/secrets.js";
import { parseManifestText } from "../core/manifest/validate.js";
import { dict, own } from "../core/own.js";
import { openRegistry, parseRegistryName, type RegistryClient } from "../core/registry/index.js";
import {
  type ChosenServer,
  chooseWay,
  fetchRegistryServer,
  registryNotes as notesFor,
  withProvenance,
} from "../core/registry/pick.js";
import { selectEnvironments, unknownName } from "../core/selectors.js";
import { runSync, syncExitCode } from "../core/sync.js";
import { discoverTargets } from "../core/targets.js";
import { askInputs, askSecrets, parseArgFlags, parseSecretFlags } from "../ui/ask.js";
import { unifiedDiff } from "../ui/diff.js";
import { pickServers } from "../ui/pick-servers.js";
import { inquirerPrompts, type Prompts } from "../ui/prompts.js";
import { jsonReport, renderReport } from "../ui/sync-report.js";

/** In the picker, a registry that does not answer soon is given up on (the catalogue goes on). */
const PICKER_TIMEOUT_MS = 5_000;

interface InitOptions {
  registry?: string;
  server?: string[];
  secret?: string[];
  arg?: string[];
  import?: boolean;
  sync?: boolean;
  bridge?: boolean;
}

export async function run(ctx: CommandContext): Promise<number> {
  const o = ctx.options as CommandContext["options"] & InitOptions;
  const out = ctx.output;
  const { c, ok, warn, skip } = out.theme;
  const interactive = !o.yes && !o.json && Boolean(process.stdin.isTTY);
  const prompts: Prompts | undefined = interactive ? inquirerPrompts() : undefined;
  const homedir = localHomedir(ctx.host);

  // 1. What is here.
  const machine = await openMachine(ctx.host);
  const look = out.progress.step("Looking at this machine");
  const { environments } = await detectEnvironments(machine);
  const targets = await discoverTargets(environments, {});
  look.stop();
  // Names given on the command line are checked before anything is asked: the sync at the end
  // honours --env, and --server must name catalogue entries.
  selectEnvironments(environments, o.env);
  const catalogue = loadCatalogue({ homeDir: machine.home.dir });
  for (const p of catalogue.problems)
    out.warn(`${p.file}${p.line ? `:${p.line}:${p.column}` : ""}: ${p.message} (template skipped)`);
  const names = catalogue.templates.map((t) => t.name);
  // An MCP Registry name (io.github.owner/server) is looked up there, later.
  const unknown = (o.server ?? []).filter((name) => !names.includes(name) && !parseRegistryName(name));
  if (unknown.length > 0)
    throw new UsageErrors(
      unknown.map((name) =>
        unknownName({
          code: "unknown-server",
          given: "--server",
          name,
          isNot:
            "not in the catalogue, nor an MCP Registry name (namespace/name); `mcp-twin add <package>` adds an npm package",
          knownAs: "The catalogue",
          known: names,
        }),
      ),
    );
  // init sets up this machine's clients: the user-level manifest, never a project's ./mcp-twin.jsonc.
  const file = userManifest({
    manifest: o.manifest,
    cwd: ctx.host.cwd,
    homeManifest: machine.paths.manifest,
  });
  const existing = await loadManifest(file, { cacheDir: machine.paths.cache });
  const stored = await loadSecrets(machine.paths.secrets);
  out.addSecrets(Object.values(stored));
  if (!o.json) {
    out.print(c.bold("Environments"));
    for (const e of environments) {
      const clients = targets.filter((t) => t.env.id === e.id).map((t) => t.client.name);
      out.print(
        `  ${e.usable ? ok : warn} ${e.id.padEnd(12)} ${e.usable ? `node ${e.node?.version ?? "?"}` : c.yellow(e.reason ?? "not usable")}  ${c.dim(clients.length > 0 ? clients.join(", ") : "no client found")}`,
      );
    }
    out.print(
      existing.missing
        ? `Manifest: ${file} (new)`
        : `Manifest: ${file} (${Object.keys(existing.manifest.servers).length} servers already)`,
    );
  }

  // 2. Servers already configured somewhere.
  const scan = await scanImports(machine, { manifest: o.manifest });
  out.addSecrets(Object.values(scan.secretValues));
  const importable = scan.candidates.filter((cand) => cand.status === "new");
  let imports: ImportCandidate[] = [];
  if (importable.length > 0) {
    if (prompts) {
      const names = await prompts.checkbox({
        message:
          "These servers are configured already. Bring them into the manifest (one entry each, for every client)?",
        choices: importable.map((cand) => ({
          name: `${cand.name}  ${c.dim([...new Set(cand.found.map((x) => `${x.env} ${x.client}`))].join(", "))}`,
          value: cand.name,
          short: cand.name,
          checked: true,
        })),
      });
      imports = importable.filter((cand) => names.includes(cand.name));
    } else if (o.import) {
      imports = importable;
    }
  }

  // 3. Servers from the catalogue and the MCP Registry (asked only when a name or a typed term
  // needs it: the catalogue works offline).
  const taken = new Set([...Object.keys(existing.manifest.servers), ...imports.map((i) => i.name)]);
  let registry: Promise<RegistryClient> | undefined;
  const openTheRegistry = () => {
    registry ??= openRegistry(machine, { url: o.registry, signal: ctx.signal, timeoutMs: PICKER_TIMEOUT_MS });
    return registry;
  };
  const registryIo = { progress: out.progress, warn: (line: string) => out.warn(line) };
  const chosen: Array<{ template: ServerTemplate; registry?: ChosenServer }> = [];
  if (o.server && o.server.length > 0) {
    for (const name of o.server) {
      const t = catalogue.templates.find((x) => x.name === name);
      if (t) chosen.push({ template: t });
      else {
        const client = await openTheRegistry();
        const found = chooseWay(
          client,
          await fetchRegistryServer(client, parseRegistryName(name)!, registryIo),
        );
        chosen.push({ template: found.template, registry: found });
      }
    }
  } else if (prompts) {
    const result = await pickServers(prompts, catalogue.templates, taken, c.dim, openTheRegistry);
    if (result.registryNote) out.warn(`The MCP Registry was not searched: ${result.registryNote}`);
    for (const p of result.picked) {
      if (p.kind === "catalogue") chosen.push({ template: p.template });
      else {
        const found = chooseWay(await openTheRegistry(), p.entry);
        chosen.push({ template: found.template, registry: found });
      }
    }
  }

  // 4. Inputs and keys, each asked once.
  const askCtx = { prompts, homedir, env: ctx.host.env };
  const givenSecrets = parseSecretFlags(o.secret ?? []);
  out.addSecrets([...givenSecrets.values()].filter((v): v is string => Boolean(v)));
  // Imported entries that held a placeholder where a key belongs ("YOUR_API_KEY"): ask for the
  // real one now; skipped, the server is imported and `secret set` can fill it in later.
  const placeholders = uniqueBy(
    imports.flatMap((cand) => cand.missing.map((m) => ({ ...m, server: cand.name }))),
    (m) => m.name,
  ).filter((m) => own(stored, m.name) === undefined);
  const importAnswers = await askSecrets(
    placeholders.map((m) => ({
      name: m.name,
      description: `${m.name} for ${m.server} (its config held "${m.placeholder}")`,
      optional: true,
    })),
    givenSecrets,
    stored,
    askCtx,
  );
  out.addSecrets(Object.values(importAnswers.values));
  const givenArgs = parseArgFlags(o.arg ?? []);
  const newServers: Array<{ name: string; server: ServerSpec }> = [];
  const newSecrets = dict<string>();
  const registryNotes: string[] = [];
  for (const { template: t, registry: fromRegistry } of chosen) {
    const inputs = await askInputs(
      t,
      Object.fromEntries(
        Object.entries(givenArgs).flatMap(([k, v]) =>
          k.startsWith(`${t.name}.`) ? [[k.slice(t.name.length + 1), v]] : own(t.inputs, k) ? [[k, v]] : [],
        ),
      ),
      askCtx,
    );
    const secrets = await askSecrets(t.secrets ?? [], givenSecrets, { ...stored, ...newSecrets }, askCtx);
    Object.assign(newSecrets, secrets.values);
    out.addSecrets(Object.values(secrets.values));
    const made = instantiate(t, { inputs, withoutSecrets: secrets.skipped }, homedir);
    if (fromRegistry) {
      made.server = withProvenance(fromRegistry, made.server);
      registryNotes.push(...notesFor(fromRegistry).map((line) => `${made.name}: ${line}`));
    }
    newServers.push(made);
  }
  // The bridge: offered where it matters, on a PC with both Windows and WSL.
  const bothSides =
    environments.some((e) => e.kind === "windows") && environments.some((e) => e.kind === "wsl");
  let enableBridge = o.bridge === true && !existing.manifest.bridge?.enabled;
  if (!enableBridge && prompts && bothSides && existing.manifest.bridge === undefined)
    enableBridge = await prompts.confirm({
      message:
        "Also let Windows and WSL sessions share memory, notes and a hand-off queue (the mcp-twin bridge, in every client)?",
      default: false,
    });
  if (newServers.length === 0 && imports.length === 0 && !enableBridge) {
    if (existing.missing) {
      throw new UsageError("nothing-chosen", "No server chosen, so there is nothing to set up.", {
        hint: "Pick at least one, or pass --server <name> (see `mcp-twin add --list`).",
      });
    }
    out.print(`${skip} Nothing new to add.`);
  }

  /** The sync's report (dry run or real), as JSON with what init added, or as text. */
  const showSync = async (report: Awaited<ReturnType<typeof runSync>>, dryRun: boolean) => {
    out.addSecrets(report.secretValues);
    if (out.json)
      out.result({
        manifest: file,
        servers: [...imports.map((i) => i.name), ...newServers.map((s) => s.name)],
        sync: jsonReport(report),
      });
    else await renderReport(report, out, dryRun, { manifestShown: true });
  };

  // 5. The plan, then one confirmation before anything is written.
  const schemaRef = schemaRefFor(file, machine);
  const importSelection = { servers: imports.map((i) => i.name), secrets: importAnswers.values };
  const importPreview =
    imports.length > 0 ? await applyImport(machine, scan, { ...importSelection, dryRun: true }) : undefined;
  let nextText = importPreview ? importPreview.after : existing.text;
  for (const s of newServers) nextText = withServer(nextText, file, s.name, s.server, schemaRef);
  if (enableBridge) nextText = withBridgeEnabled(nextText, file, schemaRef);
  const manifestChanged = nextText !== existing.text && nextText !== null;
  if (!o.json) {
    out.print("");
    out.print(c.bold("Plan"));
    if (manifestChanged)
      out.print(
        `  ${ok} ${existing.missing ? "create" : "update"} ${file}: ${[...imports.map((i) => `${i.name} (imported)`), ...newServers.map((s) => s.name), ...(enableBridge ? ["the bridge"] : [])].join(", ")}`,
      );
    const secretNames = [...new Set([...Object.keys(newSecrets), ...(importPreview?.secrets ?? [])])];
    if (secretNames.length > 0)
      out.print(`  ${ok} store ${secretNames.join(", ")} in ${machine.paths.secrets} (mode 0600)`);
    const pkgs = [...imports.map((i) => i.server.package), ...newServers.map((s) => s.server.package)].filter(
      Boolean,
    );
    const installHere = environments.filter((e) => e.usable).map((e) => e.id);
    if (pkgs.length > 0)
      out.print(
        `  ${ok} install ${pkgs.join(", ")} in ${installHere.join(" and ") || "no usable environment"}`,
      );
    for (const line of registryNotes) out.print(`  ${c.dim(line)}`);
    out.print(
      `  ${ok} write ${targets.length > 0 ? targets.map((t) => `${t.env.id} ${t.client.name}`).join(", ") : "no client config (none found)"}`,
    );
  }
  if (o.dryRun) {
    if (manifestChanged && !o.json) out.print(await unifiedDiff(file, existing.text, nextText!, out));
    if (!manifestChanged) return 0;
    const preview = {
      manifest: { file, missing: false, text: nextText, manifest: parseManifestText(nextText!, file) },
      secrets: {
        ...pick({ ...scan.secretValues, ...importAnswers.values }, importPreview?.secrets),
        ...newSecrets,
      },
    };
    const report = await runSync(
      machine,
      {
        manifest: file,
        dryRun: true,
        force: false,
        update: false,
        prune: false,
        envs: o.env,
        clients: o.client,
        preview,
      },
      out.progress,
    );
    await showSync(report, true);
    return 0;
  }
  if (prompts && !(await prompts.confirm({ message: "Write these files and go on?", default: true }))) {
    out.print("Nothing written.");
    return 0;
  }

  // 6. Write: imported servers (with their keys, and adopting the entries they came from), then
  // the catalogue ones and their keys.
  if (imports.length > 0) await applyImport(machine, scan, importSelection);
  if (newServers.length > 0 || enableBridge) {
    await editManifest(machine, file, (current) => {
      let text = current;
      for (const s of newServers) text = withServer(text, file, s.name, s.server, schemaRef);
      return enableBridge ? withBridgeEnabled(text, file, schemaRef) : text;
    });
  }
  if (Object.keys(newSecrets).length > 0) {
    await withLock(machine.home.dir, async () =>
      saveSecrets(machine.paths.secrets, { ...(await loadSecrets(machine.paths.secrets)), ...newSecrets }),
    );
  }
  if (!o.json) out.print(`${ok} Wrote ${file}`);

  // 7. Sync, unless told not to.
  const doSync =
    o.sync !== false &&
    (!prompts ||
      (await prompts.confirm({
        message: "Install the packages and write every client config now?",
        default: true,
      })));
  if (!doSync) {
    if (out.json)
      out.result({
        manifest: file,
        servers: [...imports.map((i) => i.name), ...newServers.map((s) => s.name)],
        synced: false,
      });
    else out.print("Run `mcp-twin sync` when you are ready.");
    return 0;
  }
  const report = await runSync(
    machine,
    {
      manifest: file,
      dryRun: false,
      force: false,
      update: false,
      prune: false,
      envs: o.env,
      clients: o.client,
      signal: ctx.signal,
    },
    out.progress,
  );
  await showSync(report, false);
  return syncExitCode(report);
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && Boolean(seen.add(key(item))));
}

function pick(
  values: Readonly<Record<string, string>>,
  names: readonly string[] = [],
): Record<string, string> {
  return dict(
    names.flatMap((n) => {
      const v = own(values, n);
      return v === undefined ? [] : [[n, v] as const];
    }),
  );
}
