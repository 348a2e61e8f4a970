/**
 * Everything doctor's checks look at, gathered once (gather/ does all the I/O, probe/ runs the live
 * probes) and then only read.
 */

import type { EntryClass } from "../entries/ownership.js";
import type { BuiltEntry } from "../entries/target-entry.js";
import type { ServerSpec } from "../manifest/schema.js";
import type { LoginLine } from "../oauth/needs-login.js";
import type { SecretFormat } from "../secrets/placeholders.js";
import type { BackupsFacts } from "./checks/backup-books.js";
import type { RunningApp } from "./checks/configs.js";
import type { EntryFacts } from "./checks/entry-lint.js";
import type { PlatformFacts } from "./checks/environments.js";
import type { ManifestFacts } from "./checks/manifest.js";
import type { NodeFacts } from "./checks/node.js";
import type { SecretsFacts } from "./checks/secrets.js";
import type { SharedFacts } from "./checks/shared.js";
import type { StateFacts } from "./checks/state-file.js";
import type { BridgeFacts } from "./gather/bridge-phase.js";
import type { PluginFact } from "./gather/drift-phase.js";
import type { EntryWork } from "./gather/entries-phase.js";
import type { OwnListFacts } from "./gather/own-list-phase.js";
import type { ConfigFacts } from "./gather/read-configs.js";
import type { ProbeResult } from "./probe/live-probe.js";
import type { Where } from "./types.js";

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

/** A manifest server meant for a target: what sync would write now against what is there. */
export interface DriftItem {
  where: Where;
  name: string;
  built: BuiltEntry;
  /** The entry's state by the one ownership rule (ownership.ts), as sync plans with it. */
  entry: EntryClass;
  /** The plugin or extension servers the entry in the file shadows in its client, in words (plugin-clash.ts). */
  shadows?: string[];
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
  backups?: BackupsFacts;
  servers: ServerFacts[];
  environments: NodeFacts[];
  configs: ConfigItem[];
  entries: EntryFacts[];
  drift: DriftItem[];
  held: HeldProbe[];
  /** Absent with --no-probe. */
  probes?: ProbeItem[];
  /** Absent when the manifest does not enable the bridge. */
  bridge?: BridgeFacts;
  /** Absent when nothing is shared and no entry reaches a shared server. */
  shared?: SharedFacts;
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
