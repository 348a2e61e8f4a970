/**
 * State: what mcp-twin wrote where, and which package versions it installed, to tell our entries from
 * the user's, find hand edits and servers dropped from the manifest. Values are stored as hashes only.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { UsageError } from "../errors.js";
import { dict } from "../plain-records.js";
import { markValid, parseChecked } from "../system/checked-json.js";
import { readTextOrNull, writePrivateFile } from "../system/files.js";
import { canonicalJson } from "../text/canonical-json.js";

const STATE_VERSION = 1;

export interface EntryRecord {
  /** Hash of the entry as last written. */
  hash: string;
  /** Hashes of writes planned but maybe not completed (an interrupted run): also ours. */
  pending?: string[];
  /**
   * Set when the entry was written by hand before mcp-twin took it over (adopted by import, or
   * taken over with --force): the hash of that hand-written form, whose value is kept with the
   * target's backups (backups.ts, `hand-written.json`) so uninstall can give it back.
   */
  handWritten?: string;
  /**
   * An entry holding a key: the hash of it built with the key's name in its place, and the keys'
   * stamp (sync/keyless-entries.ts). Still the same, and the file's entry `hash`: a no-op reads no key.
   */
  keyless?: string;
}

export interface TargetRecord {
  env: string;
  client: string;
  scope: string;
  path: string;
  entries: Record<string, EntryRecord>;
  /**
   * The last run that changed this target: which run, its backup and the entries it touched (for
   * restore). `run` is absent in records of versions that kept no run ids.
   */
  lastRun?: { at: string; run?: string; backup?: string; touched: string[] };
}

/** The last run that wrote a target (a sync or an uninstall): what a plain `restore` undoes. */
export interface LastChange {
  run: string;
  at: string;
  /** "sync" or "uninstall" (a newer version may name others). */
  by: string;
  /** An uninstall's: the bridge's start at logon it removed (which a restore does not put back). */
  retired?: { autostart?: string };
}

/**
 * Hand edits are compared on parsed values. A planned write is recorded *before* the targets are
 * touched, so a run killed half-way never leaves its own entries looking foreign. Values are stored
 * as hashes only: entries hold resolved API keys, and state is not a secret file.
 */
export interface State {
  version: number;
  /** Versions resolved for unpinned packages, shared by every environment. */
  packages: Record<string, { spec: string; version: string; resolvedAt: string }>;
  /** Versions mcp-twin installed, per environment. */
  installs: Record<string, Record<string, string>>;
  /**
   * Per environment and installed package, the manifests it is installed for (packages/owners.ts):
   * `user` for the user-level manifest, a project manifest's absolute path for a project's.
   * Absent for a package: installed for the user-level manifest alone (or before owners were kept).
   */
  installedFor?: Record<string, Record<string, string[]>>;
  targets: Record<string, TargetRecord>;
  /** Project manifests the user trusted: absolute path → the hash of the text trusted. */
  trusted?: Record<string, { hash: string; at: string }>;
  /** Absent in states of versions that kept no run ids: then each target's own last run counts. */
  lastChange?: LastChange;
  /** What sync installed to start the bridge at logon (bridge-control/autostart.ts): uninstall removes exactly that. */
  autostart?: AutostartRecord;
  /** Things sync says once, not at every run: what was said → when. */
  said?: Record<string, string>;
}

/** A start at logon by the platform's own service manager, as installed. */
export interface AutostartRecord {
  /** xdg-autostart: the desktop entry the user asked for (`sync --autostart`), Linux without systemd. */
  kind: "systemd" | "launchd" | "windows-task" | "xdg-autostart";
  /** The environment whose service manager holds it (`windows` for the task). */
  env: string;
  /** The file it reads, native to that environment. */
  file: string;
  /** The task's name, the unit's, the agent's label, the desktop entry's file name. */
  name: string;
  /** How its files keep the bridge running (AUTOSTART_FORMAT); absent: before version 2. */
  format?: number;
}

/**
 * Raised when what an installed start at logon does changes, so the next sync writes it again.
 * Here, beside its record: a sync that writes nothing compares it without loading the plans.
 */
export const AUTOSTART_FORMAT = 6;

