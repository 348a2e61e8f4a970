/**
 * Everything doctor's checks look at, gathered once (gather/ does all the I/O, probe/ runs the live
 * probes) and then only read: the shapes live here, below both the gatherers and the checks.
 */

import type { ClientBudget } from "../budget/budget.js";
import type { KeepProblem } from "../budget/keep-problems.js";
import type { EntryScope } from "../clients/entry-sets.js";
import type { Expanded } from "../clients/entry-view.js";
import type { EntryView } from "../clients/types.js";
import type { EntryClass } from "../entries/ownership.js";
import type { Resolved, SpawnPlan } from "../entries/programs/resolve.js";
import type { BuiltEntry } from "../entries/target-entry.js";
import type { LocalInfo } from "../environments/local.js";
import type { EnvFacts, EnvKind } from "../environments/types.js";
import type { ClientId, ServerSpec } from "../manifest/schema.js";
import type { SecretsPrivacy, SecretsWhere } from "../manifest/secrets-file.js";
import type { LoginLine } from "../oauth/needs-login.js";
import type { SecretFormat } from "../secrets/placeholders.js";
import type { SharedStatus } from "../status/shared-status.js";
import type { PinState } from "../sync/pin-review.js";
import type { BridgeFacts } from "./gather/bridge-phase.js";
import type { OwnListFacts } from "./gather/own-list-phase.js";
import type { ConfigFacts } from "./gather/read-configs.js";
import type { ProbeResult, RemotePlan } from "./probe/live-probe.js";
import type { ProbeCommand } from "./probe/probe-command.js";
import type { Where } from "./types.js";

/** Where mcp-twin runs, the shared home, and each environment found. */
export interface PlatformFacts {
  local: LocalInfo;
  home: { dir: string; source: string };
  envs: ReadonlyArray<EnvFacts & { local: boolean }>;
}

/** The manifest in use: its file, whether it loads, and stray second manifests. */
interface ManifestFacts {
  file: string;
  missing: boolean;
  /** A project manifest (./mcp-twin.jsonc) rather than the home's. */
  project: boolean;
  errors: string[];
  /** What to do instead of fixing the errors at their positions (an empty file has none to fix). */
  fix?: string;
  servers: number;
  /** Other manifests that exist but are not read. */
  stray: string[];
}

/** The secrets file: whether it loads, how private it is, and what it holds. */
interface SecretsFacts {
  file: string;
  exists: boolean;
  /** Why it does not load (file:line:column and what), and how to recover. */
  error?: { message: string; fix?: string | undefined };
  /** File mode, where modes mean something (not on /mnt/c). */
  mode?: number;
  /** What keeps it private there: its mode, or (on a Windows drive) the Windows ACL. */
  privacy?: SecretsPrivacy;
  secrets: Readonly<Record<string, string>>;
  /** Where the keys are kept: the OS keychain (named), or this file and why no keychain is used. */
  where?: SecretsWhere;
}

/** The state file: what mcp-twin wrote where. */
interface StateFacts {
  file: string;
  exists: boolean;
  targets: number;
  /** Why it does not load (file:line:column and what), and how to recover. */
  error?: { message: string; fix?: string | undefined };
}

/** The bookkeeping beside each target's backups (`target.json`, `hand-written.json`). */
interface BackupsFacts {
  /** Target folders under backups/. */
  folders: number;
  /** Each file that does not load: file:line:column and what, and how to recover. */
  problems: Array<{ message: string; fix?: string | undefined }>;
  /** The folder could not be looked at. */
  error?: string;
}

/** An environment's global npm prefix: whether `npm install -g` can write there. */
export type PrefixState = "writable" | "read-only" | "missing" | "not-a-folder" | "unknown";

/** Node.js and npm in one environment. */
export interface NodeFacts {
  env: EnvFacts & { local: boolean };
  /** Servers of the manifest need this environment (missing Node is then a failure). */
  needed: boolean;
  /** Local POSIX environment: the first node / npm on PATH, as found there. */
  pathNode?: string;
  pathNpm?: string;
  /** WSL automount root (`/mnt/`), to tell Windows programs from Linux ones. */
  mountRoot?: string;
  prefix: PrefixState;
  /** The environment cannot be looked into from here (interop off): skip its checks. */
  unreachable?: string;
}

/** A manifest server (not disabled, within --server), with what its references resolve from. */
export interface ServerFacts {
  name: string;
  spec: ServerSpec;
  secrets: Readonly<Record<string, string>>;
  env: Readonly<Record<string, string | undefined>>;
  /** Stored secrets whose value the user accepted despite its format (`secret set --force`). */
  accepted: ReadonlySet<string>;
  /** Secret name → the catalogue's format checks. */
  formats: ReadonlyMap<string, readonly SecretFormat[]>;
  /** A remote that needs a login: how, and the state of mcp-twin's login to it. */
  login?: LoginLine;
}

