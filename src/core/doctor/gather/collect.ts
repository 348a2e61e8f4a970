/**
 * Gathering (all of doctor's I/O): the home (manifest, secrets, state), environments, client
 * configs, entries, drift, running apps, the bridge and the live probes — the slow ones (apps,
 * bridge, probes) in parallel. Nothing here judges: the checks in the registry read the facts.
 */

import { bridgeEnvironment } from "../../bridge-control/placement.js";
import { readRecordedPort } from "../../bridge-control/port-record.js";
import { resolveBridgeSettings } from "../../bridge-control/settings.js";
import { backupCounts } from "../../clients/unreadable-target.js";
import { inScope, lookAround, readHome as readStoredHome } from "../../context/context.js";
import { homeKey, rememberToolLists, type ToolDef } from "../../entries/tool-lists.js";
import { rememberWithheldNeeds } from "../../entries/withheld-needs.js";
import type { Detection } from "../../environments/detect.js";
import { envMatches } from "../../environments/env-selector.js";
import { type Machine, openMachine } from "../../environments/machine.js";
import { isOnWindowsDrive, pathShown } from "../../environments/path-translation.js";
import type { Environment } from "../../environments/types.js";
import { isTwinError, UsageErrors } from "../../errors.js";
import { loadFormats } from "../../formats/index.js";
import { checkAllBackups, repairSources } from "../../ledger/backups.js";
import { settleMovedClaims } from "../../ledger/moved-claims.js";
import { emptyState, loadState, recordsEntry, type State, saveState } from "../../ledger/state.js";
import { BRIDGE_ENTRY } from "../../manifest/bridge-entry-name.js";
import { findManifest, type LoadedManifest, loadManifest } from "../../manifest/load.js";
import { splitSpec } from "../../manifest/package-spec.js";
import { type Manifest, manifestSchema, type ServerSpec } from "../../manifest/schema.js";
import { type SecretsWhere, secretsPrivacy } from "../../manifest/secrets-file.js";
import { TOOLS_ENTRY } from "../../manifest/tool-search.js";
import { type TrustRequest, trust } from "../../manifest/trust.js";
import { loginLines } from "../../oauth/needs-login.js";
import { knownVersions, packageServers } from "../../packages/installs.js";
import { own } from "../../plain-records.js";
import type { SecretFormat } from "../../secrets/placeholders.js";
import { assertAllKnown, selectEnvironments } from "../../selectors.js";
import { pathExists, withLock } from "../../system/files.js";
import type { Host } from "../../system/host.js";
import type { Progress } from "../../system/progress.js";
import { isWiped } from "../checks/configs.js";
import { placeholderKind } from "../checks/secrets.js";
import {
  type DoctorFacts,
  type EntryWork,
  emptyFacts,
  type NodeFacts,
  type ProbeItem,
  type RunningApp,
  type SharedFacts,
} from "../facts.js";
import { runProbes } from "../probe/probe-phase.js";
import { gatherBridge } from "./bridge-phase.js";
import { budgetFacts } from "./budget-phase.js";
import { driftItems, pluginFacts } from "./drift-phase.js";
import { inspectEntries } from "./entries-phase.js";
import { pathPrograms, prefixState, runningSince, secretsMode, strayManifests } from "./lookups.js";
import { askOwnLists } from "./own-list-phase.js";
import { pinFacts } from "./pins-phase.js";
import { gateProjectProbes } from "./project-trust.js";
import { type ConfigFacts, projectDir, readConfig } from "./read-configs.js";
import { gatherShared } from "./shared-phase.js";
import { allTargets } from "./targets-phase.js";

