/**
 * What a command works from, loaded one way for all: the manifest in use (and its scope), the home's
 * secrets and state, the environments and the targets. Reads only (the environment facts' cache
 * aside).
 */
import path from "node:path";
import { discoverTargets } from "../clients/targets.js";
import type { Target } from "../clients/types.js";
import { backupCounts, parseProblem, unparsableFix, withSkipHint } from "../clients/unreadable-target.js";
import { type Detection, detectEnvironments } from "../environments/detect.js";
import type { Machine } from "../environments/machine.js";
import type { Environment } from "../environments/types.js";
import { UsageError } from "../errors.js";
import { loadFormats, readTargetEntries } from "../formats/index.js";
import { settleMovedClaims } from "../ledger/moved-claims.js";
import { loadState, type State } from "../ledger/state.js";
import {
  findManifest,
  type LoadedManifest,
  type LocatedManifest,
  loadManifest,
  userManifest,
} from "../manifest/load.js";
import type { Manifest, ServerSpec } from "../manifest/schema.js";
import { loadSecretsFile, peekKeys, type SecretsWhere } from "../manifest/secrets-file.js";
import { dict } from "../plain-records.js";
import { selectEnvironments } from "../selectors.js";
import { readTextOrNull } from "../system/files.js";
import type { Progress } from "../system/progress.js";
import { trace } from "../system/trace.js";
import { lazyKeys, type UnreadKeys } from "./lazy-keys.js";

export interface OpenedManifest {
  located: LocatedManifest;
  loaded: LoadedManifest;
  /** The project folder whose files it drives (a project manifest's own folder, or --project). */
  project?: string;
}

/**
 * The manifest a run uses, loaded. A project manifest (./mcp-twin.jsonc, someone else's file)
 * drives only this project's files, as if --project . were given (`project` is then the folder),
 * and the bridge — a user-level thing — is not its to enable. `which: "user"`: never a project's
 * manifest (import and init write user-level servers).
 */
export async function openManifest(
  machine: Machine,
  options: {
    manifest?: string | undefined;
    project?: string | undefined;
    which?: "here" | "user";
    /** A missing manifest is an error (default), or an empty one (import: it may write the first). */
    required?: boolean;
  },
): Promise<OpenedManifest> {
  const choice = { manifest: options.manifest, cwd: machine.host.cwd, homeManifest: machine.paths.manifest };
  const located: LocatedManifest =
    options.which === "user" ? { file: userManifest(choice), scope: "user" } : findManifest(choice);
  const loaded = await loadManifest(located.file, {
    required: options.required ?? true,
    cacheDir: machine.paths.cache,
    caches: machine.caches,
  });
  // --project DIR is the user's folder, relative to where they run mcp-twin.
  const project = options.project
    ? path.resolve(machine.host.cwd, options.project)
    : located.scope === "project"
      ? machine.host.cwd
      : undefined;
  return { located, loaded: inScope(loaded, located.scope), ...(project ? { project } : {}) };
}

/** A manifest as its scope lets it act: a project's cannot enable the bridge. */
export function inScope(loaded: LoadedManifest, scope: LocatedManifest["scope"]): LoadedManifest {
  if (scope === "user" || !loaded.manifest.bridge) return loaded;
  const manifest = { ...loaded.manifest };
  delete manifest.bridge;
  return { ...loaded, manifest };
}