/** An app that reads its config only at start, and when its process started. */
export interface RunningApp {
  name: string;
  /** When the app's process started. */
  startedAt: Date;
}

/** A server a client's plugin or extension provides, and the mcp-twin entry of the file that shadows it. */
export interface PluginFact {
  plugin: string;
  server: string;
  file: string;
  project?: string;
  shadow?: { server: string; text: string };
}

/** A client config file, with what the home knows of it and the app that reads it. */
interface ConfigItem {
  config: ConfigFacts;
  /** Entries mcp-twin wrote there (state). */
  owned: number;
  /** Backups with content mcp-twin keeps of it (restore can use them). */
  backups: number;
  /** mcp-twin created the file (its original is "no file"): nothing older to put back. */
  created?: boolean;
  /** The app that reads it only at start, when it runs. */
  running?: RunningApp;
  /** What the client's own list command said of it, where doctor could run it. */
  ownList?: OwnListFacts;
  /** The servers its client's plugins and extensions provide (user files). */
  plugins?: PluginFact[];
}

/** One client entry as written, read the way its client reads it, with what the entry checks need. */
export interface EntryFacts {
  env: string;
  envKind: EnvKind;
  /** The environment's own node is under nvm (a login or GUI PATH will not have it). */
  envNodeUnderNvm?: boolean;
  /** The environment's own node (for the fix of a broken node path). */
  envNode?: string;
  client: ClientId;
  clientName: string;
  /** The client is a desktop app (it does not inherit your shell's PATH). */
  gui: boolean;
  scope: EntryScope;
  server: string;
  /** The client can use url entries from its file. */
  remoteCapable: boolean;
  /** A remote entry speaking SSE (doctor's probe completes a handshake with it). */
  sse?: boolean;
  view: EntryView;
  expanded: Expanded;
  resolved?: Resolved;
  /** The server is in the manifest (so `mcp-twin sync` rewrites this entry). */
  managed: boolean;
  /** ... as an npm `package`: sync installs it and writes node + its script. */
  managedPackage?: boolean;
  /** The entry is what sync writes now: a sync would change nothing. */
  synced?: boolean;
  /** What sync would write keeps spaces its client splits at: why, and what the user can do. */
  spacesFix?: string;
  /** The entry's env and headers as the server receives them (for placeholder keys). */
  values?: Array<{ field: string; name: string; value: string }>;
  /** The client's start-up timeout. */
  timeoutMs: number;
  desktop?: { msix: boolean; version?: string; builtInNode?: boolean };
  /** On a WSL environment: the automount root, to spot Windows programs on the PATH. */
  mountRoot?: string;
}

/** A manifest server meant for a target: what sync would write now against what is there. */
export interface DriftItem {
  where: Where;
  name: string;
  built: BuiltEntry;
  /** The entry's state by the one ownership rule (ownership.ts), as sync plans with it. */
  entry: EntryClass;
  /** The plugin or extension servers the entry in the file shadows in its client, in words (plugin-clash.ts). */
  shadows?: string[];
  /** A shared server's entry out of date because the bridge's port moved: the port the entry names. */
  oldPort?: number;
  /** The entry of that name is the client's own (Goose's built-in `developer`): what ownEntry says of it. */
  clientOwn?: { what: string; clientName: string };
  /** An entry of the person's holds the name `tools` toolSearch needs here: the file it is in. */
  toolsHeld?: string;
}

/**
 * A client config whose app's agent harness reads another client's file too (VS Code's Copilot
 * harness, clients/harness.ts): the servers sync writes only there, and those that file lacks.
 */
export interface HarnessFact {
  where: Where;
  clientName: string;
  harness: string;
  version: string;
  path: string;
  reads: readonly string[];
  missing: readonly string[];
}

/** One entry's live probe, planned: what starts (or which remote is contacted), or why not. */
export interface EntryWork {
  where: Where;
  clientName: string;
  server: string;
  timeoutMs: number;
  managed: boolean;
  kind: "stdio" | "remote" | "invalid";
  /** ... as an npm package (sync installs it and writes node + its script). */
  managedPackage: boolean;
  /** The entry is what sync writes now (drift.entry passes): sync would change nothing. */
  synced?: boolean;
  /** The runner that fetches the package on start (npx, uvx, …). */
  downloader?: string;
  /** Its arguments (after the runner): what uvx fetches and starts, for the fix. */
  downloaderArgs?: string[];
  /**
   * The program is known not to be there: the entry is not started, and its probe points at the
   * check that reports it (one cause, one finding).
   */
  missing?: { path: string; env: string; check: "entry.command" | "entry.node-path" };
  plan?: SpawnPlan;
  /** The plan as the user can start it by hand from here (the report shows it when it fails). */
  command?: ProbeCommand;
  /**
   * A remote it reaches — its own url, or the one its `mcp-twin connect` relay relays to — as its
   * client expands it: doctor completes a handshake with it (once per remote, for every entry).
   */
  remote?: RemotePlan;
  /** The entry is mcp-twin's relay to `remote` (not started: the remote is contacted instead). */
  relay?: boolean;
  /** A manifest server with `"auth": "client"`: its client logs in itself (a 401 is expected). */
  clientLogin?: boolean;
  /** The entry is mcp-twin's relay to the bridge: not started (it would start a bridge that outlives doctor). */
  bridgeRelay?: boolean;
  noSpawn?: string;
  /**
   * Variables of the client's own environment it does not pass to this server (Gemini CLI: names
   * like secrets) and the entry does not set: names only, said when the server fails to start.
   */
  withheld?: string[];
}