/** What doctor knows of the home: read, never thrown (a broken file is a finding). */
interface HomeContext {
  manifestFile: string;
  scope: "user" | "project";
  loaded?: LoadedManifest;
  manifest: Manifest;
  manifestErrors: string[];
  /** What to do when it is not fixed at the positions shown (an empty file). */
  manifestFix?: string;
  secrets: Record<string, string>;
  /** Stored secrets whose value the user accepted despite its format (`secret set --force`). */
  accepted: ReadonlySet<string>;
  /** Where the keys are kept: the OS keychain, or the file (and why). */
  where?: SecretsWhere | undefined;
  secretsError?: { message: string; fix?: string | undefined };
  state: State;
  stateError?: { message: string; fix?: string | undefined };
}

/** The one seam through which doctor gets the manifest, secrets and state. */
async function readHome(machine: Machine, options: { manifest?: string | undefined }): Promise<HomeContext> {
  const located = findManifest({
    manifest: options.manifest,
    cwd: machine.host.cwd,
    homeManifest: machine.paths.manifest,
  });
  let loaded: LoadedManifest | undefined;
  const manifestErrors: string[] = [];
  let manifestFix: string | undefined;
  try {
    // A project manifest acts as sync lets it: its bridge setting is not its to make.
    loaded = inScope(await loadManifest(located.file), located.scope);
  } catch (error) {
    if (!isTwinError(error)) throw error;
    for (const e of error instanceof UsageErrors ? error.errors : [error]) manifestErrors.push(e.message);
    // An empty file has no position to fix: what to do is the error's own advice.
    if (error.code === "manifest-empty") manifestFix = error.hint;
  }
  // Secrets and state: read as every command reads them (core/context/context.ts), each problem a finding.
  const home = await readStoredHome(machine);
  const failure = (error: unknown) => {
    if (!isTwinError(error)) throw error;
    return { message: error.message, fix: error.hint };
  };
  const { secrets, accepted, where } = home.secrets.ok
    ? home.secrets.value
    : { secrets: {}, accepted: new Set<string>(), where: undefined };
  const secretsError = home.secrets.ok ? undefined : failure(home.secrets.error);
  const state: State = home.state.ok ? home.state.value : emptyState();
  const stateError = home.state.ok ? undefined : failure(home.state.error);
  return {
    manifestFile: located.file,
    scope: located.scope,
    ...(loaded ? { loaded } : {}),
    manifest: loaded?.manifest ?? manifestSchema.parse({}),
    manifestErrors,
    ...(manifestFix ? { manifestFix } : {}),
    secrets,
    accepted,
    ...(where ? { where } : {}),
    ...(secretsError ? { secretsError } : {}),
    state,
    ...(stateError ? { stateError } : {}),
  };
}

/** What doctor is asked to look at (its flags), read by every gathering step. */
export interface DoctorOptions {
  manifest?: string | undefined;
  envs: string[];
  clients: string[];
  servers: string[];
  project?: string | undefined;
  probe: boolean;
  timeoutMs: number;
  /** --timeout not given: each server is waited for as long as its client waits (up to 60 s). */
  followClients?: boolean;
  concurrency?: number;
  signal?: AbortSignal;
  /**
   * Asked before a project's own entries (a cloned repo's .mcp.json) are started by the probe:
   * --yes or a yes on a terminal. Absent: they are not started.
   */
  trust?: (request: TrustRequest) => Promise<boolean>;
}

/** What gathering found: the facts the checks read, and what the report names beside them. */
export interface Collected {
  facts: DoctorFacts;
  /** Values to mask in any output. */
  secretValues: string[];
  /** Config files looked at, for headings (paths as this machine shows them). */
  files: Array<{ env: string; client: string; scope: string; path: string; note?: string }>;
  /** The manifest used (absent when the home could not be found). */
  manifest?: { path: string; scope: "user" | "project" };
  /** Every manifest server, for the report's "Manifest servers" section. */
  manifestServers: Array<{ name: string; disabled: boolean; runs: string; wipedIn: string[] }>;
}

/** What every gathering step reads, and where it puts what it finds. */
interface Gathering {
  machine: Machine;
  options: DoctorOptions;
  progress: Progress;
  home: HomeContext;
  facts: DoctorFacts;
  secretValues: string[];
}

