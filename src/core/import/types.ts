/** The import plan's shapes: plain data, for the `import` command and for `init`'s choices. */

import type { PluginServerSeen } from "../clients/plugin-servers.js";
import type { ServerSpec } from "../manifest/schema.js";
import type { ClashChoices, SecretClash } from "./clashes.js";

export interface ImportFilters {
  /** --env selectors; empty: every environment. */
  envs?: readonly string[];
  /** --client ids; empty: every client. */
  clients?: readonly string[];
  /** --project DIR: also its project files (.mcp.json, …) and Claude Code's local scope for it. */
  project?: string | undefined;
  /** --manifest; default: ./mcp-twin.jsonc when present, else the home's. */
  manifest?: string | undefined;
}

interface FoundAt {
  env: string;
  client: string;
  scope: "user" | "project" | "local";
  path: string;
  /** The entry's name in that file. */
  entry: string;
  /** Where it runs (a WSL distro for `wsl.exe …` entries of Windows clients). */
  runsIn: string;
  /** How it was launched, e.g. "cmd /c npx", "wsl npx", "node <installed script>". */
  via: string;
  /** Recorded as mcp-twin's when imported (else `why`). */
  adopt: boolean;
  why?: string;
  /** State key of that config (for adoption). */
  targetKey?: string;
  /** Hash of the entry as it is in the file: what adoption records in state. */
  hash: string;
  /** Found in a file its app does not read (the classic Claude Desktop file beside a Store build). */
  ignoredByApp?: boolean;
}

interface MissingSecret {
  name: string;
  /** What the file held instead of a value (safe to show). */
  placeholder: string;
  path: string;
  field: string;
}

export interface ImportCandidate {
  name: string;
  server: ServerSpec;
  /**
   * new: not in the manifest · same: already there (the same launch, whatever version it pins) ·
   * conflict: the name holds another definition (replaced only with force) · duplicate: the
   * manifest has it under another name.
   */
  status: "new" | "same" | "conflict" | "duplicate";
  existing?: ServerSpec;
  duplicateOf?: string;
  found: FoundAt[];
  /** Secret names the entry refers to. */
  secrets: string[];
  /** Environment variables it refers to (`${env:NAME}`): they must be set wherever sync runs. */
  variables: string[];
  /** Placeholders found where a key belongs, with no value stored: `mcp-twin secret set NAME`. */
  missing: MissingSecret[];
  notes: string[];
}

export interface Skipped {
  file: string;
  server?: string;
  reason: string;
  line?: number;
  column?: number;
}

export interface ImportPlan {
  manifestFile: string;
  manifestExists: boolean;
  candidates: ImportCandidate[];
  /** Secrets to store (names and where they were found). */
  secrets: Array<{ name: string; from: Array<{ path: string; server: string; field: string }> }>;
  /** Their values: store them, mask them in anything shown, never print them. */
  secretValues: Readonly<Record<string, string>>;
  /** Every secret value found (also those not stored): mask them in anything shown. */
  maskValues: readonly string[];
  /** Names with different values in different places, and how each is settled (values never included). */
  clashes: SecretClash[];
  /** The same scan planned again with more choices (answers to a clash) on top of its own. */
  replan(choices: ClashChoices): ImportPlan;
  /**
   * The entries as they are written in their files, by `handWrittenKey(targetKey, entry)` (they
   * may hold keys: never shown): adoption keeps them with the target's backups, so uninstall can
   * give them back in their hand-written form.
   */
  handWritten?: Readonly<Record<string, unknown>>;
  /** Entries not understood, config files that do not parse, names already taken. */
  skipped: Skipped[];
  /** Entries mcp-twin wrote itself (already in the manifest). */
  managed: Array<{ path: string; server: string }>;
  /**
   * Servers the clients' plugins and extensions provide: seen, not imported (each comes and goes
   * with its plugin); `clash` names a manifest server of the same name.
   */
  plugins: Array<PluginServerSeen & { clash?: string }>;
  /** Config files read, and how many server entries each holds (the client's own, as Goose's built-in extensions, left out). */
  files: Array<{
    env: string;
    client: string;
    scope: string;
    path: string;
    entries: number;
    /** A file its app does not read (`note` says which and why). */
    ignoredByApp?: boolean;
    note?: string;
  }>;
  notes: string[];
}

/** Where ImportPlan.handWritten keeps an entry. */
export function handWrittenKey(targetKey: string, entry: string): string {
  return `${targetKey}\u0000${entry}`;
}