/** An entry the probe starts (or an SSE remote it contacts), and what happened (no result: not started, see noSpawn). */
export interface ProbeItem {
  work: EntryWork;
  result?: ProbeResult;
  /**
   * The client configs whose entries are this very launch (it was started once for all of them),
   * as they are named in the report: "Claude Desktop and Cursor". Absent when only this one.
   */
  sharedBy?: string;
  /** Those configs are in several environments (a remote contacted once from here). */
  sharedAcross?: boolean;
  /** Which start this is (the same for every entry of the same launch). */
  launch?: string;
  /** doctor's --timeout, to tell a slow server from one that hangs. */
  probeTimeoutMs: number;
}

/** A project's own entry held back from the probe until the user trusts its file. */
export interface HeldProbe {
  where: Where;
  path: string;
  server: string;
  runs: string;
}

/** A client entry that reaches the bridge: a shared server's (`…/share/<name>`) or a tools entry (`/tools`). */
export interface SharedEntryFact {
  where: Where;
  /** The file, as its environment spells it. */
  path: string;
  name: string;
  url: string;
  /** mcp-twin's relay (it starts the bridge itself); else a url entry (it cannot). */
  relay: boolean;
  /** It carries a client token. */
  token: boolean;
  /** Its client token is another share's: the bridge refuses it here. */
  foreignToken?: boolean;
  /** It names a project folder (`Mcp-Twin-Project`). */
  project: boolean;
  /** Group or other may read the file (POSIX modes only). */
  readable: boolean;
  /** The manifest's share mode for it now (undefined: not shared, or not in the manifest). */
  manifestMode?: string | undefined;
  /** A tools entry (tools on demand): it reaches the bridge's /tools, not one shared server. */
  tools?: true;
  /**
   * A url entry naming a port the running bridge does not listen on (it moved since the entry was
   * written): that port, and what holds it now, named (none: nothing listens there).
   */
  oldPort?: { port: number; heldBy?: string };
}

/** Shared servers: how each runs now (the bridge's status), and the entries that reach them. */
export interface SharedFacts {
  status?: SharedStatus | undefined;
  entries: SharedEntryFact[];
}

/**
 * Each check runs on one kind of item (its scope): the whole machine, each environment, each
 * manifest server, each client config file, each entry, each manifest server in a target, each
 * started server.
 */
export interface DoctorFacts {
  /** The home could not be opened: nothing else could be gathered. */
  homeError?: { message: string; fix?: string | undefined };
  platform?: PlatformFacts;
  /** Windows could not be looked at (from WSL). */
  detectError?: string;
  manifest?: ManifestFacts;
  secretsFile?: SecretsFacts;
  stateFile?: StateFacts;
  /** The home's record of its gateway port (`bridge.json`), when it does not load. */
  portRecord?: { file: string; error: { message: string; fix?: string | undefined } };
  backups?: BackupsFacts;
  servers: ServerFacts[];
  environments: NodeFacts[];
  configs: ConfigItem[];
  entries: EntryFacts[];
  drift: DriftItem[];
  /** The harnesses that read another client's file (drift-phase.ts). */
  harness?: HarnessFact[];
  held: HeldProbe[];
  /** Absent with --no-probe. */
  probes?: ProbeItem[];
  /** Absent when the manifest does not enable the bridge. */
  bridge?: BridgeFacts;
  /** Absent when nothing is shared and no entry reaches a shared server. */
  shared?: SharedFacts;
  /** Each client's context budget (tools, tokens, limit), from the servers' known lists. */
  budgets?: { budgets: ClientBudget[]; servers: ReadonlyMap<string, ServerSpec>; keep?: KeepProblem[] };
  /** Each server's pinned tools against its list now (the user-level manifest's; absent for a project's). */
  pins?: PinFacts;
}

/** The home's pins against the lists known now, or why the pins file does not load. */
export interface PinFacts {
  file: string;
  states: PinState[];
  error?: { message: string; fix?: string | undefined };
}

/** What a check of each scope runs on. */
export interface ScopeItems {
  machine: DoctorFacts;
  environment: NodeFacts;
  "manifest-server": ServerFacts;
  "config-file": ConfigItem;
  entry: EntryFacts;
  "manifest-entry": DriftItem;
  probe: ProbeItem;
}

export function emptyFacts(): DoctorFacts {
  return { servers: [], environments: [], configs: [], entries: [], drift: [], held: [] };
}