export async function collectFacts(
  host: Host,
  options: DoctorOptions,
  progress: Progress,
): Promise<Collected> {
  const facts = emptyFacts();
  let machine: Machine;
  try {
    // Its caches (environment facts) are written only once the run got past its checks of what
    // was asked: a `--server` no one knows is exit 2 with nothing written.
    machine = await openMachine(host, { holdCaches: true });
  } catch (error) {
    if (!isTwinError(error)) throw error;
    facts.homeError = { message: error.message, fix: error.hint };
    return { facts, secretValues: [], files: [], manifestServers: [] };
  }
  const home = await readHome(machine, options);
  // Placeholders are not secrets: leave them readable in the report.
  const secretValues = Object.entries(home.secrets).flatMap(([k, v]) => (placeholderKind(k, v) ? [] : [v]));
  const g: Gathering = { machine, options, progress, home, facts, secretValues };

  const { allEnvs, envs } = await environments(g);
  // Claims on entries a client moved out of an older file, as sync would settle them (read only).
  await settleMovedClaims(home.state, allEnvs);
  await homeFiles(g);
  const project = projectDir(host.cwd, options.project);
  const targets = await allTargets(envs, options.clients, project);
  await loadFormats(targets.map((t) => t.client));
  const configs = await Promise.all(
    targets.map((t) => readConfig(t, project).then((c) => modes(machine, c))),
  );
  // The servers asked for exist (in the manifest or a config read just now) before npm is asked
  // anything or a server started.
  checkServersAsked(g, configs);
  await machine.caches.flush();
  facts.environments = await Promise.all(envs.map((env) => nodeFacts(g, allEnvs, env)));
  const shown = pathShown(machine.local);
  const work = await entries(g, configs, allEnvs, project);
  await drift(g, configs, allEnvs, work);
  await live(g, configs, work, allEnvs);
  return {
    facts,
    secretValues,
    files: configs.map(({ target: t }) => ({
      env: t.env.id,
      client: t.client.id,
      scope: t.scope,
      path: shown(t.path),
      ...(t.note ? { note: t.note } : {}),
    })),
    manifest: { path: home.manifestFile, scope: home.scope },
    manifestServers: Object.entries(home.manifest.servers)
      .filter(([name]) => selected(options, name))
      .map(([name, s]) => ({
        name,
        disabled: s.disabled === true,
        runs: describeServer(s),
        // the environments of files that were reset while they held its entry (config.wiped)
        wipedIn: configs
          .filter((c) => {
            const recorded = home.state.targets[c.target.key]?.entries ?? {};
            return Object.hasOwn(recorded, name) && isWiped(c, Object.keys(recorded).length);
          })
          .map((c) => c.target.env.id),
      })),
  };
}

const selected = (options: DoctorOptions, name: string) =>
  options.servers.length === 0 || options.servers.includes(name);

/** The environments (all of them, and those --env selects); Windows not answering is a fact. */
async function environments(g: Gathering): Promise<{ allEnvs: Environment[]; envs: Environment[] }> {
  const { manifest } = g.home;
  let detection: Detection | undefined;
  try {
    ({ detection } = await lookAround(g.machine, { limitTo: manifest.environments, envs: [] }, g.progress));
  } catch (error) {
    g.facts.detectError = (error as Error).message;
  }
  const allEnvs = detection?.environments ?? [];
  g.facts.platform = {
    local: g.machine.local,
    home: { dir: g.machine.home.dir, source: g.machine.home.source },
    envs: allEnvs,
  };
  // When nothing could be looked at, the report says why; --env then selects nothing to check.
  return { allEnvs, envs: detection ? selectEnvironments(allEnvs, g.options.envs) : [] };
}

