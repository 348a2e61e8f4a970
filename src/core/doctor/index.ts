import { checkAllBackups, listBackups } from "../backups.js";
import { BRIDGE_ENTRY } from "../bridge/name.js";
import { resolveBridgeSettings } from "../bridge/settings.js";
import { inScope, lookAround, readHome } from "../context.js";
import type { Detection } from "../environments/detect.js";
import { envMatches } from "../environments/types.js";
import { isTwinError, UsageErrors } from "../errors.js";
import { pathExists, withLock } from "../files.js";
import { loadFormats } from "../formats/index.js";
import type { Host } from "../host.js";
import { type Machine, openMachine } from "../machine.js";
import { findManifest, type LoadedManifest, loadManifest } from "../manifest/load.js";
import { type Manifest, manifestSchema } from "../manifest/schema.js";
import { type TrustRequest, trust } from "../manifest/trust.js";
import type { SecretFormat } from "../placeholders.js";
import type { Progress } from "../progress.js";
import { checkSelectors, selectEnvironments, unknownName } from "../selectors.js";
import { emptyState, loadState, type State, saveState } from "../state.js";
import { checkBackupsFiles } from "./checks/backups.js";
import { checkBridge } from "./checks/bridge.js";
import { checkConfig, checkRestart } from "./checks/configs.js";
import { checkPlatform } from "./checks/environments.js";
import { checkManifest } from "./checks/manifest.js";
import { checkNode } from "./checks/node.js";
import { checkConfigPrivate } from "./checks/private.js";
import { checkSecretsFile, checkServerSecrets, placeholderKind } from "./checks/secrets.js";
import { checkStateFile } from "./checks/state.js";
import { driftChecks } from "./drift-phase.js";
import { type EntryWork, inspectEntries } from "./entries-phase.js";
import {
  desktopVersion,
  pathPrograms,
  prefixState,
  runningSince,
  secretsMode,
  strayManifests,
} from "./gather.js";
import { probeChecks } from "./probe-phase.js";
import { gateProjectProbes } from "./project-trust.js";
import { projectDir, readConfig } from "./read-configs.js";
import { allTargets, scopeChecks } from "./targets-phase.js";
import { type Check, check } from "./types.js";

export interface DoctorOptions {
  manifest?: string | undefined;
  envs: string[];
  clients: string[];
  servers: string[];
  project?: string | undefined;
  probe: boolean;
  timeoutMs: number;
  concurrency?: number;
  signal?: AbortSignal;
  /**
   * Asked before a project's own entries (a cloned repo's .mcp.json) are started by the probe:
   * --yes or a yes on a terminal. Absent: they are not started.
   */
  trust?: (request: TrustRequest) => Promise<boolean>;
}

export interface DoctorReport {
  ok: boolean;
  /** The manifest used (absent when the home could not be found). */
  manifest?: { path: string; scope: "user" | "project" };
  checks: Check[];
  /** Values to mask in any output. */
  secretValues: string[];
  /** Config files looked at, for headings. */
  files: Array<{ env: string; client: string; scope: string; path: string; note?: string }>;
}

