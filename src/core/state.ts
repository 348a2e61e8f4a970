/**
 * State: what mcp-twin wrote where, and which package versions it installed. It tells our
 * entries from the user's (ownership), finds hand edits (drift, compared on parsed values) and
 * servers dropped from the manifest. A planned write is recorded *before* the targets are touched,
 * so a run killed half-way never leaves its own entries looking foreign.
 *
 * Values are stored as hashes only: entries hold resolved API keys, and state is not a secret file.
 */
import { createHash } from "node:crypto";
import { readTextOrNull, writePrivateFile } from "./files.js";
import { canonicalJson } from "./merge.js";

export const STATE_VERSION = 1;

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
}

export interface TargetRecord {
  env: string;
  client: string;
  scope: string;
  path: string;
  entries: Record<string, EntryRecord>;
  /** The last run that changed this target: its backup and the entries it touched (for restore). */
  lastRun?: { at: string; backup?: string; touched: string[] };
}

export interface State {
  version: number;
  /** Versions resolved for unpinned packages, shared by every environment. */
  packages: Record<string, { spec: string; version: string; resolvedAt: string }>;
  /** Versions mcp-twin installed, per environment. */
  installs: Record<string, Record<string, string>>;
  targets: Record<string, TargetRecord>;
}

export function emptyState(): State {
  return { version: STATE_VERSION, packages: {}, installs: {}, targets: {} };
}

export async function loadState(file: string): Promise<State> {
  const text = await readTextOrNull(file);
  if (!text) return emptyState();
  try {
    const data = JSON.parse(text) as State;
    if (data.version !== STATE_VERSION) return { ...emptyState(), ...migrate(data) };
    return { ...emptyState(), ...data };
  } catch {
    // A corrupt state file must not stop a sync: start over (entries then look foreign, never lost).
    return emptyState();
  }
}

function migrate(data: Partial<State>): Partial<State> {
  return { packages: data.packages ?? {}, installs: data.installs ?? {}, targets: data.targets ?? {} };
}

export async function saveState(file: string, state: State): Promise<void> {
  await writePrivateFile(file, `${JSON.stringify(state, null, 2)}\n`);
}

export function entryHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 32);
}

/** Is this parsed value what we wrote (or were about to write)? */
export function isOurs(record: EntryRecord | undefined, value: unknown): boolean {
  return isOursHash(record, entryHash(value));
}

/** isOurs for a value already hashed. */
export function isOursHash(record: EntryRecord | undefined, hash: string): boolean {
  if (!record) return false;
  return hash === record.hash || (record.pending ?? []).includes(hash);
}