/** The home's files (manifest, secrets, state, backups) and the manifest's servers. */
async function homeFiles(g: Gathering): Promise<void> {
  const { machine, home, facts } = g;
  const { manifest, secrets, state } = home;
  facts.manifest = {
    file: home.manifestFile,
    missing: home.loaded?.missing ?? false,
    project: home.scope === "project",
    errors: home.manifestErrors,
    ...(home.manifestFix ? { fix: home.manifestFix } : {}),
    servers: Object.keys(manifest.servers).length,
    stray: await strayManifests(machine, home.manifestFile, home.manifestFile === machine.paths.manifest),
  };
  facts.secretsFile = {
    file: machine.paths.secrets,
    exists: home.secretsError !== undefined || Object.keys(secrets).length > 0,
    ...(home.secretsError ? { error: home.secretsError } : {}),
    ...(await secretsMode(machine).then((mode) => (mode === undefined ? {} : { mode }))),
    privacy: secretsPrivacy(machine),
    secrets,
    ...(home.where ? { where: home.where } : {}),
  };
  facts.stateFile = {
    file: machine.paths.state,
    exists: home.stateError !== undefined || (await pathExists(machine.paths.state)),
    targets: Object.keys(state.targets).length,
    ...(home.stateError ? { error: home.stateError } : {}),
  };
  // A gateway port record that does not load is a finding (bridge.record); what sync would write
  // then cannot be told (drift, budgets).
  await readRecordedPort(machine.paths.bridge).catch((error: unknown) => {
    if (!isTwinError(error)) throw error;
    facts.portRecord = { file: machine.paths.bridge, error: { message: error.message, fix: error.hint } };
  });
  facts.backups = await checkAllBackups(machine.paths.backups).then(
    ({ folders, problems }) => ({
      folders,
      problems: problems.map((p) => ({ message: p.message, fix: p.hint })),
    }),
    (error: Error) => ({ folders: 0, problems: [], error: error.message }),
  );
  const formats = await catalogueFormats(machine);
  const active = activeServers(g);
  // What is known of logins, without asking anyone: the live probe contacts each remote once, and
  // one not known yet to need a login says so there (a 401 with a Bearer challenge).
  const logins = new Map(loginLines(machine, active).map((l) => [l.server, l]));
  facts.servers = active.map(([name, spec]) => {
    const login = logins.get(name);
    return {
      name,
      spec,
      secrets,
      env: machine.host.env,
      accepted: g.home.accepted,
      formats,
      ...(login !== undefined ? { login } : {}),
    };
  });
}

/** Manifest servers that are not disabled, within --server. */
function activeServers(g: Gathering): Array<[string, ServerSpec]> {
  return Object.entries(g.home.manifest.servers).filter(
    ([name, s]) => !s.disabled && selected(g.options, name),
  );
}

/** Node and npm in one environment. */
async function nodeFacts(
  g: Gathering,
  allEnvs: readonly Environment[],
  env: Environment,
): Promise<NodeFacts> {
  const { machine } = g;
  // Servers of the manifest that must run here make a missing Node a failure.
  const needed = Object.values(g.home.manifest.servers).some(
    (s) =>
      s.package &&
      !s.disabled &&
      allEnvs.some(
        (e) => e.id === env.id && (!s.environments || s.environments.some((sel) => envMatches(sel, e.id))),
      ),
  );
  const unreachable =
    env.kind === "windows" && !env.local && !machine.local.interop
      ? (machine.local.interopReason ?? "interop is off")
      : undefined;
  const [programs, npmVersion] = await Promise.all([
    pathPrograms(machine, env),
    unreachable ? undefined : askNpmVersion(env),
  ]);
  return {
    env: npmVersion && env.npm ? { ...env, npm: { ...env.npm, version: npmVersion } } : env,
    needed,
    ...(programs.node ? { pathNode: programs.node } : {}),
    ...(programs.npm ? { pathNpm: programs.npm } : {}),
    ...(machine.local.kind === "wsl" ? { mountRoot: machine.local.mountRoot } : {}),
    prefix: await prefixState(env),
    ...(unreachable ? { unreachable } : {}),
  };
}

/**
 * npm's version, asked (`npm --version`) only when the look at the environment did not learn it
 * (an npm that prints no "npm info using npm@…" line with the prefix): doctor says what it is.
 */
