/**
 * Backups of one target, in HOME/backups/<slug>/ (folders 0700, files 0600: they may hold keys):
 * - `<time>.bak`: the bytes before each change mcp-twin made, the newest 10 kept;
 * - `original.bak`: the bytes before mcp-twin first changed the file, kept for good
 *   (`original.none` when mcp-twin created the file);
 * - `hand-written.json`: entries mcp-twin took over from the user (adopted by import, or taken
 *   over with --force), as they were written by hand, so uninstall can give them back;
 * - `target.json`: which target this is (so backups stay usable when state is lost) and, per
 *   backup, the entries mcp-twin owned when it was taken (what `restore --from` puts back).
 */
import fs, { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { readTextOrNull, writePrivateFile } from "./files.js";
import { targetSlug } from "./targets.js";

export const KEEP_BACKUPS = 10;
const ORIGINAL = "original.bak";
const ORIGINAL_NONE = "original.none";
const HAND_WRITTEN = "hand-written.json";
const INDEX = "target.json";

/** A target as its backups know it. */
export interface BackupTarget {
  key: string;
  env: string;
  client: string;
  scope: string;
  path: string;
}

interface TargetIndex extends BackupTarget {
  version: 1;
  /** Backup name → the entries mcp-twin owned in the file when it was taken. */
  owned: Record<string, string[]>;
}

export interface BackupInfo {
  /** Absolute path of the backup file. */
  file: string;
  /** Its name, as `restore --from` accepts it. */
  name: string;
  /** When it was taken (ISO time). */
  at: string;
  /** The bytes before mcp-twin first changed the target. */
  original: boolean;
  /** The original is "no file": mcp-twin created the target. */
  absent?: boolean;
  size: number;
  /** The entries mcp-twin owned in the file then (unknown for backups of older versions). */
  owned?: string[];
}

/**
 * Keep `content` (the target's bytes before a change) as a timestamped backup; the newest
 * `keep` survive. The first backup of a target mcp-twin never changed is also kept for good as
 * its original.
 */
export async function keepBackup(
  backupsDir: string,
  target: BackupTarget,
  content: string,
  now: Date,
  options: {
    /** The entries mcp-twin owns in `content`. */
    owned: readonly string[];
    /** False when state says mcp-twin changed the target before (its original is older). */
    firstChange?: boolean;
    keep?: number;
  },
): Promise<string> {
  const dir = path.join(backupsDir, targetSlug(target.key));
  if (options.firstChange !== false) await noteOriginal(backupsDir, target, content, now, options.owned);
  const stampText = now.toISOString().replace(/[:.]/g, "-");
  let name = `${stampText}.bak`;
  for (let n = 1; exists(path.join(dir, name)); n++) name = `${stampText}-${n}.bak`;
  await writePrivateFile(path.join(dir, name), content);
  const all = timestamped(dir);
  const dropped = all.slice(0, Math.max(0, all.length - (options.keep ?? KEEP_BACKUPS)));
  for (const old of dropped) await fs.promises.rm(path.join(dir, old), { force: true });
  await updateIndex(dir, target, (owned) => {
    owned[name] = [...options.owned];
    for (const old of dropped) delete owned[old];
  });
  return path.join(dir, name);
}

/**
 * Record the target's original (its text, or null when there was no file), once: only when no
 * original and no backup exists yet — a target changed by a version of mcp-twin that kept no
 * originals has none, and a later backup must not pretend to be one.
 */
export async function noteOriginal(
  backupsDir: string,
  target: BackupTarget,
  content: string | null,
  now: Date,
  owned: readonly string[] = [],
): Promise<void> {
  const dir = path.join(backupsDir, targetSlug(target.key));
  if (exists(path.join(dir, ORIGINAL)) || exists(path.join(dir, ORIGINAL_NONE))) return;
  if (timestamped(dir).length > 0) return;
  const name = content === null ? ORIGINAL_NONE : ORIGINAL;
  const file = path.join(dir, name);
  await writePrivateFile(file, content ?? "");
  // The file's time says when it was taken.
  await fs.promises.utimes(file, now, now).catch(() => {});
  await updateIndex(dir, target, (index) => {
    index[name] = [...owned];
  });
}

/** The original first, then the timestamped backups, newest first. */
export function listBackups(backupsDir: string, key: string): BackupInfo[] {
  const dir = path.join(backupsDir, targetSlug(key));
  const owned = readIndex(dir)?.owned ?? {};
  const out: BackupInfo[] = [];
  for (const [name, absent] of [
    [ORIGINAL, false],
    [ORIGINAL_NONE, true],
  ] as const) {
    const file = path.join(dir, name);
    if (!exists(file)) continue;
    const st = statSync(file);
    out.push({
      file,
      name,
      at: st.mtime.toISOString(),
      original: true,
      ...(absent ? { absent } : {}),
      size: absent ? 0 : st.size,
      ...(owned[name] ? { owned: owned[name] } : {}),
    });
  }
  for (const name of timestamped(dir).reverse()) {
    const file = path.join(dir, name);
    out.push({
      file,
      name,
      at: stampOf(name),
      original: false,
      size: statSync(file).size,
      ...(owned[name] ? { owned: owned[name] } : {}),
    });
  }
  return out;
}

/** Every target that has backups, as its backups know it (also when state has lost it). */
export function backedUpTargets(backupsDir: string): BackupTarget[] {
  let names: string[];
  try {
    names = readdirSync(backupsDir);
  } catch {
    return [];
  }
  const out: BackupTarget[] = [];
  for (const name of names) {
    const index = readIndex(path.join(backupsDir, name));
    if (index)
      out.push({
        key: index.key,
        env: index.env,
        client: index.client,
        scope: index.scope,
        path: index.path,
      });
  }
  return out;
}

function readIndex(dir: string): TargetIndex | undefined {
  try {
    const data = JSON.parse(readFileSync(path.join(dir, INDEX), "utf8")) as TargetIndex;
    return typeof data.key === "string" && data.owned && typeof data.owned === "object" ? data : undefined;
  } catch {
    return undefined;
  }
}

async function updateIndex(
  dir: string,
  target: BackupTarget,
  change: (owned: Record<string, string[]>) => void,
): Promise<void> {
  const owned = { ...(readIndex(dir)?.owned ?? {}) };
  change(owned);
  const index: TargetIndex = {
    version: 1,
    key: target.key,
    env: target.env,
    client: target.client,
    scope: target.scope,
    path: target.path,
    owned,
  };
  await writePrivateFile(path.join(dir, INDEX), `${JSON.stringify(index, null, 2)}\n`);
}

/** A backup's text (losslessly decoded); "" for `original.none`. */
export async function readBackup(info: BackupInfo): Promise<string | null> {
  if (info.absent) return null;
  return readTextOrNull(info.file);
}

/** Entries mcp-twin took over from the user, as they were written by hand. */
export async function loadHandWritten(backupsDir: string, key: string): Promise<Record<string, unknown>> {
  const text = await readTextOrNull(path.join(backupsDir, targetSlug(key), HAND_WRITTEN));
  if (!text) return {};
  try {
    const data = JSON.parse(text) as { entries?: Record<string, unknown> };
    return data.entries && typeof data.entries === "object" ? data.entries : {};
  } catch {
    return {};
  }
}

/** Add (or, with `undefined`, drop) hand-written entries of a target. */
export async function saveHandWritten(
  backupsDir: string,
  target: BackupTarget,
  changes: Record<string, unknown>,
): Promise<void> {
  const entries = await loadHandWritten(backupsDir, target.key);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete entries[name];
    else entries[name] = value;
  }
  const dir = path.join(backupsDir, targetSlug(target.key));
  if (!readIndex(dir)) await updateIndex(dir, target, () => {});
  await writePrivateFile(
    path.join(dir, HAND_WRITTEN),
    `${JSON.stringify({ version: 1, entries }, null, 2)}\n`,
  );
}

/** Timestamped backups, oldest first (`<time>-2.bak` after `<time>-1.bak` after `<time>.bak`). */
function timestamped(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith(".bak") && n !== ORIGINAL);
  } catch {
    return [];
  }
  const key = (n: string) => {
    const m = /^(.*?)(?:-(\d+))?\.bak$/.exec(n)!;
    return { stamp: m[1]!, n: Number(m[2] ?? 0) };
  };
  return names.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka.stamp < kb.stamp ? -1 : ka.stamp > kb.stamp ? 1 : ka.n - kb.n;
  });
}

/** `2026-01-02T03-04-05-678Z(-n).bak` → the ISO time it stands for. */
function stampOf(name: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z/.exec(name);
  return m ? `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z` : name;
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}