export function emptyState(): State {
  return { version: STATE_VERSION, packages: dict(), installs: dict(), targets: dict() };
}

/** How to get going again after a state file that does not load (nothing was changed). */
function stateRecovery(file: string): string {
  return `Nothing was changed. Fix it at that position, or move it aside (rename it to ${path.basename(file)}.broken, in the same folder) and run \`mcp-twin sync\`: entries that still match the manifest are recognised as mcp-twin's again, and any it then reports as foreign can be taken back with \`mcp-twin sync --force\`.`;
}

/**
 * The state, validated. A file that does not parse or holds a malformed entry is an error (exit 2):
 * an empty state in its place would make every entry mcp-twin owns look foreign, and the next
 * sync would overwrite the file for good.
 */
export async function loadState(file: string): Promise<State> {
  const text = await readTextOrNull(file);
  if (text === null || text.trim() === "") return emptyState();
  const data = (await parseChecked(file, text, {
    what: "state file",
    recover: stateRecovery,
    validate: async (d) => {
      const { firstIssue, stateSchema } = await import("../system/stored-schemas.js");
      return firstIssue(stateSchema, d);
    },
  })) as State;
  if (data.version > STATE_VERSION)
    throw new UsageError(
      "state-newer",
      `${file}: written by a newer mcp-twin (state version ${data.version}; this one knows ${STATE_VERSION}).`,
      { location: { file }, hint: "Update mcp-twin (npm install -g mcp-twin) on this side too." },
    );
  return withDicts(data);
}

/** Records keyed by names (packages, environments, targets, servers) get no prototype. */
function withDicts(data: State): State {
  const targets = dict<TargetRecord>();
  for (const [key, rec] of Object.entries(data.targets ?? {}))
    targets[key] = { ...rec, entries: dict(rec.entries) };
  const installs = dictOfDicts(data.installs ?? {});
  return {
    ...data,
    version: STATE_VERSION,
    packages: dict(data.packages ?? {}),
    installs,
    targets,
    ...(data.installedFor ? { installedFor: dictOfDicts(data.installedFor) } : {}),
    ...(data.trusted ? { trusted: dict(data.trusted) } : {}),
  };
}

function dictOfDicts<T>(data: Record<string, Record<string, T>>): Record<string, Record<string, T>> {
  const out = dict<Record<string, T>>();
  for (const [key, inner] of Object.entries(data)) out[key] = dict(inner);
  return out;
}

export async function saveState(file: string, state: State): Promise<void> {
  const text = `${JSON.stringify(state, null, 2)}\n`;
  await writePrivateFile(file, text);
  await markValid(file, text);
}

export function entryHash(value: unknown): string {
  return canonicalHash(canonicalJson(value));
}

/** entryHash of a value already written as canonical JSON (ownership.ts: two equal ones are hashed once). */
export function canonicalHash(canonical: string): string {
  return createHash("sha256").update(canonical).digest("hex").slice(0, 32);
}

/** Does state record an entry of this name in any target (the bridge's own `mcp-twin`, say)? */
export function recordsEntry(state: Pick<State, "targets">, name: string): boolean {
  return Object.values(state.targets).some((r) => Object.hasOwn(r.entries, name));
}

/** Is this parsed value what we wrote (or were about to write)? */
export function isOurs(record: EntryRecord | undefined, value: unknown): boolean {
  return isOursHash(record, entryHash(value));
}

/**
 * The entries of mcp-twin's that hold a hand edit in `entries` (a file's, parsed): each with the
 * hash mcp-twin recorded for it, which a backup of that file keeps (backups.ts), so an edit put back
 * from it (restore) is a hand edit again, not mcp-twin's.
 */
export function handEdits(
  entries: Readonly<Record<string, unknown>>,
  owned: Readonly<Record<string, EntryRecord>>,
): Record<string, string> {
  const out = dict<string>();
  for (const [name, record] of Object.entries(owned))
    if (Object.hasOwn(entries, name) && !isOurs(record, entries[name])) out[name] = record.hash;
  return out;
}

/** isOurs for a value already hashed. */
export function isOursHash(record: EntryRecord | undefined, hash: string): boolean {
  if (!record) return false;
  return hash === record.hash || (record.pending ?? []).includes(hash);
}