async function askNpmVersion(env: Environment): Promise<string | undefined> {
  if (!env.npm || env.npm.version || !env.usable) return undefined;
  // An npm that does not answer: its version is unknown, which the npm checks report.
  const r = await env.runNpm(["--version"], { timeoutMs: 30_000 }).catch(() => undefined);
  return r?.exitCode === 0 ? /^\s*(\d+\.\d+\.\d+\S*)\s*$/.exec(r.stdout.toString("utf8"))?.[1] : undefined;
}

/** Every entry of every config: read as its client reads it, resolved, its probe planned. */
async function entries(
  g: Gathering,
  configs: readonly ConfigFacts[],
  allEnvs: readonly Environment[],
  project: string,
): Promise<EntryWork[]> {
  const { machine, options, facts } = g;
  const { manifest } = g.home;
  const managed = new Set(Object.keys(manifest.servers));
  const desktop = new Map<string, { msix: boolean; version?: string }>();
  for (const { target: t } of configs)
    if (t.client.windowsBuild && t.env.kind === "windows") {
      const { store, version } = await t.client.windowsBuild(t);
      desktop.set(t.key, { msix: store, ...(version ? { version } : {}) });
    }
  const packages = new Set(
    Object.entries(manifest.servers).flatMap(([name, s]) => (s.package ? [name] : [])),
  );
  const work: EntryWork[] = [];
  for (const c of configs)
    for (const set of c.sets) {
      const r = await inspectEntries(c, set, {
        machine,
        envs: allEnvs,
        project,
        managed,
        packages,
        sseServers: new Set(
          Object.entries(manifest.servers)
            .filter(([, s]) => s.transport === "sse")
            .map(([n]) => n),
        ),
        clientLogins: new Set(
          Object.entries(manifest.servers)
            .filter(([, s]) => s.auth === "client")
            .map(([n]) => n),
        ),
        serverFilter: new Set(options.servers),
        desktop,
      });
      facts.entries.push(...r.entries);
      work.push(...r.work);
      g.secretValues.push(...r.secrets);
    }
  return work;
}

/** What sync would write now beside what is there; entries that are what it writes are marked. */
async function drift(
  g: Gathering,
  configs: readonly ConfigFacts[],
  allEnvs: Environment[],
  work: EntryWork[],
): Promise<void> {
  const { home } = g;
  const project = home.scope === "project";
  // A project manifest drives only its project's files: user-level ones are not its to judge.
  g.facts.harness = [];
  if (home.loaded && !home.loaded.missing && home.manifestErrors.length === 0 && !g.facts.portRecord)
    g.facts.drift = await driftItems(
      g.machine,
      home.manifest,
      home.secrets,
      home.state,
      allEnvs,
      project ? configs.filter((c) => c.target.scope === "project") : configs,
      activeServers(g),
      g.facts.harness,
    );
  // An entry that is what sync writes now: a sync would change nothing, so no fix says "sync".
  const key = (env?: string, client?: string, scope?: string, server?: string) =>
    JSON.stringify([env, client, scope, server]);
  const synced = new Set(
    g.facts.drift
      .filter((d) => d.entry.state === "synced")
      .map((d) => key(d.where.env, d.where.client, d.where.scope, d.name)),
  );
  for (const w of work) w.synced = synced.has(key(w.where.env, w.where.client, w.where.scope, w.server));
  // What sync says of the entry it would write (why it keeps its spaces, what the user can do):
  // the entry checks say the same, and advise no sync that changes nothing.
  const wanted = new Map(
    g.facts.drift.map((d) => [key(d.where.env, d.where.client, d.where.scope, d.name), d.built] as const),
  );
  for (const f of g.facts.entries) {
    const k = key(f.env, f.client, f.scope, f.server);
    f.synced = synced.has(k);
    const built = wanted.get(k);
    const spaces = built?.ok
      ? built.problems?.find((p) => p.code === "splits-at-spaces" || p.code === "may-split-at-spaces")
      : undefined;
    if (spaces?.fix) f.spacesFix = spaces.fix;
  }
}