export interface Home {
  secrets: Record<string, string>;
  /** Stored secrets whose value the user accepted despite its format (`secret set --force`). */
  accepted: ReadonlySet<string>;
  /** Where the keys are kept: the OS keychain, or the file (and why). */
  where?: SecretsWhere;
  /** Keys in the keychain: the stamp mcp-twin bumps at each write there (secrets-file.ts), no key in it. */
  stamp?: string;
  /** Keys in the keychain whose values are not read yet (ContextOptions.lazyKeys): `secrets` lacks them. */
  keysUnread?: UnreadKeys;
  state: State;
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

/** The home's secrets file and state, read side by side; each its value or what stops it. */
export async function readHome(
  machine: Machine,
): Promise<{ secrets: Settled<Omit<Home, "state">>; state: Settled<State> }> {
  const [secrets, state] = await Promise.all([
    settle(loadSecretsFile(machine.paths.secrets)),
    settle(loadState(machine.paths.state)),
  ]);
  return { secrets, state };
}

/**
 * Whether a server not shared names a stored key (as read, a key-carrying server is shared unless
 * `"share": "off"`: manifest/secret-shares.ts): its entries will hold it, so a run that knows its
 * keys by name only reads them anyway — a sure guess, from the manifest alone.
 */
function entriesHoldKeys(text: string, manifest: Manifest, names: ReadonlySet<string>): boolean {
  if (!text.includes("${secret:")) return false;
  return Object.values(manifest.servers).some(
    (s) =>
      s.share === undefined &&
      !s.disabled &&
      [...names].some((n) => JSON.stringify(s).includes(`\${secret:${n}}`)),
  );
}

/** Does state record an entry's key-less form (sync/keyless-entries.ts)? */
const recordsKeyless = (state: State): boolean =>
  Object.values(state.targets).some((t) => Object.values(t.entries).some((e) => e.keyless !== undefined));

/** The keys read before (ContextOptions.keysRead), when the store's stamp is still theirs: no read again. */
async function keysAgain(
  machine: Machine,
  options: Pick<ContextOptions, "keysRead" | "preview">,
): Promise<Omit<Home, "state"> | undefined> {
  const read = options.keysRead;
  if (!read?.stamp || options.preview) return undefined;
  const now = await peekKeys(machine.paths.secrets);
  if (now?.text !== read.stamp) return undefined;
  return {
    secrets: dict({ ...read.secrets }),
    accepted: read.accepted,
    where: { kind: "keychain" },
    stamp: now.text,
  };
}

/** The home's keys by name only, read when first needed (lazy-keys.ts). */
function lazyHome(file: string, names: readonly string[], stamp: string): Omit<Home, "state"> {
  const { secrets, accepted, unread } = lazyKeys(file, names);
  return { secrets, accepted, where: { kind: "keychain" }, stamp, keysUnread: unread };
}

export interface Surroundings {
  detection: Detection;
  /** Every environment found (entries may cross into any of them). */
  allEnvs: Environment[];
  /** The environments selected by --env. */
  envs: Environment[];
  /** --env named them (sync then installs the manifest's packages there, client or not). */
  envsNamed: boolean;
}

/** The environments (limited to `limitTo`, the manifest's `environments`), and those --env selects. */
export async function lookAround(
  machine: Machine,
  options: { limitTo?: readonly string[] | undefined; envs: readonly string[] },
  progress: Progress,
): Promise<Surroundings> {
  // Facts come from the cache on most runs (silent); gathering them afresh starts processes, across
  // WSL interop too, and takes seconds: say what is being looked at, and how long it took.
  const step = progress.step("Looking at environments");
  const looked: string[] = [];
  const lookStart = machine.host.now().getTime();
  const detection = await detectEnvironments(machine, {
    ...(options.limitTo ? { limitTo: options.limitTo } : {}),
    onGather: (what) => {
      looked.push(what);
      step.update(`Looking at ${what}`);
    },
  }).catch((error: unknown) => {
    step.stop();
    throw error;
  });
  if (looked.length > 0)
    step.settle(
      `Looked at ${looked.join(", ")} (${((machine.host.now().getTime() - lookStart) / 1000).toFixed(1)}s)`,
    );
  else step.stop();
  trace("environments");
  return {
    detection,
    allEnvs: detection.environments,
    envs: selectEnvironments(detection.environments, options.envs),
    envsNamed: options.envs.length > 0,
  };
}

export interface ContextOptions {
  manifest?: string | undefined;
  project?: string | undefined;
  envs: readonly string[];
  clients: readonly string[];
  /** `user`: the user-level manifest, never a project's (import). Default: the one found here. */
  which?: "here" | "user";
  /** A missing manifest is an error (default), or an empty one. */
  required?: boolean;
  /** Every environment found, not only the manifest's `environments` (import looks everywhere). */
  everyEnvironment?: boolean;
  /** Only these environments (serve --share: this one). */
  limitTo?: readonly string[];
  /** Which targets: the manifest's (default: present clients, or every one with `absent`), or none. */
  targets?: "present" | "absent" | "none";
  /** The manifest already opened (sync opens it once, to ask for trust before its lock). */
  opened?: OpenedManifest;
  /** A manifest not (yet) on disk, and secrets not yet stored: `init --dry-run` plans with them. */
  preview?: { manifest: LoadedManifest; secrets: Record<string, string> };
  /**
   * Keys stamped in the keychain are known by name, their values read only when the run needs one
   * (lazy-keys.ts): sync's look without the lock, which most often ends with nothing to do.
   */
  lazyKeys?: boolean;
  /** Keys this run read already (sync's look without the lock): used again while their stamp is the same. */
  keysRead?: Pick<Home, "secrets" | "accepted" | "stamp">;
  /** No key read at all (the gateway's servers reference none): the store is not opened. */
  noKeys?: boolean;
}

export interface Context extends Home, Surroundings {
  machine: Machine;
  /** The manifest in use: its file, scope and text. */
  located: LocatedManifest;
  loaded: LoadedManifest;
  manifest: Manifest;
  /** The project folder whose files are the targets (a project manifest, or --project). */
  project?: string;
  /** The manifest's servers that are not disabled. */
  servers: Array<[string, ServerSpec]>;
  targets: Target[];
  /**
   * State as read had claims on entries a client moved out of an older file (ledger/moved-claims.ts),
   * settled in `state` here: a run that writes saves it.
   */
  claimsMoved?: true;
}

/**
 * Everything a command reads before it plans: throws what stops it (a bad file: exit 2).
 *
 * sync, status, import and `serve --share` load it whole (errors thrown: exit 2 for a bad file);
 * doctor, which reports each part's problem instead of stopping, reads the same parts one by one
 * (`openManifest`, `readHome`, `lookAround`).
 */
export async function loadContext(
  machine: Machine,
  options: ContextOptions,
  progress: Progress,
): Promise<Context> {
  const opened: OpenedManifest = options.preview
    ? { located: { file: options.preview.manifest.file, scope: "user" }, loaded: options.preview.manifest }
    : (options.opened ?? (await openManifest(machine, options)));
  const project = opened.project ?? options.project;
  const manifest = opened.loaded.manifest;
  trace("prepare");
  const peeked = options.lazyKeys && !options.preview ? await peekKeys(machine.paths.secrets) : undefined;
  const none: Omit<Home, "state"> | undefined = options.noKeys
    ? { secrets: dict<string>(), accepted: new Set<string>() }
    : undefined;
  const again = none ?? (await keysAgain(machine, options));
  const home = again
    ? { secrets: { ok: true as const, value: again }, state: await settle(loadState(machine.paths.state)) }
    : peeked
      ? {
          secrets: { ok: true as const, value: lazyHome(machine.paths.secrets, peeked.names, peeked.text) },
          state: await settle(loadState(machine.paths.state)),
        }
      : await readHome(machine);
  if (!home.secrets.ok) throw home.secrets.error;
  if (!home.state.ok) throw home.state.error;
  const keys = home.secrets.value;
  // Not when the last write recorded its entries' key-less forms: they may show that none is needed.
  if (
    keys.keysUnread &&
    !recordsKeyless(home.state.value) &&
    entriesHoldKeys(opened.loaded.text ?? "", manifest, keys.keysUnread.names)
  )
    // Read beside the rest of the look (the planner awaits the same read); a failure is its to say.
    void keys.keysUnread.read().catch(() => {});
  const secrets = keys.keysUnread ? keys.secrets : dict({ ...keys.secrets, ...options.preview?.secrets });
  trace("secrets+state");
  const around = await lookAround(
    machine,
    {
      limitTo: options.limitTo ?? (options.everyEnvironment ? undefined : manifest.environments),
      envs: options.envs,
    },
    progress,
  );
  const targets =
    options.targets === "none"
      ? []
      : await discoverTargets(around.envs, {
          clients: options.clients,
          ...(manifest.clients ? { manifestClients: manifest.clients } : {}),
          ...(project ? { project } : {}),
          ...(options.targets === "absent" ? { includeAbsent: true } : {}),
        });
  await loadFormats(targets.map((t) => t.client));
  const claimsMoved = await settleMovedClaims(home.state.value, around.allEnvs);
  trace("targets");
  return {
    machine,
    located: opened.located,
    loaded: opened.loaded,
    manifest,
    ...(project ? { project } : {}),
    secrets,
    accepted: keys.accepted,
    ...(keys.stamp ? { stamp: keys.stamp } : {}),
    ...(keys.keysUnread ? { keysUnread: keys.keysUnread } : {}),
    state: home.state.value,
    ...around,
    servers: Object.entries(manifest.servers).filter(([, s]) => !s.disabled),
    targets,
    ...(claimsMoved ? { claimsMoved: true as const } : {}),
  };
}

/** A config that does not parse: its error with the one advice doctor gives too (clients/unreadable-target.ts). */
async function withRepair(
  ctx: Pick<Context, "machine" | "state">,
  t: Target,
  error: UsageError,
): Promise<UsageError> {
  // Only now, for the file that failed, which backups mcp-twin holds of it (a run whose files
  // all parse never loads the backups' module).
  const { repairSources } = await import("../ledger/backups.js");
  // The backups only add a hint to the error shown: without them the error still stands.
  const kept = await repairSources(ctx.machine.paths.backups, t.key).catch(() => []);
  return new UsageError(error.code, error.message, {
    location: error.location,
    hint: unparsableFix({
      restorePath: t.path,
      shown: ctx.machine.shown(t.file),
      ...backupCounts(kept),
      owned: Object.keys(ctx.state.targets[t.key]?.entries ?? {}).length,
      line: error.location.line,
      column: error.location.column,
      problem: parseProblem(error.message),
    }),
    cause: error,
  });
}

/**
 * Every target's text, each checked to parse: one bad file stops a run before any change. The
 * problems are returned (config-unreadable, config-parse), for the caller to throw with its own.
 */
export async function readTargetTexts(
  ctx: Pick<Context, "machine" | "state" | "targets">,
  options: { skipHint?: boolean } = {},
): Promise<{
  texts: Map<string, string | null>;
  unreadable: UsageError[];
  unparsable: UsageError[];
  /** The keys of the targets those are about. */
  bad: Set<string>;
}> {
  const { targets } = ctx;
  // How to leave the file out of the run: for a run that stops at it (sync), not one that goes on.
  const skipHintOf = options.skipHint === false ? (e: UsageError) => e : withSkipHint;
  const bad = new Set<string>();
  const texts = new Map<string, string | null>();
  const unreadable: UsageError[] = [];
  await Promise.all(
    targets.map(async (t) => {
      try {
        texts.set(t.key, await readTextOrNull(t.file));
      } catch (error) {
        bad.add(t.key);
        unreadable.push(
          skipHintOf(
            new UsageError("config-unreadable", `${t.file}: ${(error as Error).message}`, {
              location: { file: t.file },
            }),
            t,
            targets,
          ),
        );
      }
    }),
  );
  const unparsable: UsageError[] = [];
  for (const t of targets) {
    try {
      readTargetEntries(t, texts.get(t.key) ?? "");
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      bad.add(t.key);
      unparsable.push(
        skipHintOf(error.code === "config-parse" ? await withRepair(ctx, t, error) : error, t, targets),
      );
    }
  }
  trace("targets parsed");
  return { texts, unreadable, unparsable, bad };
}

/**
 * For a command that reports on every client config it can read and names the others (status,
 * tools, as doctor does): the context narrowed to the targets whose files read and parse, their
 * texts, and an error for each other one (file:line:column and its repair).
 */
export async function readableTargets<C extends Pick<Context, "machine" | "state" | "targets">>(
  ctx: C,
): Promise<{ ctx: C; texts: Map<string, string | null>; unreadable: UsageError[] }> {
  const { texts, unreadable, unparsable, bad } = await readTargetTexts(ctx, { skipHint: false });
  return {
    ctx: { ...ctx, targets: ctx.targets.filter((t) => !bad.has(t.key)) },
    texts,
    unreadable: [...unreadable, ...unparsable],
  };
}