export async function runDoctor(
  host: Host,
  options: DoctorOptions,
  progress: Progress,
): Promise<DoctorReport> {
  checkSelectors({ clients: options.clients, envs: options.envs });
  const checks: Check[] = [];
  const secretValues: string[] = [];
  const files: DoctorReport["files"] = [];
  let machine: Machine;
  try {
    machine = await openMachine(host);
  } catch (error) {
    if (!isTwinError(error)) throw error;
    checks.push(check("env.home", "fail", {}, error.message, { fix: error.hint }));
    return finish(checks, secretValues, files, options);
  }

  // Manifest, secrets, state: read as every command reads them (context.ts), each problem a check.
  const located = findManifest({
    manifest: options.manifest,
    cwd: host.cwd,
    homeManifest: machine.paths.manifest,
  });
  const manifestFile = located.file;
  const projectManifest = located.scope === "project";
  let loaded: LoadedManifest | undefined;
  const manifestErrors: string[] = [];
  try {
    // A project manifest acts as sync lets it: its bridge setting is not its to make.
    loaded = inScope(await loadManifest(manifestFile), located.scope);
  } catch (error) {
    if (!isTwinError(error)) throw error;
    for (const e of error instanceof UsageErrors ? error.errors : [error]) manifestErrors.push(e.message);
  }
  const manifest: Manifest = loaded?.manifest ?? manifestSchema.parse({});
  const missing = loaded?.missing ?? false;
  const home = await readHome(machine);
  const failure = (error: unknown) => {
    if (!isTwinError(error)) throw error;
    return { message: error.message, fix: error.hint };
  };
  const { secrets, accepted } = home.secrets.ok
    ? home.secrets.value
    : { secrets: {}, accepted: new Set<string>() };
  const secretsError = home.secrets.ok ? undefined : failure(home.secrets.error);
  // Placeholders are not secrets: leave them readable in the report.
  secretValues.push(...Object.entries(secrets).flatMap(([k, v]) => (placeholderKind(k, v) ? [] : [v])));
  const state: State = home.state.ok ? home.state.value : emptyState();
  const stateError = home.state.ok ? undefined : failure(home.state.error);

  // Environments.
  let detection: Detection | undefined;
  try {
    ({ detection } = await lookAround(machine, { limitTo: manifest.environments, envs: [] }, progress));
  } catch (error) {
    checks.push(
      check(
        "env.reachable",
        "fail",
        { env: "windows" },
        `Windows could not be looked at: ${(error as Error).message}.`,
        { fix: "Check WSL interop (see env.interop)." },
      ),
    );
  }
  const allEnvs = detection?.environments ?? [];
  // When nothing could be looked at, the report says why; --env then selects nothing to check.
  const envs = detection ? selectEnvironments(allEnvs, options.envs) : [];

  checks.push(
    ...checkPlatform({
      local: machine.local,
      home: { dir: machine.home.dir, source: machine.home.source },
      envs: allEnvs,
    }),
    ...checkManifest({
      file: manifestFile,
      missing,
      project: projectManifest,
      errors: manifestErrors,
      servers: Object.keys(manifest.servers).length,
      stray: await strayManifests(machine, manifestFile, manifestFile === machine.paths.manifest),
    }),
    ...checkSecretsFile({
      file: machine.paths.secrets,
      exists: secretsError !== undefined || Object.keys(secrets).length > 0,
      ...(secretsError ? { error: secretsError } : {}),
      ...(await secretsMode(machine).then((mode) => (mode === undefined ? {} : { mode }))),
      secrets,
    }),
    ...checkStateFile({
      file: machine.paths.state,
      exists: stateError !== undefined || (await pathExists(machine.paths.state)),
      targets: Object.keys(state.targets).length,
      ...(stateError ? { error: stateError } : {}),
    }),
    ...checkBackupsFiles(
      await checkAllBackups(machine.paths.backups).then(
        ({ folders, problems }) => ({
          folders,
          problems: problems.map((p) => ({ message: p.message, fix: p.hint })),
        }),
        (error: Error) => ({ folders: 0, problems: [], error: error.message }),
      ),
    ),
  );
  const servers = Object.entries(manifest.servers).filter(
    ([name, s]) => !s.disabled && (options.servers.length === 0 || options.servers.includes(name)),
  );
  const formats = await catalogueFormats(machine);
  for (const [name, spec] of servers)
    checks.push(...checkServerSecrets(name, spec, { secrets, env: host.env, accepted, formats }));

  // Node and npm per environment.
  const needed = new Set(
    Object.values(manifest.servers).flatMap((s) =>
      s.package && !s.disabled
        ? allEnvs
            .filter((e) => !s.environments || s.environments.some((sel) => envMatches(sel, e.id)))
            .map((e) => e.id)
        : [],
    ),
  );
  for (const env of envs) {
    const unreachable =
      env.kind === "windows" && !env.local && !machine.local.interop
        ? (machine.local.interopReason ?? "interop is off")
        : undefined;
    const programs = await pathPrograms(machine, env);
    checks.push(
      ...checkNode({
        env,
        needed: needed.has(env.id),
        ...(programs.node ? { pathNode: programs.node } : {}),
        ...(programs.npm ? { pathNpm: programs.npm } : {}),
        ...(machine.local.kind === "wsl" ? { mountRoot: machine.local.mountRoot } : {}),
        prefix: await prefixState(env),
        ...(unreachable ? { unreachable } : {}),
      }),
    );
  }

  // Client configs.
  const project = projectDir(host.cwd, options.project);
  const targets = await allTargets(envs, options, project);
  await loadFormats(targets.map((t) => t.client));
  const configs = await Promise.all(targets.map((t) => readConfig(t, project)));
  for (const c of configs)
    files.push({
      env: c.target.env.id,
      client: c.target.client.id,
      scope: c.target.scope,
      path: c.target.path,
      ...(c.target.note ? { note: c.target.note } : {}),
    });
  for (const c of configs) {
    // A file that does not parse can be put back whole from a backup: say so when there is one.
    const backups = c.parseError
      ? (await listBackups(machine.paths.backups, c.target.key).catch(() => [])).filter((b) => !b.absent)
          .length
      : 0;
    checks.push(...checkConfig(c, Object.keys(state.targets[c.target.key]?.entries ?? {}).length, backups));
    checks.push(...checkConfigPrivate(c));
  }
  checks.push(...scopeChecks(configs));

  const desktop = new Map<string, { msix: boolean; version?: string }>();
  for (const t of targets)
    if (t.client.id === "claude-desktop" && t.env.kind === "windows") {
      const msix = /MSIX/.test(t.note ?? "");
      const version = msix ? undefined : await desktopVersion(t.env);
      desktop.set(t.key, { msix, ...(version ? { version } : {}) });
    }

  // Entries: lint and plan probes.
  const managed = new Set(Object.keys(manifest.servers));
  const known = new Set([
    ...managed,
    ...configs.flatMap((c) => c.sets.flatMap((s) => Object.keys(s.entries))),
  ]);
  const unknown = options.servers.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new UsageErrors(
      unknown.map((name) =>
        unknownName({
          code: "unknown-server",
          given: "--server",
          name,
          isNot: "not a server in the manifest or any client config",
          knownAs: "Known servers",
          known: [...known].sort(),
        }),
      ),
    );
  const work: EntryWork[] = [];
  for (const c of configs)
    for (const set of c.sets) {
      const r = await inspectEntries(c, set, {
        machine,
        envs: allEnvs,
        project,
        managed,
        sseServers: new Set(
          Object.entries(manifest.servers)
            .filter(([, s]) => s.transport === "sse")
            .map(([n]) => n),
        ),
        serverFilter: new Set(options.servers),
        desktop,
      });
      checks.push(...r.checks);
      work.push(...r.work);
      secretValues.push(...r.secrets);
    }
  // A project manifest drives only its project's files: user-level ones are not its to judge.
  if (loaded && !missing && manifestErrors.length === 0)
    checks.push(
      ...(await driftChecks(
        machine,
        manifest,
        secrets,
        state,
        allEnvs,
        projectManifest ? configs.filter((c) => c.target.scope === "project") : configs,
        servers,
      )),
    );

  // Live: running apps, bridge, probes (concurrently).
  const running = runningSince(
    machine,
    targets.filter((t) => configs.find((c) => c.target === t)?.text != null),
  ).catch(() => new Map());
  const bridge = manifest.bridge?.enabled
    ? checkBridge(machine, {
        ...resolveBridgeSettings(manifest.bridge, "manifest"),
        timeoutMs: options.timeoutMs,
      })
    : Promise.resolve({
        checks: [check("bridge.reachable", "skip", {}, "the bridge is not enabled in the manifest.")],
        secrets: [] as string[],
      });
  // Probing a bridge relay would start the bridge (connect does when none answers) and leave it
  // running after doctor ends; bridge.reachable checks the bridge itself instead.
  const probeWork = manifest.bridge?.enabled
    ? work.map((w) =>
        w.server === BRIDGE_ENTRY && w.where.scope !== "project"
          ? { ...w, plan: undefined, noSpawn: "it relays to the bridge, which bridge.reachable checks" }
          : w,
      )
    : work;
  // A project's own files name programs someone else chose: started only when trusted.
  const gated = options.probe
    ? await gateProjectProbes(configs, probeWork, {
        state,
        ask: options.trust,
        record: async (file, trusted) => {
          if (stateError) return;
          await withLock(machine.home.dir, async () => {
            const fresh = await loadState(machine.paths.state);
            trust(fresh, file, trusted, machine.host.now());
            await saveState(machine.paths.state, fresh);
          });
        },
      })
    : { work: probeWork, checks: [] };
  checks.push(...gated.checks);
  const probes = options.probe
    ? probeChecks(
        machine.host.runner,
        gated.work,
        {
          timeoutMs: options.timeoutMs,
          concurrency: options.concurrency ?? 16,
          ...(options.signal ? { signal: options.signal } : {}),
        },
        progress,
      )
    : Promise.resolve([check("probe.handshake", "skip", {}, "live probes skipped (--no-probe).")]);
  const [runningApps, bridgeResult, probeResult] = await Promise.all([running, bridge, probes]);
  for (const c of configs) {
    const app = runningApps.get(`${c.target.env.id}|${c.target.client.id}`);
    checks.push(
      ...checkRestart(
        { env: c.target.env.id, client: c.target.client.id, scope: c.target.scope },
        c.target.client.name,
        c.target.path,
        c.mtimeMs,
        app,
      ),
    );
  }
  checks.push(...bridgeResult.checks, ...probeResult);
  secretValues.push(...bridgeResult.secrets);
  return {
    ...finish(checks, secretValues, files, options),
    manifest: { path: manifestFile, scope: located.scope },
  };
}

/** Secret name → the catalogue's format checks; a catalogue that does not load checks nothing. */
async function catalogueFormats(machine: Machine): Promise<Map<string, SecretFormat[]>> {
  try {
    const { catalogueSecretFormats } = await import("../catalogue/formats.js");
    return catalogueSecretFormats(machine.home.dir);
  } catch {
    return new Map();
  }
}

function finish(
  checks: Check[],
  secretValues: string[],
  files: DoctorReport["files"],
  options: DoctorOptions,
): DoctorReport {
  const kept =
    options.servers.length === 0
      ? checks
      : checks.filter((c) => !c.server || options.servers.includes(c.server));
  return {
    ok: !kept.some((c) => c.status === "fail"),
    checks: kept,
    secretValues: [...new Set(secretValues)],
    files,
  };
}

export { CHECK_IDS } from "./registry.js";
export type { Check, CheckStatus } from "./types.js";