/** The slow part, in parallel: which apps run since when, the bridge, the live probes. */
async function live(
  g: Gathering,
  configs: readonly ConfigFacts[],
  work: readonly EntryWork[],
  allEnvs: readonly Environment[],
): Promise<void> {
  const { machine, options, home, facts } = g;
  const { manifest } = home;
  const running = runningSince(
    machine,
    configs.filter((c) => c.text != null).map((c) => c.target),
  ).catch(() => new Map<string, RunningApp>());
  // The settings every path uses: the port the home recorded, its own entry kept while `enabled` is unsaid.
  const settings = resolveBridgeSettings(manifest.bridge, "manifest", {
    port: facts.portRecord ? undefined : await readRecordedPort(machine.paths.bridge),
    hadEntry: recordsEntry(home.state, BRIDGE_ENTRY),
  });
  const bridge = settings.enabled
    ? gatherBridge(machine, { ...settings, timeoutMs: options.timeoutMs })
    : Promise.resolve(undefined);
  // Probing a bridge relay would start the bridge (connect does when none answers) and leave it
  // running after doctor ends; bridge.reachable checks the bridge itself instead.
  const beforeShared = settings.enabled
    ? work.map((w) =>
        w.server === BRIDGE_ENTRY && w.where.scope !== "project"
          ? { ...w, plan: undefined, bridgeRelay: true }
          : w,
      )
    : work;
  // A shared server's relay starts the bridge when none answers (and it would outlive doctor):
  // started only while the bridge runs.
  const bridgeEnv = bridgeEnvironment(manifest, allEnvs);
  const sharedFacts = await gatherShared(
    machine,
    manifest,
    home.scope,
    configs,
    options.manifest,
    bridgeEnv,
    // The shared facts are their own checks: one failing to gather leaves them out, not doctor.
  ).catch(() => undefined);
  const bridgeUp = ["running", "elsewhere"].includes(sharedFacts?.status?.bridge.state ?? "");
  const probeWork = beforeShared.map((w) => unstartedShared(w, whyUnstarted(sharedFacts, bridgeUp)));
  // A project's own files name programs someone else chose: started only when trusted.
  const askTrust = options.trust;
  const gated = options.probe
    ? await gateProjectProbes(configs, probeWork, {
        state: home.state,
        ask:
          askTrust && ((request) => askTrust({ ...request, file: pathShown(machine.local)(request.file) })),
        record: async (file, trusted) => {
          if (home.stateError) return;
          await withLock(machine.home.dir, async () => {
            const fresh = await loadState(machine.paths.state);
            trust(fresh, file, trusted, machine.host.now());
            await saveState(machine.paths.state, fresh);
          });
        },
      })
    : { work: probeWork, held: [] };
  facts.held = gated.held;
  const probes = options.probe
    ? runProbes(
        machine.host.runner,
        gated.work,
        {
          timeoutMs: options.timeoutMs,
          ...(options.followClients ? { followClients: true } : {}),
          concurrency: options.concurrency ?? 16,
          ...(options.signal ? { signal: options.signal } : {}),
        },
        g.progress,
      )
    : Promise.resolve(undefined);
  // Its first start can unpack itself (Copilot: 235 MB): a minute at least.
  const ownLists = askOwnLists(configs, Math.max(options.timeoutMs, 60_000));
  const [runningApps, bridgeFacts, probeItems, lists] = await Promise.all([
    running,
    bridge,
    probes,
    ownLists,
  ]);
  await afterProbes(g, probeItems, configs, allEnvs);
  if (sharedFacts) facts.shared = sharedFacts;
  if (bridgeFacts) {
    facts.bridge = bridgeFacts;
    if (bridgeFacts.token.state === "present") g.secretValues.push(bridgeFacts.token.value);
  }
  const plugins = await pluginFacts(configs, facts.drift);
  for (const c of configs) {
    // A file that does not parse can be put back whole from a backup: say so when there is one.
    const kept = c.parseError ? await repairSources(machine.paths.backups, c.target.key).catch(() => []) : [];
    const app = runningApps.get(`${c.target.env.id}|${c.target.client.id}`);
    const ownList = lists.get(c.target.key);
    facts.configs.push({
      config: c,
      owned: Object.keys(home.state.targets[c.target.key]?.entries ?? {}).length,
      ...backupCounts(kept),
      ...(app ? { running: app } : {}),
      ...(ownList ? { ownList } : {}),
      ...(plugins.has(c.target.key) ? { plugins: plugins.get(c.target.key) } : {}),
    });
  }
}

/** What the probes found, remembered (withheld variables, tool lists); then each client's budget from the lists. */
async function afterProbes(
  g: Gathering,
  probeItems: ProbeItem[] | undefined,
  configs: readonly ConfigFacts[],
  allEnvs: readonly Environment[],
): Promise<void> {
  const { machine, facts } = g;
  if (probeItems) {
    facts.probes = probeItems;
    await rememberWithheldNeeds(machine, withheldFound(probeItems));
    await rememberToolLists(machine, listsFound(probeItems, g.home));
  }
  // The lists as the probes found them now (remembered just above), against the pins.
  if (g.home.scope === "user" && !g.home.loaded?.missing && g.home.manifestErrors.length === 0)
    facts.pins = await pinFacts(machine, g.home, allEnvs, (name) => selected(g.options, name));
  if (!g.home.loaded?.missing && g.home.manifestErrors.length === 0 && !facts.portRecord) {
    const budgets = await budgetFacts(machine, g.home, [...allEnvs], configs, activeServers(g));
    if (budgets) facts.budgets = budgets;
  }
}

/**
 * What the manifest's servers listed when their entries were started (the home's cache of lists:
 * `mcp-twin tools` and the tool rules read it), each under its launch now.
 */
function listsFound(
  items: readonly ProbeItem[],
  home: Pick<HomeContext, "manifest" | "state">,
): Array<{ server: string; key: string; tools: ToolDef[] }> {
  const versions = knownVersions(packageServers(home.manifest, []), home.state);
  const seen = new Set<string>();
  return items.flatMap(({ work: w, result: r }) => {
    const spec = own(home.manifest.servers, w.server);
    if (!r?.ok || !r.toolDefs || !w.managed || !spec || seen.has(w.server)) return [];
    seen.add(w.server);
    const pkg = spec.package ? splitSpec(spec.package).name : undefined;
    return [{ server: w.server, key: homeKey(spec, pkg ? versions.get(pkg) : undefined), tools: r.toolDefs }];
  });
}

/**
 * The variables a managed user entry's server failed without because its client withheld them
 * (the ones its error names): sync then writes their values into that client's private entry.
 */
function withheldFound(
  items: readonly ProbeItem[],
): Array<{ client: string; server: string; names: string[] }> {
  return items.flatMap(({ work: w, result: r }) => {
    if (!r || r.ok || !w.managed || w.where.scope !== "user" || !w.withheld || !w.where.client) return [];
    const names = w.withheld.filter((n) => r.stderr.some((l) => l.includes(n)));
    return names.length > 0 ? [{ client: w.where.client, server: w.server, names }] : [];
  });
}

/**
 * An entry to a shared server doctor does not start or contact, and why (`why` says, by the
 * server's name and whether the entry is a relay): a relay while the bridge is not running, any
 * entry while the server's program is missing.
 */
/**
 * Why an entry to the bridge is not started: a shared server's program not there (it would only
 * fetch the bridge's refusal: shared.status is that finding, with the install command), or a relay
 * while the bridge is down (it would start one that outlives doctor).
 */
function whyUnstarted(shared: SharedFacts | undefined, bridgeUp: boolean) {
  const missing = new Map(
    (shared?.status?.shared ?? []).flatMap((v) => (v.missing ? [[v.name, v.missing] as const] : [])),
  );
  return (name: string, relay: boolean): string | undefined => {
    const m = missing.get(name);
    if (m)
      return `it ${relay ? "relays to" : "reaches"} ${name} in the bridge, whose program \`${m.program}\` is not found in ${m.env} (see shared.status)`;
    // A url entry cannot start the bridge: shared.gateway says it is down.
    if (bridgeUp || !relay) return undefined;
    return name === TOOLS_ENTRY
      ? "it relays to the bridge's /tools, and the bridge is not running (the relay would start it; see bridge.reachable)"
      : "it relays to a shared server in the bridge, which is not running (the relay starts it on first use; see shared.status)";
  };
}

function unstartedShared(w: EntryWork, why: (name: string, relay: boolean) => string | undefined): EntryWork {
  const args = w.plan?.args ?? [];
  const at = args.indexOf("connect");
  const relayed = at >= 0 ? sharedName(args[at + 1]) : undefined;
  if (relayed !== undefined) {
    const noSpawn = why(relayed, true);
    return noSpawn ? { ...w, plan: undefined, noSpawn } : w;
  }
  // A url entry to a shared server: contacting it while its program is missing would only leave a
  // failed start in the bridge.
  const reached = w.kind === "remote" && !w.relay ? sharedName(w.remote?.url) : undefined;
  const noSpawn = reached !== undefined ? why(reached, false) : undefined;
  if (!noSpawn) return w;
  const { remote: _remote, ...rest } = w;
  return { ...rest, noSpawn };
}

/**
 * The shared server a url reaches at the bridge (`…/share/<name>`), or `tools` for its `/tools`
 * (tools on demand: its relay starts the bridge too), if it is one.
 */
function sharedName(url: string | undefined): string | undefined {
  if (url && /^https?:\/\/[^/]+\/tools$/.test(url)) return TOOLS_ENTRY;
  const name = url ? /\/share\/([^/?#]+)$/.exec(url)?.[1] : undefined;
  return name === undefined ? undefined : decodeURIComponent(name);
}

/**
 * Inside WSL, a file on a Windows drive has no mode of its own (DrvFs makes one up; the Windows
 * profile's ACL protects it): no mode, so no `chmod` advice that would change nothing.
 */
function modes(machine: Machine, c: ConfigFacts): ConfigFacts {
  const { local } = machine;
  const onWindows = (p: string | undefined) =>
    local.kind === "wsl" && p !== undefined && isOnWindowsDrive(p, local.mountRoot);
  if (c.mode === undefined || !(onWindows(c.target.file) || onWindows(c.realPath))) return c;
  const { mode: _mode, ...rest } = c;
  return rest;
}

/** How a manifest server runs, in a few words (no args, url or env: they may hold a key). */
function describeServer(s: Manifest["servers"][string]): string {
  if (s.package) return `npm package ${s.package}`;
  if (s.url) return "remote (url)";
  return s.command ? `runs ${s.command}` : "no command";
}

/** Secret name → the catalogue's format checks; a catalogue that does not load checks nothing. */
async function catalogueFormats(machine: Machine): Promise<Map<string, SecretFormat[]>> {
  try {
    const { catalogueSecretFormats } = await import("../../catalogue/secret-formats.js");
    return catalogueSecretFormats(machine.home.dir);
  } catch {
    return new Map();
  }
}

/** Every `--server` names a server of the manifest or of a client config: exit 2 otherwise. */
function checkServersAsked(g: Gathering, configs: readonly ConfigFacts[]): void {
  const { options } = g;
  const { manifest } = g.home;
  const known = new Set([
    ...Object.keys(manifest.servers),
    ...configs.flatMap((c) => c.sets.flatMap((s) => Object.keys(s.entries))),
  ]);
  assertAllKnown(options.servers, {
    code: "unknown-server",
    given: "--server",
    isNot: "not a server in the manifest or any client config",
    knownAs: "Known servers",
    known: [...known].sort(),
  });
}
